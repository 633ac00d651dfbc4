// StreamingEngine, manifest side: fetching and refreshing the MPD, UTCTiming clock sync, where
// playback starts, and the tracks of each period.
#include <algorithm>

#include "abrplay/net/url.h"
#include "abrplay/player/engine/utc_timing.h"
#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/playable.h"
#include "engine_impl.h"
#include "net_error_code.h"

namespace abrplay::engine {

namespace {

std::string first_token(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find(' ', b) - b);
}

}  // namespace

Error StreamingEngine::Impl::load(std::string url) {
  if (state_ != EngineState::kIdle) {
    return Error{ErrorCode::kInvalidState,
                 "load('" + url + "'): the engine is " + std::string(to_string(state_)) + "; call stop() first"};
  }
  if (const char* bad = validate(config_.load); *bad != '\0') {
    return Error{ErrorCode::kInvalidArgument, std::string("EngineConfig::load: ") + bad};
  }
  url_ = std::move(url);
  file_access_ = net::file_access_for(url_);
  set_state(EngineState::kLoading);
  fetch_manifest(false);
  return Error{};
}

void StreamingEngine::Impl::fetch_manifest(bool refresh) {
  net::Request req;
  req.url = url_;
  req.priority = net::Priority::kHigh;
  if (config_.decorate_request) config_.decorate_request(req, RequestInfo{DownloadKind::kManifest});
  const std::uint64_t generation = generation_;
  const Liveness::Watch alive = alive_.watch();
  net::FetchCallbacks cbs;
  cbs.on_complete = [this, alive, generation, refresh](net::FetchOutcome outcome) {
    if (!alive.expired()) on_manifest(generation, refresh, std::move(outcome));
  };
  fetcher_for({}, {}).fetch(std::move(req), std::move(cbs));
}

void StreamingEngine::Impl::on_manifest(std::uint64_t generation, bool refresh, net::FetchOutcome outcome) {
  if (generation != generation_ || state_ == EngineState::kError || state_ == EngineState::kIdle) return;
  if (!outcome) {
    if (outcome.error().code == net::NetErrorCode::kCancelled) return;
    Error e{code_of(outcome.error().code), "MPD " + outcome.error().describe()};
    if (refresh) {
      warn(e);  // keep playing what is known; try again at the next period
      schedule_refresh();
    } else {
      fatal(e);
    }
    return;
  }
  DownloadEvent ev;
  ev.kind = DownloadKind::kManifest;
  ev.url = url_;
  ev.bytes = DataSize::bytes(outcome->response.body.size());
  ev.attempts = outcome->attempts;
  emit(ev);
  std::string document_url = outcome->response.effective_url.empty() ? url_ : outcome->response.effective_url;
  const auto& body = outcome->response.body;
  manifest::XlinkResolver resolver(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()),
                                   document_url, file_access_);
  pending_manifest_.emplace(PendingManifest{std::move(resolver), std::move(document_url), refresh});
  resolve_remote_elements(generation);
}

void StreamingEngine::Impl::apply_manifest(const std::string& text, const std::string& document_url, bool refresh) {
  manifest::ParseOptions options;
  options.document_url = document_url;
  auto parsed = manifest::parse_mpd(text, options);
  if (parsed) parsed = manifest::make_playable(std::move(*parsed));
  if (!parsed) {
    Error e = parsed.error();
    e.message = url_ + ": " + e.message;
    if (refresh) {
      warn(e);
      schedule_refresh();
    } else {
      fatal(e);
    }
    return;
  }
  // Ignored attributes are said once: on a refresh, only the warnings the last version did not have.
  for (const std::string& w : parsed->warnings) {
    if (refresh && mpd_ && std::find(mpd_->warnings.begin(), mpd_->warnings.end(), w) != mpd_->warnings.end()) continue;
    warn(Error{ErrorCode::kManifestInvalidValue, url_ + ": " + w});
  }
  mpd_ = std::move(*parsed);
  if (refresh) {
    for (auto& l : loaders_) l->refresh_indices();
    schedule_refresh();
    pump_all();
    return;
  }
  begin_steering([this, generation = generation_] {
    if (generation != generation_ || state_ != EngineState::kLoading) return;
    if (mpd_->is_dynamic()) {
      sync_clock(0, generation_);
    } else {
      start_presentation();
    }
  });
}

void StreamingEngine::Impl::sync_clock(std::size_t i, std::uint64_t generation) {
  if (generation != generation_ || state_ != EngineState::kLoading) return;
  const auto& timings = mpd_->utc_timings;
  if (i >= timings.size()) {
    if (!timings.empty() || mpd_->is_dynamic()) {
      warn(Error{ErrorCode::kUnsupported, url_ + ": no usable UTCTiming; trusting the local clock for live timing"});
    }
    anchor_live_time();
    start_presentation();
    return;
  }
  const auto& t = timings[i];
  const UtcScheme scheme = utc_scheme(t.scheme_id_uri);
  if (scheme == UtcScheme::kUnsupported) return sync_clock(i + 1, generation);
  const WallTime sent = loop_.clock().wall();
  if (scheme == UtcScheme::kDirect) {
    auto server = parse_utc_body(t.value);
    if (!server) {
      warn(
          Error{ErrorCode::kManifestInvalidValue, "MPD/UTCTiming[" + std::to_string(i) + "]@value: " + server.error()});
      return sync_clock(i + 1, generation);
    }
    clock_offset_ = *server - sent;
    anchor_live_time();
    start_presentation();
    return;
  }
  net::Request req;
  req.url = first_token(t.value);
  req.priority = net::Priority::kHigh;
  if (config_.decorate_request) config_.decorate_request(req, RequestInfo{DownloadKind::kClockSync});
  const Liveness::Watch alive = alive_.watch();
  net::FetchCallbacks cbs;
  cbs.on_complete = [this, alive, generation, i, scheme, sent](net::FetchOutcome outcome) {
    if (alive.expired() || generation != generation_) return;
    const WallTime received = loop_.clock().wall();
    Expected<WallTime, std::string> server = Unexpected{std::string()};
    if (!outcome) {
      server = Unexpected{outcome.error().describe()};
    } else if (scheme == UtcScheme::kHttpHead) {
      auto date = outcome->response.header("date");
      server = date ? parse_http_date(*date)
                    : Expected<WallTime, std::string>(Unexpected{std::string("no Date header")});
    } else {
      const auto& b = outcome->response.body;
      server = parse_utc_body(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    }
    if (!server) {
      warn(Error{ErrorCode::kNetworkHttpStatus, "UTCTiming " + mpd_->utc_timings[i].value + ": " + server.error()});
      sync_clock(i + 1, generation);
      return;
    }
    clock_offset_ = engine::clock_offset(sent, received, *server);
    anchor_live_time();
    DownloadEvent ev;
    ev.kind = DownloadKind::kClockSync;
    ev.url = mpd_->utc_timings[i].value;
    emit(ev);
    start_presentation();
  };
  fetcher_for({}, {}).fetch(std::move(req), std::move(cbs));
}

const TrackSelection* StreamingEngine::Impl::selection(std::size_t period) {
  auto it = selections_.find(period);
  if (it != selections_.end()) return &it->second;
  auto sel = select_tracks(mpd_->periods.at(period), prefs_, *codecs_);
  if (!sel) {
    fatal(sel.error());
    return nullptr;
  }
  return &selections_.emplace(period, std::move(*sel)).first->second;
}

std::size_t StreamingEngine::Impl::period_at(MediaTime t) const {
  std::size_t p = 0;
  for (std::size_t i = 0; i < mpd_->periods.size(); ++i) {
    if (mpd_->periods[i].start <= t) p = i;
  }
  return p;
}

void StreamingEngine::Impl::enter(TrackLoader& l, std::size_t period, MediaTime from) {
  const TrackSelection* sel = selection(period);
  if (sel == nullptr) return;
  const SelectedTrack* track = sel->find(l.type());
  if (track == nullptr) {
    l.finish();  // this period has no such track: the track ends here
    return;
  }
  l.enter_period(period, *track, from);
}

void StreamingEngine::Impl::start_presentation() {
  MediaTime start = mpd_->periods.empty() ? MediaTime{0} : mpd_->periods.front().start;
  if (mpd_->is_dynamic() && mpd_->availability_start_time) {
    // The distance behind the edge: live_delay, else the target latency, else the MPD's
    // suggestedPresentationDelay, else 3 segments.
    const auto catchup = catchup_params();
    const MediaTime delay = config_.live_delay.value_or(
        catchup ? catchup->target
                : mpd_->suggested_presentation_delay.value_or(
                      3 * mpd_->max_segment_duration.value_or(std::chrono::seconds(2))));
    const MediaTime edge = std::chrono::duration_cast<MediaTime>(live_now() - *mpd_->availability_start_time);
    start = std::max(start, edge - delay);
  }
  const std::size_t period = period_at(start);
  const TrackSelection* sel = selection(period);
  if (sel == nullptr) return;
  std::vector<TrackType> types;
  for (const auto& t : sel->tracks) {
    loaders_.push_back(std::make_unique<TrackLoader>(*this, t.type, limits_of(t.type)));
    loaders_.back()->enter_period(period, t, start);
    types.push_back(t.type);
  }
  position_ = start;
  seek_target_.reset();
  if (rate_ != 1.0) {  // a new presentation starts at normal speed
    rate_ = 1.0;
    consumer_.set_rate(rate_);
  }
  consumer_.attach(*this, types, start);
  set_state(EngineState::kBuffering);
  schedule_refresh();
  pump_all();
}

void StreamingEngine::Impl::schedule_refresh() {
  if (refresh_timer_ != 0) loop_.cancel(refresh_timer_);
  refresh_timer_ = 0;
  if (!mpd_ || !mpd_->is_dynamic() || !mpd_->minimum_update_period) return;
  // A minimumUpdatePeriod of 0 means "refresh whenever you like": once a second then.
  const MediaTime every = std::max(*mpd_->minimum_update_period, MediaTime(std::chrono::milliseconds(1000)));
  const Liveness::Watch alive = alive_.watch();
  const std::uint64_t generation = generation_;
  refresh_timer_ = loop_.post_after(every, [this, alive, generation] {
    if (alive.expired() || generation != generation_) return;
    refresh_timer_ = 0;
    fetch_manifest(true);
  });
}

}  // namespace abrplay::engine
