// Player::Impl, thumbnails: Player::thumbnail_at() on the player thread. Which representation, image
// and tile (manifest/thumbnails.h), the image from the cache or fetched through the engine's
// fetchers (StreamingEngine::fetch_resource), decoded (media/image_decoder.h), then every request
// waiting for that image answered.
#include "abrplay/player/manifest/thumbnails.h"
#include "abrplay/player/manifest/segment_index.h"
#include "abrplay/player/media/image_decoder.h"
#include "player_impl.h"

namespace abrplay {

namespace {

std::string image_key(const manifest::Segment& image) {
  return image.range ? image.url + "#" + image.range->to_string() : image.url;
}

}  // namespace

void Player::Impl::thumbnail_at(microseconds time, ThumbnailDone done) {
  if (!done) return;
  loop_->post([this, time, done = std::move(done)]() mutable { do_thumbnail(time, std::move(done)); });
}

void Player::Impl::do_thumbnail(microseconds time, ThumbnailDone done) {
  const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr;
  if (!mpd) {
    done(Unexpected{Error{ErrorCode::kInvalidState, "thumbnail_at: no presentation loaded"}});
    return;
  }
  const auto track = manifest::find_thumbnail_track(*mpd, time);
  if (!track) {
    std::string why = "thumbnail_at: the presentation has no thumbnail track";
    const auto problems = manifest::thumbnail_problems(*mpd);
    if (!problems.empty()) why += " (" + problems.front() + ")";
    done(Unexpected{Error{ErrorCode::kUnsupported, std::move(why)}});
    return;
  }
  const manifest::Representation& rep =
      mpd->periods[track->period].adaptation_sets[track->adaptation_set].representations[track->representation];
  auto index = manifest::SegmentIndex::create(*mpd, track->period, track->adaptation_set, track->representation);
  if (!index) {
    done(Unexpected{index.error()});
    return;
  }
  auto tile = manifest::thumbnail_tile(*index, *rep.tiles, time);
  if (!tile) {
    done(Unexpected{tile.error()});
    return;
  }
  ThumbnailWaiter waiter{std::move(*tile), *rep.tiles, rep.id, std::move(done)};
  const std::string key = image_key(waiter.tile.image);
  if (auto cached = thumb_cache_.find(key)) {
    answer_thumbnail(waiter, *cached);
    return;
  }
  auto& waiting = thumb_waiting_[key];
  const bool in_flight = !waiting.empty();
  engine::ResourceFetch fetch;
  fetch.url = waiter.tile.image.url;
  fetch.base_urls = index->base_urls();
  fetch.range = waiter.tile.image.range;
  fetch.max_bytes = media::ImageLimits{}.max_bytes;
  waiting.push_back(std::move(waiter));
  if (in_flight) return;  // one fetch per image, however many requests wait for it
  if (thumb_fetching_ < kMaxThumbnailFetches) {
    start_thumbnail_fetch(key, std::move(fetch));
    return;
  }
  // Scrubbing asks for many images quickly: the newest matter. Beyond the queue's room the oldest
  // image not yet fetched is given up, so fetches and memory stay bounded whatever the caller does.
  thumb_queue_.emplace_back(key, std::move(fetch));
  if (thumb_queue_.size() > kMaxQueuedThumbnailImages) {
    const std::string oldest = std::move(thumb_queue_.front().first);
    thumb_queue_.pop_front();
    auto node = thumb_waiting_.extract(oldest);
    for (auto& w : node.mapped()) {
      w.done(Unexpected{Error{ErrorCode::kNetworkCancelled, oldest + ": superseded by newer thumbnail requests"}});
    }
  }
}

void Player::Impl::start_thumbnail_fetch(const std::string& key, engine::ResourceFetch fetch) {
  ++thumb_fetching_;
  const std::uint64_t generation = generation_;
  engine_->fetch_resource(std::move(fetch), [this, generation, key](Expected<std::vector<std::uint8_t>, Error> body) {
    if (generation != generation_ || !engine_) return;  // teardown answered the waiters and reset the counts
    --thumb_fetching_;
    on_thumbnail_image(key, std::move(body));
    if (!thumb_queue_.empty() && thumb_fetching_ < kMaxThumbnailFetches) {
      auto next = std::move(thumb_queue_.front());
      thumb_queue_.pop_front();
      start_thumbnail_fetch(next.first, std::move(next.second));
    }
  });
}

void Player::Impl::on_thumbnail_image(const std::string& key, Expected<std::vector<std::uint8_t>, Error> body) {
  auto node = thumb_waiting_.extract(key);
  if (node.empty()) return;
  std::vector<ThumbnailWaiter> waiters = std::move(node.mapped());
  Expected<media::VideoFrame, Error> image = body ? media::decode_image(*body)
                                                  : Expected<media::VideoFrame, Error>{Unexpected{body.error()}};
  if (!image) {
    Error e = image.error();
    if (body) e.message = key + ": " + e.message;  // a decode error names the image
    for (auto& w : waiters) w.done(Unexpected{e});
    return;
  }
  thumb_cache_.put(key, *image);
  for (auto& w : waiters) answer_thumbnail(w, *image);
}

void Player::Impl::answer_thumbnail(ThumbnailWaiter& w, const media::VideoFrame& image) {
  const auto rect = manifest::tile_rect(w.grid, w.tile.index, static_cast<std::uint32_t>(image.width),
                                        static_cast<std::uint32_t>(image.height));
  Thumbnail t;
  t.image = image;
  t.image.pts = w.tile.start;
  t.image.duration = w.tile.duration;
  t.image.representation_id = w.representation_id;
  t.tile_x = static_cast<int>(rect.x);
  t.tile_y = static_cast<int>(rect.y);
  t.tile_width = static_cast<int>(rect.width);
  t.tile_height = static_cast<int>(rect.height);
  t.start = w.tile.start;
  t.duration = w.tile.duration;
  t.representation_id = w.representation_id;
  t.url = w.tile.image.url;
  w.done(std::move(t));
}

void Player::Impl::cancel_thumbnails(const std::string& why) {
  auto waiting = std::move(thumb_waiting_);
  thumb_waiting_.clear();
  thumb_queue_.clear();
  thumb_fetching_ = 0;
  for (auto& [key, waiters] : waiting) {
    for (auto& w : waiters) w.done(Unexpected{Error{ErrorCode::kNetworkCancelled, key + ": " + why}});
  }
}

void Player::Impl::report_thumbnail_problems() {
  const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr;
  if (!mpd) return;
  for (const std::string& p : manifest::thumbnail_problems(*mpd)) {
    emit_warning(Error{ErrorCode::kManifestInvalidValue, p + ": no thumbnails from it"});
  }
}

}  // namespace abrplay
