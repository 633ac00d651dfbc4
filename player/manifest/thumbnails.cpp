// Thumbnail tracks: the tile grid property, which representation, which image and tile (thumbnails.h).
#include "abrplay/player/manifest/thumbnails.h"

#include <algorithm>

#include "abrplay/player/manifest/time.h"

namespace abrplay::manifest {

bool is_thumbnail_tile_scheme(std::string_view scheme_id_uri) {
  return scheme_id_uri == "http://dashif.org/thumbnail_tile" ||
         scheme_id_uri == "http://dashif.org/guidelines/thumbnail_tile";
}

namespace {

// Digits only, at most 9 of them (no sign, no blanks): the grid sides are small numbers.
std::optional<uint32_t> small_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  return v;
}

}  // namespace

Expected<TileGrid, std::string> parse_tile_grid(std::string_view value) {
  const std::string quoted = "'" + std::string(value.substr(0, 40)) + "'";
  const std::size_t x = value.find_first_of("xX");
  if (x == std::string_view::npos) return Unexpected{quoted + ": not COLSxROWS"};
  const auto cols = small_number(value.substr(0, x));
  const auto rows = small_number(value.substr(x + 1));
  if (!cols || !rows) return Unexpected{quoted + ": not COLSxROWS"};
  if (*cols < 1 || *rows < 1 || *cols > kMaxTileGridSide || *rows > kMaxTileGridSide) {
    return Unexpected{quoted + ": columns and rows must be 1.." + std::to_string(kMaxTileGridSide)};
  }
  return TileGrid{*cols, *rows};
}

std::optional<ThumbnailTrack> find_thumbnail_track(const Mpd& mpd, MediaTime t) {
  if (mpd.periods.empty()) return std::nullopt;
  std::size_t p = mpd.periods.size() - 1;
  for (std::size_t i = 0; i < mpd.periods.size(); ++i) {
    const Period& period = mpd.periods[i];
    if (t < period.start) {
      p = i == 0 ? 0 : i - 1;
      break;
    }
    if (period.duration && t < period.start + *period.duration) {
      p = i;
      break;
    }
  }
  const Period& period = mpd.periods[p];
  for (std::size_t a = 0; a < period.adaptation_sets.size(); ++a) {
    const AdaptationSet& set = period.adaptation_sets[a];
    for (std::size_t r = 0; r < set.representations.size(); ++r) {
      if (set.representations[r].tiles) return ThumbnailTrack{p, a, r};
    }
  }
  return std::nullopt;
}

std::vector<std::string> thumbnail_problems(const Mpd& mpd) {
  std::vector<std::string> out;
  for (const Period& p : mpd.periods) {
    for (const AdaptationSet& a : p.adaptation_sets) {
      for (const Representation& r : a.representations) {
        if (!r.thumbnail_problem.empty()) out.push_back(r.path + ": " + r.thumbnail_problem);
      }
    }
  }
  return out;
}

TileRect tile_rect(const TileGrid& grid, uint32_t index, uint32_t width, uint32_t height) {
  const uint32_t cols = std::max<uint32_t>(grid.columns, 1), rows = std::max<uint32_t>(grid.rows, 1);
  const uint32_t i = std::min(index, cols * rows - 1);
  TileRect r;
  r.width = width / cols;
  r.height = height / rows;
  r.x = (i % cols) * r.width;
  r.y = (i / cols) * r.height;
  return r;
}

Expected<ThumbnailTile, Error> thumbnail_tile(const SegmentIndex& index, const TileGrid& grid, MediaTime t) {
  if (index.needs_index()) {
    return Unexpected{Error{ErrorCode::kInvalidArgument, "thumbnails: the image index (sidx) is not loaded"}};
  }
  std::optional<Segment> seg = index.segment_at(t);
  if (!seg) {
    std::string range;
    if (auto total = index.total_duration()) range = " (thumbnails cover 0 .. " + format_seconds(*total) + ")";
    return Unexpected{
        Error{ErrorCode::kInvalidArgument, "thumbnails: " + format_seconds(t) + " is past the last image" + range}};
  }
  ThumbnailTile tile;
  const uint32_t count = std::max<uint32_t>(grid.count(), 1);
  const MediaTime per_tile = seg->duration / count;
  MediaTime into = t - seg->start;
  if (into < MediaTime{0}) into = MediaTime{0};
  const auto k = per_tile > MediaTime{0} ? static_cast<uint64_t>(into / per_tile) : 0;
  tile.index = static_cast<uint32_t>(std::min<uint64_t>(k, count - 1));
  tile.start = seg->start + per_tile * tile.index;
  tile.duration = tile.index + 1 == count ? seg->end() - tile.start : per_tile;
  tile.image = std::move(*seg);
  return tile;
}

}  // namespace abrplay::manifest
