// Arbitrary bytes into every text parser: an error or a valid trace, never a crash or a hang.
#include <catch2/catch.hpp>

#include <random>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/abr/trace/trace_cursor.h"

using namespace abrplay::abr;  // NOLINT: test file

TEST_CASE("Trace parsers survive random and mutated input", "[trace][robustness]") {
  std::mt19937 rng(12345);  // fixed seed: the same inputs every run
  const std::string alphabet = "0123456789.-+eE \t\r\nnaifx";
  const std::string valid = "0.0\t2.29\n1.01\t1.35\n2.011\t2.92\n3.5 0\n";
  std::size_t parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      const std::size_t length = rng() % 64;
      for (std::size_t j = 0; j < length; ++j) text += alphabet[rng() % alphabet.size()];
    } else {
      text = valid;
      for (int k = 0; k < 3; ++k) text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
    }
    for (const auto& trace : {parse_pensieve_trace(text, "fuzz"), parse_mahimahi_trace(text, "fuzz")}) {
      if (!trace) {
        CHECK_FALSE(trace.error().message.empty());
        continue;
      }
      ++parsed;
      // Whatever parses is usable: positive length, some bytes, finite answers.
      REQUIRE(trace->total_duration().count() > 0);
      const TraceCursor cursor(*trace);
      const double t = cursor.time_to_deliver_s(10'000, 0.3);
      CHECK(std::isfinite(t));
      CHECK(cursor.bytes_between_s(0.3, 0.3 + t) == Approx(10'000).epsilon(1e-6));
    }
  }
  CHECK(parsed > 0);
}
