#include "low_latency.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include <pugixml.hpp>

namespace abrplay::origin {

namespace {

std::uint64_t be(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

Expected<std::vector<std::uint64_t>, std::string> cmaf_chunk_ends(const Body& body) {
  const std::uint64_t size = body.size();
  std::vector<std::uint64_t> ends;
  std::uint64_t at = 0;
  while (at < size) {
    std::array<unsigned char, 16> h{};
    const std::size_t got = body.read(static_cast<std::size_t>(at), h.size(), reinterpret_cast<char*>(h.data()));
    if (got < 8) return Unexpected{"box header at byte " + std::to_string(at) + " is cut off"};
    std::uint64_t box = be(h.data(), 4);
    const std::string type(reinterpret_cast<const char*>(h.data() + 4), 4);
    if (box == 1) {
      if (got < 16) return Unexpected{"'" + type + "' box at byte " + std::to_string(at) + ": 64-bit size cut off"};
      box = be(h.data() + 8, 8);
      if (box < 16) return Unexpected{"'" + type + "' box at byte " + std::to_string(at) + ": size below its header"};
    } else if (box == 0) {
      box = size - at;  // to the end of the file
    } else if (box < 8) {
      return Unexpected{"'" + type + "' box at byte " + std::to_string(at) + ": size " + std::to_string(box) +
                        " is below its header"};
    }
    if (box > size - at) {
      return Unexpected{"'" + type + "' box at byte " + std::to_string(at) + " (" + std::to_string(box) +
                        " bytes) runs past the end of the segment (" + std::to_string(size) + " bytes)"};
    }
    at += box;
    if (type == "mdat") ends.push_back(at);
  }
  if (ends.empty() || ends.back() != size) {
    if (!ends.empty()) ends.back() = size;  // boxes after the last mdat travel with it
    else ends.push_back(size);
  }
  return ends;
}

std::vector<WallTime> chunk_availability(WallTime start, WallTime end, std::size_t chunks) {
  std::vector<WallTime> out;
  out.reserve(chunks);
  const auto span = end - start;
  for (std::size_t j = 0; j < chunks; ++j) {
    out.push_back(start + span * static_cast<long long>(j + 1) / static_cast<long long>(chunks));
  }
  return out;
}

void describe_low_latency(pugi::xml_node mpd, const LowLatencyParams& params, std::chrono::microseconds max_segment) {
  while (pugi::xml_node old = mpd.child("ServiceDescription")) mpd.remove_child(old);
  pugi::xml_node period = mpd.child("Period");
  pugi::xml_node sd = period ? mpd.insert_child_before("ServiceDescription", period)
                             : mpd.append_child("ServiceDescription");
  sd.append_attribute("id").set_value(0);
  pugi::xml_node latency = sd.append_child("Latency");
  latency.append_attribute("referenceId").set_value(0);
  latency.append_attribute("target").set_value(static_cast<long long>(params.target_latency.count()));
  latency.append_attribute("min").set_value(static_cast<long long>(params.min_latency.count()));
  latency.append_attribute("max").set_value(static_cast<long long>(params.max_latency.count()));
  pugi::xml_node rate = sd.append_child("PlaybackRate");
  rate.append_attribute("min").set_value(fixed(params.min_playback_rate, 2).c_str());
  rate.append_attribute("max").set_value(fixed(params.max_playback_rate, 2).c_str());

  const auto offset = std::max(std::chrono::microseconds(0),
                               max_segment - std::chrono::duration_cast<std::chrono::microseconds>(params.chunk));
  const std::string offset_s = fixed(static_cast<double>(offset.count()) / 1e6, 3);
  for (pugi::xpath_node x : mpd.select_nodes(".//SegmentTemplate")) {
    pugi::xml_node t = x.node();
    for (const char* name : {"availabilityTimeOffset", "availabilityTimeComplete"}) t.remove_attribute(name);
    t.append_attribute("availabilityTimeOffset").set_value(offset_s.c_str());
    t.append_attribute("availabilityTimeComplete").set_value("false");
  }
}

httplib::ContentProviderWithoutLength chunked_live_body(std::shared_ptr<Body> body, std::vector<std::uint64_t> ends,
                                                        std::vector<WallTime> chunk_times,
                                                        std::function<WallTime()> wall_clock, StopSignal& stop,
                                                        httplib::ContentProvider paced) {
  return [body = std::move(body), ends = std::move(ends), times = std::move(chunk_times), clock = std::move(wall_clock),
          &stop, paced = std::move(paced)](std::size_t offset, httplib::DataSink& sink) {
    if (ends.empty() || offset >= ends.back()) {
      sink.done();
      return true;
    }
    const auto j = static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), offset) - ends.begin());
    // Polled, so that a clock moved by hand (tests) releases the chunk within 10 ms.
    for (;;) {
      const auto left = times.at(j) - clock();
      if (left <= WallTime::duration::zero()) break;
      if (!stop.wait_for(std::min<std::chrono::steady_clock::duration>(
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(left), std::chrono::milliseconds(10))))
        return false;
    }
    return paced(offset, static_cast<std::size_t>(ends[j] - offset), sink);
  };
}

}  // namespace abrplay::origin
