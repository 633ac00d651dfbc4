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
#include "abrplay/net/request.h"

namespace abrplay::net {

struct UrlParts {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::string port;  // empty when the URL has none
  std::string path;  // "/a/b.m4s" as written (percent-encoding kept), without query or fragment
};

// Parses an absolute URL and accepts only http and https. Errors are kBadUrl, naming the URL.
Expected<UrlParts, NetError> parse_http_url(std::string_view url);

// The one check of the local-file rule (FileAccess in request.h, docs/security.md): `url` must be an
// absolute http or https URL, or, when `access` is kAllowed, a file: URL (with a path and no host
// but "localhost"). Returns the scheme ("http", "https" or "file"). A file: URL with kRefused is
// kBadUrl: "file:///etc/x: refused: a file: URL may be read only for a manifest loaded from file:
// (this request is for one loaded over http(s))". HttpClient::submit and resolve_url call it.
Expected<std::string, NetError> check_request_url(std::string_view url, FileAccess access);

// The access the references of a document get: kAllowed when `document_url` is a file: URL (a
// manifest read from disk), kRefused for anything else.
FileAccess file_access_for(std::string_view document_url);

// True when `text` parses as an absolute URL of any scheme ("file:///a", "ftp://h/x"); false for a
// relative reference or a path ("seg/1.m4s", "/abs/path.mpd").
bool is_absolute_url(std::string_view text);

// What a user typed where a manifest is expected (a command line): an absolute URL is returned as
// it is (any scheme: a request refuses what it may not use, with its own message); anything else is
// a local path, relative or absolute, and becomes its file: URL (file_url). "a b/ü.mpd" ->
// "file:///cwd/a%20b/%c3%bc.mpd".
Expected<std::string, NetError> url_from_argument(std::string_view text);

// Resolves `reference` (absolute, or relative like "seg/1.m4s" or "../a") against `base`, as a
// browser resolves a link. The result must pass check_request_url(result, access): http or https,
// or file: when `access` allows it. This is the check for a URL about to be requested (the
// Fetcher's relative URLs against a CDN's base, or a local presentation's directory).
Expected<std::string, NetError> resolve_url(std::string_view base, std::string_view reference,
                                            FileAccess access = FileAccess::kRefused);

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
