#include "manifest_segments.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"

namespace abrplay::decode_bench {
namespace {

constexpr std::string_view kFileScheme = "file://";

// Reads a file:// URL, optionally a byte range of it.
Expected<Bytes, Error> read_url(const std::string& url, const std::optional<manifest::ByteRange>& range) {
  if (url.rfind(kFileScheme, 0) != 0) {
    return Unexpected{Error{ErrorCode::kUnsupported, "not a file URL: " + url}};
  }
  const std::string path = url.substr(kFileScheme.size());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected{Error{ErrorCode::kInvalidArgument, "cannot open " + path}};
  auto bytes = std::make_shared<std::vector<std::uint8_t>>();
  if (range) {
    in.seekg(static_cast<std::streamoff>(range->first));
    bytes->resize(range->size());
    in.read(reinterpret_cast<char*>(bytes->data()), static_cast<std::streamsize>(range->size()));
    bytes->resize(static_cast<std::size_t>(in.gcount()));
  } else {
    bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return Bytes(std::move(bytes));
}

}  // namespace

Expected<RepresentationSegments, Error> load_representation(const std::string& manifest_path,
                                                            const std::string& content_type, const std::string& rep_id,
                                                            bool read_media) {
  const auto abs = std::filesystem::absolute(manifest_path).lexically_normal().string();
  std::ifstream in(abs, std::ios::binary);
  if (!in) return Unexpected{Error{ErrorCode::kInvalidArgument, "cannot open " + abs}};
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  manifest::ParseOptions options;
  options.document_url = std::string(kFileScheme) + abs;
  auto mpd = manifest::parse_mpd(xml, options);
  if (!mpd) return Unexpected{mpd.error()};
  if (mpd->periods.empty()) return Unexpected{Error{ErrorCode::kManifestNoPlayableContent, abs + ": no period"}};

  int index_of_type = 0;
  const auto& period = mpd->periods[0];
  for (std::size_t a = 0; a < period.adaptation_sets.size(); ++a) {
    const auto& as = period.adaptation_sets[a];
    if (as.content_type != content_type) continue;
    for (std::size_t r = 0; r < as.representations.size(); ++r, ++index_of_type) {
      const auto& rep = as.representations[r];
      if (!rep_id.empty() && rep.id != rep_id) continue;
      if (!read_media) return RepresentationSegments{rep.id, content_type, index_of_type, {}};
      auto index = manifest::SegmentIndex::create(*mpd, 0, a, r);
      if (!index) return Unexpected{index.error()};
      while (index->needs_index()) {  // one read per sidx box of a chain (bounded by load_index)
        auto sidx = read_url(index->index_request()->url, index->index_request()->range);
        if (!sidx) return Unexpected{sidx.error()};
        auto loaded = index->load_index(**sidx);
        if (!loaded) return Unexpected{loaded.error()};
      }
      RepresentationSegments out{rep.id, content_type, index_of_type, {}};
      Bytes init;
      if (index->init()) {
        auto b = read_url(index->init()->url, index->init()->range);
        if (!b) return Unexpected{b.error()};
        init = *b;
      }
      const auto count = index->count().value_or(0);
      for (std::uint64_t pos = 0; pos < count; ++pos) {
        const auto seg = index->segment(pos);
        if (!seg) break;
        auto data = read_url(seg->url, seg->range);
        if (!data) return Unexpected{data.error()};
        media::MediaSegment m;
        m.init = init;
        m.data = *data;
        m.start = seg->start;
        m.duration = seg->duration;
        m.representation_id = rep.id;
        m.number = seg->number;
        out.segments.push_back(std::move(m));
      }
      return out;
    }
  }
  return Unexpected{Error{ErrorCode::kInvalidArgument, abs + ": no " + content_type + " representation" +
                                                           (rep_id.empty() ? "" : " '" + rep_id + "'")}};
}

}  // namespace abrplay::decode_bench
