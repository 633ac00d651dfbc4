// validators.h: the HTTP validators the origin sends, so that a client cache can revalidate
// (RFC 9110 8.8, 13.1.2): a strong ETag per file (its size and modification time) and a weak one per
// MPD as served (a hash of the text, publishTime left out: a live MPD re-rendered with nothing new
// in it is the same document, so a refresh gets 304 Not Modified).
// Pure functions; safe from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace abrplay::origin {

// "\"<size hex>-<mtime ns hex>\""; empty when the file cannot be examined.
std::string file_etag(const std::filesystem::path& path);
// "W/\"<64-bit FNV-1a hex>\"" of the MPD text with the value of publishTime removed.
std::string mpd_etag(std::string_view mpd_text);
// Whether an If-None-Match field value ("*", or a comma list of entity tags) matches `etag` by the
// weak comparison If-None-Match uses (RFC 9110 13.1.2).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// Cache-Control of what the origin serves: media files never change once published; a VOD MPD is
// reused for a minute; a live MPD is revalidated at every refresh.
inline constexpr std::string_view kSegmentCacheControl = "max-age=86400";
inline constexpr std::string_view kVodMpdCacheControl = "max-age=60";
inline constexpr std::string_view kLiveMpdCacheControl = "no-cache";

}  // namespace abrplay::origin
