#include "abrplay/player/lab/lab_content.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace abrplay::lab {

namespace {

bool is_media_segment(const std::filesystem::path& p) {
  static constexpr std::array<std::string_view, 5> kExt = {".m4s", ".m4a", ".m4v", ".ts", ".webm"};
  const std::string ext = p.extension().string();
  const std::string name = p.filename().string();
  if (name.find("init") != std::string::npos) return false;
  for (auto e : kExt) {
    if (ext == e) return true;
  }
  return false;
}

// A presentation of a few hundred MB at most; a file beyond this is not a DASH segment.
constexpr std::uintmax_t kMaxFileBytes = 1ull << 30;

}  // namespace

Expected<LabContent, std::string> LabContent::from_directory(const std::filesystem::path& root, bool sizes_only) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return Unexpected{root.string() + ": not a directory"};
  LabContent content;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::filesystem::path& p = it->path();
    const std::string key = "/" + std::filesystem::relative(p, root, ec).generic_string();
    if (key.find("/.") != std::string::npos) continue;  // .stamp, .work/
    const std::uintmax_t size = it->file_size(ec);
    if (ec) return Unexpected{p.string() + ": " + ec.message()};
    if (size > kMaxFileBytes)
      return Unexpected{p.string() + ": " + std::to_string(size) + " bytes is too large for a segment"};
    if (sizes_only && is_media_segment(p)) {
      content.add_size_only(key, size);
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return Unexpected{p.string() + ": cannot read"};
    content.add(key, std::move(bytes));
  }
  if (ec) return Unexpected{root.string() + ": " + ec.message()};
  if (content.file_count() == 0) return Unexpected{root.string() + ": no files"};
  return content;
}

LabContent LabContent::synthetic(const abr::Video& video, std::string_view codecs) {
  LabContent content;
  const double seg_s = video.segment_duration.count();
  const double total_s = seg_s * static_cast<double>(video.segment_count);
  const auto seg_ms = static_cast<long long>(seg_s * 1000.0 + 0.5);
  std::ostringstream mpd;
  mpd << "<?xml version=\"1.0\"?>\n"
      << "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\""
      << " minBufferTime=\"PT2S\" mediaPresentationDuration=\"PT" << total_s << "S\">\n"
      << " <Period id=\"0\" start=\"PT0S\">\n"
      << "  <AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\">\n"
      << "   <SegmentTemplate timescale=\"1000\" duration=\"" << seg_ms
      << "\" startNumber=\"0\" initialization=\"init-$RepresentationID$.mp4\" media=\"seg-$RepresentationID$-$Number$.m4s\"/>\n";
  for (std::size_t r = 0; r < video.bitrates.size(); ++r) {
    const auto bps = std::llround(video.bitrates[r].bps());
    mpd << "   <Representation id=\"v" << r << "\" codecs=\"" << codecs << "\" bandwidth=\"" << bps << "\" width=\""
        << 320 * (r + 1) << "\" height=\"" << 180 * (r + 1) << "\"/>\n";
    content.add("/synthetic/init-v" + std::to_string(r) + ".mp4", std::vector<std::uint8_t>(800, 0));
    for (std::size_t s = 0; s < video.segment_count; ++s) {
      const std::int64_t bytes = s < video.segment_bytes[r].size() ? video.segment_bytes[r][s] : 0;
      content.add_size_only("/synthetic/seg-v" + std::to_string(r) + "-" + std::to_string(s) + ".m4s",
                            static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 0)));
    }
  }
  mpd << "  </AdaptationSet>\n </Period>\n</MPD>\n";
  const std::string text = mpd.str();
  content.add("/synthetic/manifest.mpd", std::vector<std::uint8_t>(text.begin(), text.end()));
  return content;
}

void LabContent::add(std::string path, std::vector<std::uint8_t> bytes) {
  const std::uint64_t size = bytes.size();
  files_[std::move(path)] = LabFile{std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)), size};
}

void LabContent::add_size_only(std::string path, std::uint64_t size) {
  files_[std::move(path)] = LabFile{nullptr, size};
}

const LabFile* LabContent::find(std::string_view path) const {
  auto it = files_.find(std::string(path));
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace abrplay::lab
