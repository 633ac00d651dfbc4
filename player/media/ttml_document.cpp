// TTML documents (stpp samples, side-loaded .ttml) -> TextCues: one cue per <p>, plain text.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <pugixml.hpp>

#include "text_samples.h"

namespace abrplay::media {
namespace {

using std::chrono::microseconds;

std::string_view local_name(const char* qualified) {
  std::string_view n(qualified);
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// An attribute by local name, whatever its prefix (ttp:tickRate, begin).
pugi::xml_attribute attr(pugi::xml_node n, std::string_view name) {
  for (auto a : n.attributes()) {
    if (local_name(a.name()) == name) return a;
  }
  return {};
}

std::optional<double> positive_number(const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || !std::isfinite(v) || v <= 0) return std::nullopt;
  return v;
}

// ttp:frameRate, ttp:subFrameRate, ttp:frameRateMultiplier and ttp:tickRate of the root, with the
// defaults of TTML1 6.2 (tickRate: frameRate x subFrameRate when a frame rate is given, else 1).
TtmlTimeParams time_params(pugi::xml_node tt, std::vector<std::string>& problems) {
  TtmlTimeParams p;
  const auto read = [&](std::string_view name, double& into) {
    const auto a = attr(tt, name);
    if (!a) return false;
    if (auto v = positive_number(a.value())) {
      into = *v;
      return true;
    }
    problems.push_back("TTML: tt@" + std::string(name) + " '" + a.value() + "' is not a positive number (ignored)");
    return false;
  };
  const bool has_frame_rate = read("frameRate", p.frame_rate);
  read("subFrameRate", p.sub_frame_rate);
  if (const auto m = attr(tt, "frameRateMultiplier")) {
    double num = 0, den = 0;
    char* end = nullptr;
    num = std::strtod(m.value(), &end);
    den = end != m.value() ? std::strtod(end, nullptr) : 0;
    if (std::isfinite(num) && std::isfinite(den) && num > 0 && den > 0) {
      p.frame_rate = p.frame_rate * num / den;
    } else {
      problems.push_back(std::string("TTML: tt@frameRateMultiplier '") + m.value() + "' is not 'num den' (ignored)");
    }
  }
  if (!read("tickRate", p.tick_rate) && has_frame_rate) p.tick_rate = p.frame_rate * p.sub_frame_rate;
  return p;
}

struct Interval {
  microseconds begin{0};
  std::optional<microseconds> end;  // nullopt: open (until the end of the document or sample)
  bool timed = false;               // an element on the way set begin, end or dur
};

class Reader {
 public:
  // `open_end`: what an interval left open ends at (the sample's end; nullopt for a whole file).
  Reader(TtmlTimeParams params, std::optional<microseconds> open_end, TextSampleResult& out)
      : params_(params), open_end_(open_end), out_(out) {}

  // Walks `n` (its path for messages) under the interval of its parent.
  void walk(pugi::xml_node n, const std::string& path, const Interval& parent, int depth) {
    if (depth > kMaxTtmlDepth) {
      note(path + ": nested deeper than " + std::to_string(kMaxTtmlDepth) + " elements (skipped)");
      return;
    }
    auto iv = interval_of(n, path, parent);
    if (!iv) return;
    if (local_name(n.name()) == "p") {
      add_cue(n, path, *iv);
      return;
    }
    std::size_t index = 0;
    for (auto child : n.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view name = local_name(child.name());
      if (name != "div" && name != "p") continue;  // metadata, set, animation, ...
      if (full_) return;
      walk(child, path + "/" + std::string(name) + "[" + std::to_string(index++) + "]", *iv, depth + 1);
    }
  }

 private:
  void note(std::string problem) {
    if (out_.problems.size() < kMaxProblems) out_.problems.push_back(std::move(problem));
  }

  std::optional<microseconds> time_attr(pugi::xml_node n, std::string_view name, const std::string& path, bool& bad) {
    const auto a = attr(n, name);
    if (!a) return std::nullopt;
    auto t = parse_ttml_time(a.value(), params_);
    if (!t) {
      note(path + ": @" + std::string(name) + " '" + std::string(a.value()).substr(0, 40) +
           "' is not a TTML time expression (element skipped)");
      bad = true;
    }
    return t;
  }

  // The element's interval: begin and end relative to its parent's begin (par time containment),
  // dur from its own begin, clipped to the parent's end. Nullopt when a time cannot be read.
  std::optional<Interval> interval_of(pugi::xml_node n, const std::string& path, const Interval& parent) {
    bool bad = false;
    const auto begin = time_attr(n, "begin", path, bad);
    const auto end = time_attr(n, "end", path, bad);
    const auto dur = time_attr(n, "dur", path, bad);
    if (bad) return std::nullopt;
    Interval iv;
    iv.timed = parent.timed || begin || end || dur;
    iv.begin = parent.begin + begin.value_or(microseconds{0});
    if (end) iv.end = parent.begin + *end;
    if (dur) iv.end = iv.end ? std::min(*iv.end, iv.begin + *dur) : iv.begin + *dur;
    if (!iv.end) iv.end = parent.end;
    if (iv.end && parent.end) iv.end = std::min(*iv.end, *parent.end);
    return iv;
  }

  // Plain text of `n`: text with whitespace runs collapsed (xml:space default), <br/> as a line
  // break, spans flattened; metadata and animation elements dropped. Timed spans widen an untimed
  // paragraph's interval (some packagers time only the spans).
  void text_of(pugi::xml_node n, const Interval& p, std::string& text, Interval& spans, int depth) {
    if (depth > kMaxTtmlDepth) return;
    for (auto child : n.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        for (const char* c = child.value(); *c != '\0'; ++c) {
          const bool space = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
          if (!space) text += *c;
          else if (!text.empty() && text.back() != ' ' && text.back() != '\n') text += ' ';
        }
        continue;
      }
      if (child.type() != pugi::node_element) continue;
      const std::string_view name = local_name(child.name());
      if (name == "br") {
        while (!text.empty() && text.back() == ' ') text.pop_back();
        text += '\n';
      } else if (name == "span") {
        bool bad = false;
        const auto b = time_attr(child, "begin", "span", bad);
        const auto e = time_attr(child, "end", "span", bad);
        if (!bad && (b || e)) {
          const microseconds sb = p.begin + b.value_or(microseconds{0});
          spans.begin = spans.timed ? std::min(spans.begin, sb) : sb;
          if (e) spans.end = spans.end ? std::max(*spans.end, p.begin + *e) : p.begin + *e;
          spans.timed = true;
        }
        text_of(child, p, text, spans, depth + 1);
      }
    }
  }

  void add_cue(pugi::xml_node n, const std::string& path, Interval iv) {
    std::string text;
    Interval spans;
    text_of(n, iv, text, spans, 0);
    // Trim spaces at line ends and blank lines at both ends.
    std::string clean;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == ' ' && (i + 1 == text.size() || text[i + 1] == '\n' || clean.empty() || clean.back() == '\n')) {
        continue;
      }
      clean += text[i];
    }
    while (!clean.empty() && clean.back() == '\n') clean.pop_back();
    clean.erase(0, clean.find_first_not_of('\n'));
    if (clean.empty()) return;
    if (!iv.timed && spans.timed) {
      iv.begin = spans.begin;
      iv.end = spans.end ? spans.end : iv.end;
      iv.timed = true;
    }
    if (!iv.end) {
      iv.end = open_end_;
      if (!iv.end) {
        note(path + ": no end time and no sample to end with (cue skipped)");
        return;
      }
    }
    if (*iv.end <= iv.begin) return;  // empty interval: never shown
    if (out_.cues.size() == kMaxCuesPerSample) {
      note("TTML: more than " + std::to_string(kMaxCuesPerSample) + " cues, the rest dropped");
      full_ = true;
      return;
    }
    out_.cues.push_back(TextCue{iv.begin, *iv.end, std::move(clean)});
  }

  static constexpr std::size_t kMaxProblems = 20;
  TtmlTimeParams params_;
  std::optional<microseconds> open_end_;
  TextSampleResult& out_;
  bool full_ = false;  // kMaxCuesPerSample reached
};

bool overlaps(const TextCue& c, const SampleWindow& w) { return c.start < w.end && c.end > w.start; }

}  // namespace

Expected<TextSampleResult, std::string> decode_ttml_document(std::string_view document,
                                                             std::optional<SampleWindow> window) {
  if (document.size() > kMaxTextSampleBytes) {
    return Unexpected{"TTML document of " + std::to_string(document.size()) + " bytes, above the limit of " +
                      std::to_string(kMaxTextSampleBytes)};
  }
  pugi::xml_document doc;
  // parse_ws_pcdata keeps the space between two spans; no DOCTYPE entity is ever expanded by pugixml.
  const auto parsed = doc.load_buffer(document.data(), document.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                                      pugi::encoding_utf8);
  if (!parsed) {
    return Unexpected{"TTML: ill-formed XML at byte offset " + std::to_string(parsed.offset) + ": " +
                      parsed.description()};
  }
  const pugi::xml_node tt = doc.document_element();
  if (local_name(tt.name()) != "tt") {
    return Unexpected{"TTML: the root element is <" + std::string(tt.name()) + ">, not <tt>"};
  }
  TextSampleResult out;
  const TtmlTimeParams params = time_params(tt, out.problems);
  pugi::xml_node body;
  for (auto child : tt.children()) {
    if (child.type() == pugi::node_element && local_name(child.name()) == "body") body = child;
  }
  if (!body) return out;  // a document without a body: no cue (an empty sample)
  Reader reader(params, window ? std::optional<microseconds>(window->end) : std::nullopt, out);
  reader.walk(body, "tt/body", Interval{}, 0);
  if (!window || out.cues.empty()) return out;

  // Times relative to the sample (not the track, as 14496-30 5.3 says): nothing inside the window,
  // everything inside it once moved by the window's start.
  const bool none_inside = std::none_of(out.cues.begin(), out.cues.end(),
                                        [&](const TextCue& c) { return overlaps(c, *window); });
  if (none_inside && window->start > microseconds{0}) {
    const bool all_fit = std::all_of(out.cues.begin(), out.cues.end(), [&](const TextCue& c) {
      return c.start + window->start >= window->start && c.start + window->start < window->end;
    });
    if (all_fit) {
      for (auto& c : out.cues) {
        c.start += window->start;
        c.end += window->start;
      }
    }
  }
  // A sample's document is shown only during the sample.
  std::vector<TextCue> kept;
  for (auto& c : out.cues) {
    if (!overlaps(c, *window)) continue;
    c.start = std::max(c.start, window->start);
    c.end = std::min(c.end, window->end);
    kept.push_back(std::move(c));
  }
  out.cues = std::move(kept);
  return out;
}

}  // namespace abrplay::media
