// StreamingEngine, remote elements: the MPD's xlink references fetched through the manifest's
// fetcher (retries, the local-file rule), all at once, and the MPD parsed when the last one is in
// (manifest/xlink.h has the rules). Without remote elements this is one call straight to the parse.
#include <algorithm>

#include "engine_impl.h"

namespace abrplay::engine {

void StreamingEngine::Impl::resolve_remote_elements(std::uint64_t generation) {
  PendingManifest& pending = *pending_manifest_;
  for (manifest::XlinkRequest& request : pending.resolver.take_requests())
    fetch_remote_element(std::move(request), generation);
  if (!pending.resolver.done()) return;
  PendingManifest done = std::move(*pending_manifest_);
  pending_manifest_.reset();
  const std::vector<std::string>& warnings = done.resolver.warnings();
  for (const std::string& w : warnings) {
    if (std::find(last_xlink_warnings_.begin(), last_xlink_warnings_.end(), w) == last_xlink_warnings_.end())
      warn(Error{ErrorCode::kManifestInvalidValue, url_ + ": " + w});
  }
  last_xlink_warnings_ = warnings;
  apply_manifest(done.resolver.text(), done.document_url, done.refresh);
}

void StreamingEngine::Impl::fetch_remote_element(manifest::XlinkRequest request, std::uint64_t generation) {
  net::Request req;
  req.url = request.url;
  req.priority = net::Priority::kHigh;
  req.max_body_bytes = manifest::XlinkLimits{}.max_document_bytes;
  if (config_.decorate_request) config_.decorate_request(req, RequestInfo{DownloadKind::kManifest});
  const Liveness::Watch alive = alive_.watch();
  net::FetchCallbacks cbs;
  cbs.on_complete = [this, alive, generation, id = request.id, url = request.url](net::FetchOutcome outcome) {
    if (alive.expired() || generation != generation_ || !pending_manifest_) return;
    if (!outcome && outcome.error().code == net::NetErrorCode::kCancelled) return;
    if (outcome) {
      DownloadEvent ev;
      ev.kind = DownloadKind::kManifest;
      ev.url = outcome->response.effective_url.empty() ? url : outcome->response.effective_url;
      ev.bytes = DataSize::bytes(outcome->response.body.size());
      ev.attempts = outcome->attempts;
      emit(ev);
      const auto& body = outcome->response.body;
      pending_manifest_->resolver.supply(id, std::string(body.begin(), body.end()));
    } else {
      pending_manifest_->resolver.supply(id, Unexpected{outcome.error().describe()});
    }
    resolve_remote_elements(generation);
  };
  fetcher_for({}, {}).fetch(std::move(req), std::move(cbs));
}

}  // namespace abrplay::engine
