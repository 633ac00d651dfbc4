// abrplay/player/manifest/xlink.h: remote elements (ISO/IEC 23009-1 5.5, xlink:href) put in place
// before the MPD is parsed.
//
//   XlinkResolver r(mpd_text, mpd_url, file_access);   // finds Period, AdaptationSet and SegmentList
//   while (!r.done())                                   // elements with xlink:href
//     for (XlinkRequest q : r.take_requests()) r.supply(q.id, fetch(q.url));   // any order
//   parse_mpd(r.text(), ...);                           // the MPD with the remote elements in place
//
// The resolver does no I/O: its owner fetches (the engine through net/, with retries). It parses
// the MPD once, and only when the text mentions "href"; without remote elements text() is the
// input, unchanged. Rules (docs/manifest.md, "xlink"):
// - actuate onLoad and onRequest are both resolved at load (a client may dereference earlier than
//   asked; the player never has to pause for a Period's content);
// - "urn:mpeg:dash:resolve-to-zero:2013" removes the element, without a fetch;
// - references are http(s) or relative; a relative one resolves against the URL of the document
//   that holds it (the MPD, or the remote document). An absolute file:, ftp:, data: or other URL
//   is refused; a relative one from a local MPD may read file: (the local-file rule, FileAccess);
// - a remote document holds zero or more elements of the referencing element's kind; they replace
//   it, and may link further, up to XlinkLimits::max_depth; a URL already on the chain is a loop;
// - sizes are bounded: each document, the total, and the number of fetches.
// A remote element that cannot be used (fetch failed, wrong element kind, malformed XML, too large,
// too deep, a loop, a refused URL) is left out with a warning naming its element path, its URL and
// why; an MPD left without a Period then fails to parse, as any MPD without one.
// Thread safety: one owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/net/request.h"
#include "abrplay/player/error.h"

namespace abrplay::manifest {

struct XlinkLimits {
  std::size_t max_depth = 4;                    // remote elements inside remote elements
  std::size_t max_fetches = 64;                 // per resolution of one MPD
  std::uint64_t max_document_bytes = 1u << 20;  // one remote document (also the request's cap)
  std::uint64_t max_total_bytes = 16u << 20;    // all remote documents together
};

struct XlinkRequest {
  std::uint64_t id = 0;
  std::string url;   // absolute, checked against the file-access rule
  std::string path;  // the referencing element, e.g. "MPD/Period[1]"
};

class XlinkResolver {
 public:
  // `document_url` is the MPD's own URL (relative references resolve against it); `access` is the
  // MPD's file access (net::file_access_for). A malformed MPD is not an error here: text() returns
  // it unchanged and parse_mpd reports it.
  XlinkResolver(std::string_view mpd_text, std::string document_url, net::FileAccess access, XlinkLimits limits = {});
  ~XlinkResolver();
  XlinkResolver(XlinkResolver&&) noexcept;
  XlinkResolver& operator=(XlinkResolver&&) noexcept;

  // Requests found since the last call (each is answered once with supply()).
  std::vector<XlinkRequest> take_requests();
  // The body of a remote document, or why it could not be fetched ("HTTP 404 for ...").
  void supply(std::uint64_t id, Expected<std::string, std::string> body);
  // No request is waiting for an answer and none is left to take.
  bool done() const;
  // Whether the MPD had remote elements (and so text() differs from the input).
  bool resolved_any() const;
  // The MPD with every remote element in place (call when done()).
  std::string text() const;
  // Elements left out, each "path@xlink:href 'url': reason; the Period is left out".
  const std::vector<std::string>& warnings() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace abrplay::manifest
