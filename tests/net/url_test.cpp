// net's URL API (url.h): checks, resolution, file URLs, redaction and query arguments, without a
// server (each is a pure function over curl's URL parser).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "abrplay/net/url.h"

namespace abrplay::net::test {

TEST_CASE("parse_http_url accepts http and https with a host and refuses the rest", "[net][url]") {
  auto parts = parse_http_url("https://cdn.example:8443/v/seg-1.m4s?x=1");
  REQUIRE(parts.has_value());
  CHECK(parts->scheme == "https");
  CHECK(parts->host == "cdn.example");
  CHECK(parts->port == "8443");
  CHECK(parts->path == "/v/seg-1.m4s");
  auto file = parse_http_url("file:///tmp/a.mpd");
  REQUIRE_FALSE(file.has_value());
  CHECK(file.error().code == NetErrorCode::kBadUrl);
  CHECK(file.error().message.find("file:///tmp/a.mpd") != std::string::npos);
  CHECK(url_authority("http://h:8080/a") == "h:8080");
  CHECK(url_authority("not a url") == "");
}

TEST_CASE("resolve_url resolves like a browser and refuses a result that is not http(s)", "[net][url]") {
  CHECK(resolve_url("http://h/a/b/manifest.mpd", "seg/1.m4s").value() == "http://h/a/b/seg/1.m4s");
  CHECK(resolve_url("http://h/a/b/", "../c.m4s").value() == "http://h/a/c.m4s");
  CHECK(resolve_url("http://h/a/", "https://other/x").value() == "https://other/x");
  auto file = resolve_url("file:///tmp/x/", "a.m4s");
  REQUIRE_FALSE(file.has_value());
  CHECK(file.error().code == NetErrorCode::kBadUrl);
}

TEST_CASE("resolve_reference resolves a document's references for any scheme", "[net][url]") {
  CHECK(resolve_reference("http://h/v/manifest.mpd", "video/seg-$Number$.m4s").value() ==
        "http://h/v/video/seg-$Number$.m4s");
  CHECK(resolve_reference("http://h/v/", "../a/").value() == "http://h/a/");
  CHECK(resolve_reference("http://h/v/", "https://cdn/x/").value() == "https://cdn/x/");
  CHECK(resolve_reference("file:///tmp/x/manifest.mpd", "seg.m4s").value() == "file:///tmp/x/seg.m4s");
  // CURLU_NON_SUPPORT_SCHEME: a scheme curl cannot fetch still resolves.
  CHECK(resolve_reference("foo://host/a/b", "c").value() == "foo://host/a/c");
  // CURLU_URLENCODE: a space in a manifest's path is percent-encoded, not refused.
  CHECK(resolve_reference("http://h/v/", "my seg.m4s").value() == "http://h/v/my%20seg.m4s");
}

TEST_CASE("resolve_reference: an empty base keeps the reference, an empty reference gives the base", "[net][url]") {
  CHECK(resolve_reference("", "seg/1.m4s").value() == "seg/1.m4s");
  CHECK(resolve_reference("", "").value() == "");
  CHECK(resolve_reference("http://h/v/manifest.mpd", "").value() == "http://h/v/manifest.mpd");
}

TEST_CASE("resolve_reference errors name both strings, cut at 200 characters", "[net][url]") {
  auto bad_base = resolve_reference("http://[bad/", "a.m4s");
  REQUIRE_FALSE(bad_base.has_value());
  CHECK(bad_base.error().code == NetErrorCode::kBadUrl);
  CHECK(bad_base.error().url == "http://[bad/");
  CHECK(bad_base.error().message.rfind("base URL 'http://[bad/' is invalid: ", 0) == 0);
  const std::string long_ref = "http://[" + std::string(300, 'x');
  auto bad_ref = resolve_reference("http://h/v/", long_ref);
  REQUIRE_FALSE(bad_ref.has_value());
  CHECK(bad_ref.error().url == long_ref);
  CHECK(bad_ref.error().message.rfind("URL '" + long_ref.substr(0, 200) + "...' relative to 'http://h/v/' is invalid: ",
                                      0) == 0);
}

TEST_CASE("file_url makes an absolute, percent-encoded file URL: file_url_path reads it back", "[net][url]") {
  auto url = file_url("dir with space/a.mpd");
  REQUIRE(url.has_value());
  CHECK(url->rfind("file:///", 0) == 0);
  CHECK(url->size() > std::string("/dir%20with%20space/a.mpd").size());
  CHECK(url->substr(url->size() - std::string("/dir%20with%20space/a.mpd").size()) == "/dir%20with%20space/a.mpd");
  auto path = file_url_path(*url);
  REQUIRE(path.has_value());
  CHECK(*path == (std::filesystem::current_path() / "dir with space/a.mpd").generic_string());
  CHECK(file_url("/abs/x.mpd").value() == "file:///abs/x.mpd");
  auto http = file_url_path("http://h/a.mpd");
  REQUIRE_FALSE(http.has_value());
  CHECK(http.error().message.find("http://h/a.mpd") != std::string::npos);
}

TEST_CASE("redact_url drops user info, query and fragment: non-URLs are cut at '?' or '#'", "[net][url][privacy]") {
  CHECK(redact_url("https://u:p@cdn.example:8443/a/b.m4s?token=abc&x=1#frag") == "https://cdn.example:8443/a/b.m4s");
  CHECK(redact_url("not a url?token=abc") == "not a url");
  CHECK(redact_url("") == "");
}

TEST_CASE("append_query adds one URL-encoded argument and keeps the existing query", "[net][url]") {
  // A CMCD payload, as the player's query mode sends it: br=300,ot=v,sid="abc".
  const std::string cmcd = "br=300,ot=v,sid=\"abc\"";
  auto plain = append_query("http://127.0.0.1:8080/vod/seg-1.m4s", "CMCD", cmcd);
  REQUIRE(plain.has_value());
  CHECK(*plain == "http://127.0.0.1:8080/vod/seg-1.m4s?CMCD=br%3d300%2cot%3dv%2csid%3d%22abc%22");
  auto signed_url = append_query("https://cdn.example/v/seg-1.m4s?token=x%2Fy", "CMCD", cmcd);
  REQUIRE(signed_url.has_value());
  CHECK(signed_url->rfind("https://cdn.example/v/seg-1.m4s?token=x%2Fy&CMCD=br%3d300", 0) == 0);
  auto bad = append_query("not a url", "CMCD", cmcd);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == NetErrorCode::kBadUrl);
  CHECK(bad.error().message.find("not a url") != std::string::npos);
}

TEST_CASE("append_query keeps the fragment, encodes a space as '+', and refuses a key holding '='", "[net][url]") {
  CHECK(append_query("http://h/a?x=1#f", "k", "a b").value() == "http://h/a?x=1&k=a+b#f");
  auto bad_key = append_query("http://h/a", "k=1", "v");
  REQUIRE_FALSE(bad_key.has_value());
  CHECK(bad_key.error().code == NetErrorCode::kBadUrl);
  CHECK(bad_key.error().message.find("http://h/a") != std::string::npos);
  CHECK_FALSE(append_query("http://h/a", "", "v").has_value());
}

TEST_CASE("check_request_url allows file: only with FileAccess::kAllowed: file_access_for follows the document",
          "[net][url][file]") {
  CHECK(check_request_url("https://cdn/a.m4s", FileAccess::kRefused).value() == "https");
  CHECK(check_request_url("http://cdn/a.m4s", FileAccess::kAllowed).value() == "http");
  CHECK(check_request_url("file:///v/a.m4s", FileAccess::kAllowed).value() == "file");
  CHECK(check_request_url("file://localhost/v/a.m4s", FileAccess::kAllowed).value() == "file");
  auto refused = check_request_url("file:///etc/passwd", FileAccess::kRefused);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == NetErrorCode::kBadUrl);
  CHECK(refused.error().message ==
        "file:///etc/passwd: refused: a file: URL may be read only for a manifest loaded from file: (this request is "
        "for one loaded over http(s))");
  CHECK_FALSE(check_request_url("file://other-host/etc/passwd", FileAccess::kAllowed));
  CHECK_FALSE(check_request_url("ftp://h/x", FileAccess::kAllowed));
  CHECK_FALSE(check_request_url("relative/x.m4s", FileAccess::kAllowed));

  CHECK(file_access_for("file:///v/manifest.mpd") == FileAccess::kAllowed);
  CHECK(file_access_for("FILE:///v/manifest.mpd") == FileAccess::kAllowed);
  CHECK(file_access_for("https://cdn/manifest.mpd") == FileAccess::kRefused);
  CHECK(file_access_for("manifest.mpd") == FileAccess::kRefused);
  CHECK(file_access_for("") == FileAccess::kRefused);
}

TEST_CASE("resolve_url gives a file: URL only when files are allowed", "[net][url][file]") {
  CHECK(resolve_url("file:///v/a%20b/", "seg-1.m4s", FileAccess::kAllowed).value() == "file:///v/a%20b/seg-1.m4s");
  CHECK_FALSE(resolve_url("file:///v/", "seg-1.m4s"));
  CHECK_FALSE(resolve_url("https://cdn/v/", "file:///etc/passwd"));
  CHECK(resolve_url("file:///v/", "https://cdn/x.m4s", FileAccess::kAllowed).value() == "https://cdn/x.m4s");
}

TEST_CASE("url_from_argument keeps URLs and makes a file URL of any path", "[net][url][file]") {
  CHECK(url_from_argument("https://cdn/m.mpd").value() == "https://cdn/m.mpd");
  CHECK(url_from_argument("file:///v/m.mpd").value() == "file:///v/m.mpd");
  CHECK(url_from_argument("ftp://h/m.mpd").value() == "ftp://h/m.mpd");  // refused later, by the request
  CHECK(url_from_argument("/abs/dir with space/\xc3\xbc.mpd").value() == "file:///abs/dir%20with%20space/%c3%bc.mpd");
  auto relative = url_from_argument("rel/m.mpd");
  REQUIRE(relative);
  CHECK(file_url_path(*relative).value() == (std::filesystem::current_path() / "rel/m.mpd").string());
  CHECK_FALSE(url_from_argument(""));
  CHECK(is_absolute_url("file:///a"));
  CHECK_FALSE(is_absolute_url("seg/1.m4s"));
  CHECK_FALSE(is_absolute_url("/abs/path.mpd"));
}

}  // namespace abrplay::net::test
