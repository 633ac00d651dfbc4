// StreamingEngine::fetch_resource: a presentation resource outside the loaders (thumbnail images),
// through the same fetchers, URL rule and request decoration as segments.
#include "engine_impl.h"
#include "net_error_code.h"

namespace abrplay::engine {

void StreamingEngine::Impl::fetch_resource(ResourceFetch r, ResourceDone done) {
  const std::uint64_t generation = generation_;
  if (state_ == EngineState::kIdle || state_ == EngineState::kError || !mpd_) {
    done(Unexpected{Error{ErrorCode::kNetworkCancelled, r.url + ": no presentation loaded"}});
    return;
  }
  net::Request req;
  std::vector<std::string> hosts;
  const auto& bases = r.base_urls;
  // As TrackLoader::start_fetch: a URL under the first base is sent relative, so the Fetcher picks
  // (and fails over between) the CDNs.
  if (!bases.empty() && r.url.size() > bases.front().size() &&
      r.url.compare(0, bases.front().size(), bases.front()) == 0 && bases.front().back() == '/') {
    req.url = r.url.substr(bases.front().size());
    hosts = bases;
  } else {
    req.url = r.url;
  }
  if (r.range) req.range = net::ByteRange{r.range->first, r.range->last};
  req.max_body_bytes = r.max_bytes;
  req.priority = net::Priority::kNormal;
  if (config_.decorate_request) config_.decorate_request(req, RequestInfo{r.kind, r.track});
  const Liveness::Watch alive = alive_.watch();
  net::FetchCallbacks cbs;
  cbs.on_complete = [this, alive, generation, url = r.url, done = std::move(done)](net::FetchOutcome outcome) {
    if (alive.expired()) return;
    if (generation != generation_) {
      done(Unexpected{Error{ErrorCode::kNetworkCancelled, url + ": cancelled by stop()"}});
    } else if (!outcome) {
      done(Unexpected{Error{code_of(outcome.error().code), outcome.error().describe()}});
    } else {
      done(std::move(outcome->response.body));
    }
  };
  fetcher_for(hosts, {}).fetch(std::move(req), std::move(cbs));
}

}  // namespace abrplay::engine
