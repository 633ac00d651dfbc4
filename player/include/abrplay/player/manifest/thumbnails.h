// abrplay/player/manifest/thumbnails.h: thumbnail tracks (DASH-IF IOP v4.3 6.2.6) and the tile that
// shows a given time. Pure code, like the rest of the manifest layer.
//
// A thumbnail representation (model.h, TileGrid) addresses grid images with any segment addressing
// (in practice a SegmentTemplate with @duration or a SegmentTimeline): segment k is one image that
// covers the segment's span; its COLS x ROWS tiles split that span evenly, in row-major order.
//
//   auto track = find_thumbnail_track(mpd, t);                      // which representation
//   auto index = SegmentIndex::create(mpd, track->period, track->adaptation_set, track->representation);
//   auto tile = thumbnail_tile(*index, *rep.tiles, t);              // which image, which tile, when
//   TileRect r = tile_rect(*rep.tiles, tile->index, image_width, image_height);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/manifest/segment_index.h"

namespace abrplay::manifest {

// A grid side beyond this is a broken or hostile manifest: DASH-IF and packager examples use 1x1 to
// 10x20, and 100 x 100 tiles of 16x9 px is already a 1600x900 image of unreadable stamps.
inline constexpr uint32_t kMaxTileGridSide = 100;
// A grid image side beyond this (in @width or @height) is refused as a thumbnail: 16384 is the
// largest texture common GPUs take, and ten times what any seek-bar grid needs.
inline constexpr uint32_t kMaxThumbnailImageSide = 16384;

// "http://dashif.org/thumbnail_tile" or "http://dashif.org/guidelines/thumbnail_tile".
bool is_thumbnail_tile_scheme(std::string_view scheme_id_uri);

// The value of a thumbnail_tile property, "COLSxROWS" (also "COLSXROWS"), each side 1..kMaxTileGridSide.
// The error says why, e.g. "'0x0': columns and rows must be 1..100".
Expected<TileGrid, std::string> parse_tile_grid(std::string_view value);

// Where a thumbnail representation is in the Mpd.
struct ThumbnailTrack {
  std::size_t period = 0;
  std::size_t adaptation_set = 0;
  std::size_t representation = 0;
};

// The thumbnail representation for `t` (MPD timeline): in the period containing `t` (the last one
// when `t` is past every known end), the first representation with usable tiles (Representation::
// tiles) in document order. Empty when that period has none.
std::optional<ThumbnailTrack> find_thumbnail_track(const Mpd& mpd, MediaTime t);

// The thumbnail_problem of every image representation of `mpd`, each "<path>: <problem>".
std::vector<std::string> thumbnail_problems(const Mpd& mpd);

// A tile in pixels inside its grid image.
struct TileRect {
  uint32_t x = 0;
  uint32_t y = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  bool operator==(const TileRect&) const = default;
};

// Tile `index` (row-major, < grid.count()) of a `width` x `height` grid image: each tile is
// (width / columns) x (height / rows) pixels, rounded down, from the top-left corner.
TileRect tile_rect(const TileGrid& grid, uint32_t index, uint32_t width, uint32_t height);

struct ThumbnailTile {
  Segment image;       // the grid image holding the tile (url, range)
  uint32_t index = 0;  // row-major index of the tile in its grid
  MediaTime start{0};  // the span the tile stands for, on the MPD timeline
  MediaTime duration{0};
};

// The tile standing for `t`: the image whose span holds `t` (the first one when `t` is before it),
// then the tile at (t - image start) / (image duration / tiles). kInvalidArgument when `t` is past the
// last image (the message gives the presentation's thumbnail range) or the index needs its sidx.
Expected<ThumbnailTile, Error> thumbnail_tile(const SegmentIndex& index, const TileGrid& grid, MediaTime t);

}  // namespace abrplay::manifest
