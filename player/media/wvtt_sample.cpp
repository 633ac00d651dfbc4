// WebVTT in ISO-BMFF samples (ISO/IEC 14496-30 section 6): vttc/payl boxes -> TextCues.
#include <string>

#include "text_samples.h"

namespace abrplay::media {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::string type_name(const std::uint8_t* p) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(p[i]);
    out += c >= 0x20 && c < 0x7f ? c : '?';
  }
  return out;
}

struct Box {
  std::string type;
  std::span<const std::uint8_t> body;
  std::size_t offset = 0;  // of the box header, from the start of the sample
};

// Splits `bytes` (found at `base` in the sample) into boxes. 32-bit sizes only: a text box above
// 4 GiB cannot occur within kMaxTextSampleBytes; size 1 (64-bit) is read for completeness, size 0
// runs to the end of the range.
Expected<std::vector<Box>, std::string> split_boxes(std::span<const std::uint8_t> bytes, std::size_t base) {
  std::vector<Box> out;
  std::size_t off = 0;
  while (off < bytes.size()) {
    const std::size_t left = bytes.size() - off;
    if (left < 8) {
      return Unexpected{"byte offset " + std::to_string(base + off) + ": " + std::to_string(left) +
                        " bytes left, too few for a box header (truncated)"};
    }
    const std::uint8_t* p = bytes.data() + off;
    std::uint64_t size = be32(p);
    std::size_t header = 8;
    if (size == 1) {
      if (left < 16) return Unexpected{"byte offset " + std::to_string(base + off) + ": truncated 64-bit box size"};
      size = (std::uint64_t{be32(p + 8)} << 32) | be32(p + 12);
      header = 16;
    } else if (size == 0) {
      size = left;
    }
    const std::string type = type_name(p + 4);
    if (size < header) {
      return Unexpected{"byte offset " + std::to_string(base + off) + ": box '" + type + "' declares " +
                        std::to_string(size) + " bytes, less than its header"};
    }
    if (size > left) {
      return Unexpected{"byte offset " + std::to_string(base + off) + ": box '" + type + "' declares " +
                        std::to_string(size) + " bytes, only " + std::to_string(left) + " present (truncated)"};
    }
    out.push_back(Box{type, bytes.subspan(off + header, static_cast<std::size_t>(size) - header), base + off});
    off += static_cast<std::size_t>(size);
  }
  return out;
}

void append_entity(std::string_view name, std::string& out) {
  if (name == "amp") out += '&';
  else if (name == "lt") out += '<';
  else if (name == "gt") out += '>';
  else if (name == "nbsp") out += ' ';
  else if (name == "lrm" || name == "rlm") return;
  else out.append("&").append(name).append(";");
}

}  // namespace

std::string webvtt_cue_text(std::string_view payload) {
  std::string out;
  out.reserve(payload.size());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const char c = payload[i];
    if (c == '<') {
      const std::size_t close = payload.find('>', i);
      if (close == std::string_view::npos) break;  // an unclosed tag: drop the rest
      i = close;
    } else if (c == '&') {
      const std::size_t semi = payload.find(';', i);
      if (semi == std::string_view::npos || semi - i > 8) {
        out += c;
        continue;
      }
      append_entity(payload.substr(i + 1, semi - i - 1), out);
      i = semi;
    } else if (c != '\r') {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Expected<TextSampleResult, std::string> decode_wvtt_sample(std::span<const std::uint8_t> sample, SampleWindow window) {
  if (sample.size() > kMaxTextSampleBytes) {
    return Unexpected{"wvtt sample of " + std::to_string(sample.size()) + " bytes, above the limit of " +
                      std::to_string(kMaxTextSampleBytes)};
  }
  auto boxes = split_boxes(sample, 0);
  if (!boxes) return Unexpected{"wvtt sample: " + boxes.error()};
  TextSampleResult out;
  for (const Box& box : *boxes) {
    if (box.type != "vttc") continue;  // vtte (no cue), vtta (comment) and unknown boxes
    auto children = split_boxes(box.body, box.offset + 8);
    if (!children)
      return Unexpected{"wvtt sample: in 'vttc' at byte offset " + std::to_string(box.offset) + ": " +
                        children.error()};
    std::string text;
    bool has_payload = false;
    for (const Box& child : *children) {
      if (child.type != "payl") continue;  // iden, sttg (position: the window draws at the bottom), ctim
      has_payload = true;
      text = webvtt_cue_text(std::string_view(reinterpret_cast<const char*>(child.body.data()), child.body.size()));
    }
    if (!has_payload) {
      out.problems.push_back("wvtt sample: 'vttc' at byte offset " + std::to_string(box.offset) +
                             " has no 'payl' box (cue skipped)");
      continue;
    }
    if (out.cues.size() == kMaxCuesPerSample) {
      out.problems.push_back("wvtt sample: more than " + std::to_string(kMaxCuesPerSample) + " cues, the rest dropped");
      break;
    }
    out.cues.push_back(TextCue{window.start, window.end, std::move(text)});
  }
  return out;
}

}  // namespace abrplay::media
