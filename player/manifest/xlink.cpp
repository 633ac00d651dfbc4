// XlinkResolver (xlink.h): the MPD as a pugixml DOM; each remote element is replaced by the
// elements of its fetched document, copied in before it, and then removed.
#include "abrplay/player/manifest/xlink.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <utility>

#include "abrplay/net/url.h"
#include "parse_context.h"

namespace abrplay::manifest {
namespace {

constexpr std::string_view kXlinkNamespace = "http://www.w3.org/1999/xlink";
constexpr std::string_view kResolveToZero = "urn:mpeg:dash:resolve-to-zero:2013";
// Elements that may be remote (ISO/IEC 23009-1 5.5.2: Period, AdaptationSet, SegmentList; also
// EventStream in later editions).
constexpr std::string_view kRemotable[] = {"Period", "AdaptationSet", "SegmentList", "EventStream"};

bool remotable(std::string_view name) {
  return std::find(std::begin(kRemotable), std::end(kRemotable), name) != std::end(kRemotable);
}

// The namespace URI bound to `prefix` at `node` (searching its ancestors), "" when unbound.
std::string_view namespace_of(pugi::xml_node node, std::string_view prefix) {
  const std::string attr = "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n.type() != pugi::node_element) continue;
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

// The element's xlink attribute `local` ("href", "actuate"): a prefixed attribute whose prefix is
// bound to the xlink namespace. (Fragments from the wild sometimes forget the declaration; a
// prefix spelled "xlink" is accepted then too.)
pugi::xml_attribute xlink_attr(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name(a.name());
    const std::size_t colon = name.find(':');
    if (colon == std::string_view::npos || name.substr(colon + 1) != local) continue;
    const std::string_view prefix = name.substr(0, colon);
    if (prefix == "xmlns") continue;
    const std::string_view ns = namespace_of(node, prefix);
    if (ns == kXlinkNamespace || (ns.empty() && prefix == "xlink")) return a;
  }
  return {};
}

// "MPD/Period[1]/AdaptationSet[0]", the same paths the parser's messages use.
std::string element_path(pugi::xml_node node) {
  std::vector<std::string> parts;
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    const std::string_view name = detail::local_name(n.name());
    if (!n.parent() || n.parent().type() != pugi::node_element) {
      parts.emplace_back(name);
      continue;
    }
    std::size_t index = 0;
    for (pugi::xml_node s = n.parent().first_child(); s && s != n; s = s.next_sibling())
      if (s.type() == pugi::node_element && detail::local_name(s.name()) == name) ++index;
    parts.push_back(std::string(name) + "[" + std::to_string(index) + "]");
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += (out.empty() ? "" : "/") + *it;
  return out;
}

// The scheme of an absolute reference, lower case (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-"
// / "." ) ":"); "" for a relative one. "data:..." and "javascript:..." have one too.
std::string scheme_of(std::string_view ref) {
  const std::size_t colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(ref[0]))) return {};
  std::string out;
  for (char c : ref.substr(0, colon)) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '+' && c != '-' && c != '.') return {};
    out += static_cast<char>(std::tolower(u));
  }
  return out;
}

std::string cut(std::string_view s) { return std::string(s.substr(0, 200)) + (s.size() > 200 ? "..." : ""); }

struct Pending {
  pugi::xml_node element;
  std::string url;
  std::vector<std::string> chain;  // the documents above it, the MPD first
  std::string path;
};

}  // namespace

struct XlinkResolver::State {
  XlinkLimits limits;
  net::FileAccess access = net::FileAccess::kRefused;
  std::string input;
  pugi::xml_document doc;
  bool parsed = false;
  bool any = false;
  std::uint64_t next_id = 1;
  std::size_t fetches = 0;
  std::uint64_t total_bytes = 0;
  std::vector<XlinkRequest> ready;
  std::map<std::uint64_t, Pending> waiting;
  std::vector<std::string> warnings;

  void leave_out(pugi::xml_node element, const std::string& path, std::string_view url, const std::string& why) {
    warnings.push_back(path + "@xlink:href '" + cut(url) + "': " + why + "; the " +
                       std::string(detail::local_name(element.name())) + " is left out");
    element.parent().remove_child(element);
  }

  // Every remote element under `root` (itself included), breadth first; `base` is the URL of the
  // document that holds them, `chain` the documents above it.
  void scan(pugi::xml_node root, const std::string& base, const std::vector<std::string>& chain) {
    std::vector<pugi::xml_node> found;
    std::vector<pugi::xml_node> todo{root};
    while (!todo.empty()) {
      pugi::xml_node n = todo.back();
      todo.pop_back();
      if (remotable(detail::local_name(n.name())) && xlink_attr(n, "href")) {
        found.push_back(n);
        continue;  // its content is replaced: links inside it do not count
      }
      for (pugi::xml_node c = n.last_child(); c; c = c.previous_sibling())
        if (c.type() == pugi::node_element) todo.push_back(c);
    }
    for (pugi::xml_node e : found) request(e, base, chain);
  }

  void request(pugi::xml_node e, const std::string& base, const std::vector<std::string>& chain) {
    any = true;
    const std::string path = element_path(e);
    const std::string href(xlink_attr(e, "href").value());
    if (href == kResolveToZero) {
      e.parent().remove_child(e);
      return;
    }
    if (href.empty()) return leave_out(e, path, href, "empty reference");
    if (std::string scheme = scheme_of(href); !scheme.empty() && scheme != "http" && scheme != "https")
      return leave_out(e, path, href, "only http(s) and relative references are followed");
    auto url = net::resolve_reference(base, href);
    if (!url) return leave_out(e, path, href, url.error().describe());
    if (auto ok = net::check_request_url(*url, access); !ok) return leave_out(e, path, *url, ok.error().describe());
    if (chain.size() > limits.max_depth)
      return leave_out(e, path, *url, "remote elements nested deeper than " + std::to_string(limits.max_depth));
    if (std::find(chain.begin(), chain.end(), *url) != chain.end())
      return leave_out(e, path, *url, "a loop: the document links back to itself or to a document above it");
    if (fetches >= limits.max_fetches)
      return leave_out(e, path, *url, "more than " + std::to_string(limits.max_fetches) + " remote documents");
    ++fetches;
    const std::uint64_t id = next_id++;
    ready.push_back(XlinkRequest{id, *url, path});
    waiting.emplace(id, Pending{e, *url, chain, path});
  }

  void answer(Pending p, Expected<std::string, std::string> body) {
    if (!body) return leave_out(p.element, p.path, p.url, body.error());
    if (body->size() > limits.max_document_bytes)
      return leave_out(p.element, p.path, p.url,
                       "document of " + std::to_string(body->size()) + " bytes exceeds the limit of " +
                           std::to_string(limits.max_document_bytes));
    total_bytes += body->size();
    if (total_bytes > limits.max_total_bytes)
      return leave_out(p.element, p.path, p.url,
                       "remote documents exceed " + std::to_string(limits.max_total_bytes) + " bytes in total");
    pugi::xml_document remote;
    pugi::xml_parse_result res = remote.load_buffer(body->data(), body->size(),
                                                    pugi::parse_default | pugi::parse_fragment, pugi::encoding_auto);
    if (!res)
      return leave_out(p.element, p.path, p.url,
                       std::string("malformed XML at byte ") + std::to_string(res.offset) + ": " + res.description());
    const std::string_view kind = detail::local_name(p.element.name());
    std::vector<pugi::xml_node> elements;
    for (pugi::xml_node c = remote.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_pcdata &&
          std::string_view(c.value()).find_first_not_of(" \t\r\n") == std::string_view::npos)
        continue;
      if (c.type() == pugi::node_comment || c.type() == pugi::node_declaration || c.type() == pugi::node_pi) continue;
      if (c.type() != pugi::node_element || detail::local_name(c.name()) != kind)
        return leave_out(p.element, p.path, p.url,
                         "the document holds " +
                             (c.type() == pugi::node_element ? "<" + std::string(detail::local_name(c.name())) + ">"
                                                             : std::string("text")) +
                             " where only <" + std::string(kind) + "> elements may be");
      elements.push_back(c);
    }
    std::vector<std::string> chain = p.chain;
    chain.push_back(p.url);
    pugi::xml_node parent = p.element.parent();
    std::vector<pugi::xml_node> inserted;
    for (pugi::xml_node c : elements) inserted.push_back(parent.insert_copy_before(c, p.element));
    parent.remove_child(p.element);
    for (pugi::xml_node n : inserted) scan(n, p.url, chain);
  }
};

XlinkResolver::XlinkResolver(std::string_view mpd_text, std::string document_url, net::FileAccess access,
                             XlinkLimits limits)
    : s_(std::make_unique<State>()) {
  s_->limits = limits;
  s_->access = access;
  s_->input = std::string(mpd_text);
  if (mpd_text.find("href") == std::string_view::npos) return;  // the common case: no DOM at all
  if (!s_->doc.load_buffer(mpd_text.data(), mpd_text.size(), pugi::parse_default, pugi::encoding_auto)) return;
  s_->parsed = true;
  s_->scan(s_->doc.document_element(), document_url, {document_url});
}

XlinkResolver::~XlinkResolver() = default;
XlinkResolver::XlinkResolver(XlinkResolver&&) noexcept = default;
XlinkResolver& XlinkResolver::operator=(XlinkResolver&&) noexcept = default;

std::vector<XlinkRequest> XlinkResolver::take_requests() { return std::exchange(s_->ready, {}); }

void XlinkResolver::supply(std::uint64_t id, Expected<std::string, std::string> body) {
  auto it = s_->waiting.find(id);
  if (it == s_->waiting.end()) return;
  Pending p = std::move(it->second);
  s_->waiting.erase(it);
  s_->answer(std::move(p), std::move(body));
}

bool XlinkResolver::done() const { return s_->waiting.empty() && s_->ready.empty(); }

bool XlinkResolver::resolved_any() const { return s_->any; }

std::string XlinkResolver::text() const {
  if (!s_->parsed || !s_->any) return s_->input;
  std::ostringstream out;
  s_->doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return out.str();
}

const std::vector<std::string>& XlinkResolver::warnings() const { return s_->warnings; }

}  // namespace abrplay::manifest
