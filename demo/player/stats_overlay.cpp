#include "stats_overlay.h"

#include <cstdio>
#include <string>

namespace abrplay::demo {
namespace {

double seconds(std::chrono::microseconds us) { return std::chrono::duration<double>(us).count(); }

// `v` with `decimals` digits after the point.
std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

bool StatsOverlay::sample(const PlayerStats& s, std::chrono::steady_clock::time_point now) {
  last_ = s;
  if (last_column_ && now - *last_column_ < kSampleInterval) return false;
  last_column_ = now;
  bitrate_kbps_.push_back(static_cast<double>(s.video_bitrate_bps) / 1000);
  buffer_s_.push_back(seconds(s.video_buffer));
  if (bitrate_kbps_.size() > kColumns) bitrate_kbps_.pop_front();
  if (buffer_s_.size() > kColumns) buffer_s_.pop_front();
  return true;
}

media::SdlOverlay StatsOverlay::overlay() const {
  const PlayerStats& s = last_;
  media::SdlOverlay o;
  o.lines.push_back("BITRATE " + fixed(static_cast<double>(s.video_bitrate_bps) / 1000, 0) + " KBIT/S  " +
                    std::to_string(s.video_width) + "X" + std::to_string(s.video_height));
  o.lines.push_back("BUFFER " + fixed(seconds(s.video_buffer), 1) + " S  AUDIO " + fixed(seconds(s.audio_buffer), 1) +
                    " S");
  o.lines.push_back("THROUGHPUT " + (s.throughput_kbps ? fixed(*s.throughput_kbps, 0) + " KBIT/S" : std::string("-")));
  o.lines.push_back("DROPPED " + std::to_string(s.frames_dropped) + " OF " +
                    std::to_string(s.frames_dropped + s.frames_presented) + " FRAMES");
  o.lines.push_back("STALLS " + std::to_string(s.stalls) + " (" + fixed(seconds(s.stall_time), 1) + " S)  SWITCHES " +
                    std::to_string(s.switches));
  o.lines.push_back("ABR " + s.abr);
  o.graphs.push_back({"BITRATE, LAST 60 S", {bitrate_kbps_.begin(), bitrate_kbps_.end()}, 0});
  o.graphs.push_back({"BUFFER, LAST 60 S", {buffer_s_.begin(), buffer_s_.end()}, 0});
  return o;
}

}  // namespace abrplay::demo
