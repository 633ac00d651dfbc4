// File and HTTP reading for abrplay-inspect (see source.h).
#include "source.h"

#include <filesystem>
#include <fstream>

#include "abrplay/net/url.h"
#include "http_get.h"

namespace abrplay::inspect {
namespace {

// sidx boxes are small (12 bytes per reference, at most 65535 references).
constexpr std::size_t kMaxIndexBytes = 1u << 20;

bool is_http(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

Expected<std::string, std::string> read_file(const std::string& path, uint64_t offset, uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected{path + ": cannot open"};
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Unexpected{path + ": " + ec.message()};
  if (offset >= size && size > 0)
    return Unexpected{path + ": offset " + std::to_string(offset) + " is beyond its " + std::to_string(size) +
                      " bytes"};
  uint64_t n = std::min<uint64_t>(size - std::min(size, offset), max_bytes);
  std::string out(static_cast<std::size_t>(n), '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out.data(), static_cast<std::streamsize>(n));
  if (static_cast<uint64_t>(in.gcount()) != n) return Unexpected{path + ": short read"};
  return out;
}

}  // namespace

Expected<MpdSource, std::string> load_mpd(const std::string& file_or_url, std::size_t max_bytes) {
  if (is_http(file_or_url)) {
    // One byte over the limit is fetched so the parser reports the limit, not a truncated XML.
    auto r = http_get(file_or_url, std::nullopt, max_bytes + 1);
    if (!r) return Unexpected{r.error()};
    return MpdSource{std::move(r->body), std::move(r->effective_url)};
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file_or_url, ec)) return Unexpected{file_or_url + ": no such file"};
  auto text = read_file(file_or_url, 0, max_bytes + 1);
  if (!text) return Unexpected{text.error()};
  auto url = net::file_url(file_or_url);
  if (!url) return Unexpected{url.error().message};
  return MpdSource{std::move(*text), std::move(*url)};
}

Expected<std::vector<uint8_t>, std::string> read_range(const std::string& url,
                                                       const std::optional<manifest::ByteRange>& range) {
  std::string bytes;
  if (is_http(url)) {
    auto r = http_get(url, range, kMaxIndexBytes);
    if (!r) return Unexpected{r.error()};
    bytes = std::move(r->body);
  } else if (url.rfind("file://", 0) == 0) {
    auto path = net::file_url_path(url);
    if (!path) return Unexpected{path.error().message};
    uint64_t first = range ? range->first : 0;
    uint64_t size = range ? range->size() : kMaxIndexBytes;
    if (size > kMaxIndexBytes) return Unexpected{url + ": index range larger than 1 MiB"};
    auto r = read_file(*path, first, size);
    if (!r) return Unexpected{r.error()};
    bytes = std::move(*r);
  } else {
    return Unexpected{url + ": cannot fetch (not http, https or file)"};
  }
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace abrplay::inspect
