// Inheritance across MPD, Period, AdaptationSet and Representation: segment information merged
// attribute by attribute, and the BaseURL chain resolved with net's URL API (see inheritance.h).
#include "inheritance.h"

#include <algorithm>
#include <type_traits>

#include "abrplay/net/url.h"

namespace abrplay::manifest::detail {
namespace {

// Base URL alternatives kept per representation (levels multiply); more is never useful.
constexpr std::size_t kMaxBaseUrls = 16;

}  // namespace

// Field-by-field merge, deepest level first (Representation, AdaptationSet, Period).
SegmentInfo merge_levels(const std::vector<const SegmentInfo*>& deep_first) {
  SegmentInfo m;
  m.path = deep_first.front()->path;
  auto pick = [&](auto member) {
    using Field = std::remove_cvref_t<decltype(m.*member)>;
    for (const SegmentInfo* s : deep_first)
      if (s->*member) return Field(s->*member);
    return Field{};
  };
  m.timescale = pick(&SegmentInfo::timescale);
  m.presentation_time_offset = pick(&SegmentInfo::presentation_time_offset);
  m.duration = pick(&SegmentInfo::duration);
  m.start_number = pick(&SegmentInfo::start_number);
  m.end_number = pick(&SegmentInfo::end_number);
  m.availability_time_offset_s = pick(&SegmentInfo::availability_time_offset_s);
  m.availability_time_complete = pick(&SegmentInfo::availability_time_complete);
  m.index_range = pick(&SegmentInfo::index_range);
  m.initialization = pick(&SegmentInfo::initialization);
  m.representation_index = pick(&SegmentInfo::representation_index);
  m.timeline = pick(&SegmentInfo::timeline);
  m.media_template = pick(&SegmentInfo::media_template);
  m.initialization_template = pick(&SegmentInfo::initialization_template);
  m.index_template = pick(&SegmentInfo::index_template);
  for (const SegmentInfo* s : deep_first) {
    if (!s->segment_urls.empty()) {
      m.segment_urls = s->segment_urls;
      break;
    }
  }
  return m;
}

MediaTime availability_offset(std::optional<double> seconds) {
  if (!seconds) return MediaTime(0);
  if (*seconds >= static_cast<double>(kMaxManifestDuration.count()) / 1e6) return kMaxManifestDuration;
  return MediaTime(static_cast<int64_t>(*seconds * 1e6));
}

Expected<BaseUrlChain, Error> resolve_base_url_chain(const Mpd& mpd, const Period& period, const AdaptationSet& as,
                                                     const Representation& rep) {
  BaseUrlChain out;
  std::vector<std::string> current{mpd.document_url};
  std::vector<BaseUrlHost> hosts{BaseUrlHost{}};
  const std::vector<std::pair<const std::vector<BaseUrl>*, std::string>> levels = {{&mpd.base_urls, "MPD"},
                                                                                   {&period.base_urls, period.path},
                                                                                   {&as.base_urls, as.path},
                                                                                   {&rep.base_urls, rep.path}};
  for (const auto& level : levels) {
    const std::vector<BaseUrl>* urls = level.first;  // not a structured binding: clang 14 cannot capture those
    const std::string& path = level.second;
    if (urls->empty()) continue;
    std::vector<std::size_t> order(urls->size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return (*urls)[a].dvb_priority < (*urls)[b].dvb_priority; });
    out.availability_offset += availability_offset((*urls)[order[0]].availability_time_offset_s);
    std::vector<std::string> next;
    std::vector<BaseUrlHost> next_hosts;
    for (std::size_t p = 0; p < current.size(); ++p) {
      for (std::size_t i : order) {
        const BaseUrl& b = (*urls)[i];
        auto r = net::resolve_reference(current[p], b.url);
        if (!r)
          return Unexpected{Error{ErrorCode::kManifestInvalidValue,
                                  path + "/BaseURL[" + std::to_string(i) + "]: " + r.error().message}};
        if (next.size() >= kMaxBaseUrls) continue;
        next.push_back(std::move(*r));
        // An absolute BaseURL names a host (a CDN): its figures count; a relative one keeps its parent's.
        next_hosts.push_back(net::is_absolute_url(b.url) ? BaseUrlHost{b.dvb_priority, b.dvb_weight, b.service_location}
                                                         : hosts[p]);
      }
    }
    current = std::move(next);
    hosts = std::move(next_hosts);
  }
  out.urls = std::move(current);
  out.hosts = std::move(hosts);
  return out;
}

}  // namespace abrplay::manifest::detail
