// libFuzzer target: the text sample decoders (text_samples.h) on arbitrary bytes, each input read
// as a wvtt sample and as a TTML document (in a sample window and as a whole file). On success the
// result must be bounded and consistent: at most kMaxCuesPerSample cues, each a non-empty interval,
// inside the window when there is one. Built only with -DABRPLAY_FUZZ=ON and clang; seeds are in
// tests/data/text-samples (tests/fuzz/run-fuzzers).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "../text_samples.h"

using namespace abrplay::media;

namespace {

void check(const TextSampleResult& r, const SampleWindow* window) {
  if (r.cues.size() > kMaxCuesPerSample) std::abort();
  for (const auto& c : r.cues) {
    if (c.end <= c.start) std::abort();
    if (window != nullptr && (c.start < window->start || c.end > window->end)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const SampleWindow window{std::chrono::seconds(4), std::chrono::seconds(8)};
  const std::span<const uint8_t> bytes(data, size);
  if (auto r = decode_wvtt_sample(bytes, window)) check(*r, &window);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto r = decode_ttml_document(text, window)) check(*r, &window);
  if (auto r = decode_ttml_document(text, std::nullopt)) check(*r, nullptr);
  for (std::size_t n = 0; n < size && n < 64; n += 8) {
    (void)parse_ttml_time(text.substr(0, n), TtmlTimeParams{});
  }
  return 0;
}
