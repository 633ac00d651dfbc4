// abrplay/net/url.h: every URL operation of the library, through curl's CURLU parser (never
// hand-written): checks, resolution, file URLs, redaction, query arguments.
//
// Pure functions (no I/O but file_url's current directory); any thread. Errors are NetError with
// code kBadUrl and a message naming the URL.
#pragma once

#include <string>
#include <string_view>

#include "abrplay/core/expected.h"
#include "abrplay/net/error.h"

namespace abrplay::net {

struct UrlParts {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::string port;  // empty when the URL has none
  std::string path;  // "/a/b.m4s" as written (percent-encoding kept), without query or fragment
};

// Parses an absolute URL and accepts only http and https. Errors are kBadUrl, naming the URL.
Expected<UrlParts, NetError> parse_http_url(std::string_view url);

// Resolves `reference` (absolute, or relative like "seg/1.m4s" or "../a") against `base`, as a
// browser resolves a link. The result must be http or https: this is the check for a URL about to
// be requested (the Fetcher's relative URLs against a CDN's base).
Expected<std::string, NetError> resolve_url(std::string_view base, std::string_view reference);

// Resolves a reference written in a document (an MPD's BaseURL, SegmentURL or SegmentTemplate)
// against `base`, as RFC 3986 does. Unlike resolve_url it accepts any scheme curl can parse
// (file:// for a local MPD; the request, not the document, is where http/https is enforced) and
// percent-encodes bytes that are not URL-safe (a space in a path) rather than refusing them.
// An empty base returns the reference unchanged (a document parsed without a URL keeps its
// relative references); an empty reference returns the base, normalised. An absolute reference
// replaces the base. Error messages name both strings, each cut at 200 characters (document text
// can be long and hostile); NetError::url is the string that failed.
Expected<std::string, NetError> resolve_reference(std::string_view base, std::string_view reference);

// "file:///abs/path" for a local path, made absolute against the current directory, with bytes
// that are not URL-safe percent-encoded.
Expected<std::string, NetError> file_url(std::string_view path);

// The local path of a file:// URL, percent-decoded ("file:///a%20b" -> "/a b"). Errors when `url`
// does not parse or is not a file URL.
Expected<std::string, NetError> file_url_path(std::string_view url);

// Removes user info, query and fragment: "https://u:p@cdn/x.m4s?token=1#f" -> "https://cdn/x.m4s",
// so signed-URL tokens never reach a log or telemetry payload. Text that is not a URL is cut to its
// first '?' or '#' (it may still carry a token).
std::string redact_url(std::string_view url);

// `url` with the argument `key=value` appended to its query: '&' is added after an existing query,
// which is kept byte for byte, as is the fragment. curl percent-encodes the key and the value
// (lower-case hex; a space becomes '+'; '=' and ',' in the value become %3d and %2c): "CMCD" and
// `br=300,ot=v` give "...?CMCD=br%3d300%2cot%3dv". The key must be non-empty and contain no '='
// (curl keeps the first '=' unencoded, so it must be the separator). Errors name the URL.
Expected<std::string, NetError> append_query(std::string_view url, std::string_view key, std::string_view value);

// "host" or "host:port" of an absolute URL, or "" if it does not parse; for logs and telemetry.
std::string url_authority(std::string_view url);

}  // namespace abrplay::net
