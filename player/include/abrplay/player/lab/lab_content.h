// abrplay/player/lab/lab_content.h: a DASH presentation held in memory for the ABR lab's network.
//
// Files are keyed by URL path ("/number/manifest.mpd"). A file holds its bytes, or only its size
// (the lab then serves that many zero bytes: enough for the engine, which never looks inside a
// media segment when no decoder is attached).
//
//   from_directory(root, sizes_only)  every regular file under `root`, keyed "/relative/path".
//       With sizes_only, media segments (*.m4s, *.m4a, *.m4v, *.ts, *.webm) keep only their size;
//       manifests, init segments, single-file representations (sidx inside) and text keep bytes.
//   synthetic(video, codecs)  a one-period static MPD ("/synthetic/manifest.mpd") with one video
//       representation per rung of `video` (Pensieve's ladder and its video_size_N chunk sizes) and
//       a SegmentTemplate of $Number$ media files of exactly those sizes, so results compare with
//       the chunk model. No audio: the chunk model has none.
//
// Threading: immutable after it is built; share it (const) between concurrent sessions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "abrplay/abr/sim/video.h"
#include "abrplay/core/expected.h"

namespace abrplay::lab {

struct LabFile {
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;  // null: size only (served as zeros)
  std::uint64_t size = 0;
};

class LabContent {
 public:
  // An error names the directory or file and what is wrong (missing, unreadable, empty).
  static Expected<LabContent, std::string> from_directory(const std::filesystem::path& root, bool sizes_only);
  static LabContent synthetic(const abr::Video& video, std::string_view codecs = "avc1.64001f");

  void add(std::string path, std::vector<std::uint8_t> bytes);
  void add_size_only(std::string path, std::uint64_t size);
  // Null when there is no such file.
  const LabFile* find(std::string_view path) const;
  std::size_t file_count() const { return files_.size(); }

 private:
  std::unordered_map<std::string, LabFile> files_;
};

}  // namespace abrplay::lab
