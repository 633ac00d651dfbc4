// abrplay-fetch: fetch URLs through abrplay's net layer and print, per transfer, the status,
// bytes, time and throughput.
//
//   abrplay-fetch URL... [-o FILE] [--range A-B] [--parallel N] [--json]
//
// Bodies are discarded unless -o names a file ("-" for stdout; only with one URL). Exit status:
// 0 when every transfer succeeded, 1 when one failed, 2 for a bad command line.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/net/fetcher.h"
#include "abrplay/net/http_client.h"

namespace {

using abrplay::net::ByteRange;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != stdout) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// "A-B" or "A-": the inclusive byte range of HTTP. Nothing on a malformed value.
std::optional<ByteRange> parse_range(const std::string& text) {
  const auto dash = text.find('-');
  if (dash == std::string::npos || dash == 0) return std::nullopt;
  auto digits = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  const std::string a = text.substr(0, dash);
  const std::string b = text.substr(dash + 1);
  if (!digits(a) || (!b.empty() && !digits(b))) return std::nullopt;
  ByteRange r{std::stoull(a), std::nullopt};
  if (!b.empty()) r.last = std::stoull(b);
  if (r.last && *r.last < r.first) return std::nullopt;
  return r;
}

struct Row {
  std::string url;
  abrplay::net::FetchOutcome outcome;
};

nlohmann::json to_json(const Row& row) {
  nlohmann::json j;
  j["url"] = row.url;
  if (!row.outcome) {
    const auto& e = row.outcome.error();
    j["ok"] = false;
    j["error"] = {{"code", std::string(to_string(e.code))}, {"message", e.message}, {"status", e.http_status}};
    return j;
  }
  const auto& r = row.outcome->response;
  const double seconds = std::chrono::duration<double>(r.timing.total).count();
  j["ok"] = true;
  j["status"] = r.status;
  j["bytes"] = r.bytes_received;
  j["seconds"] = seconds;
  j["throughput_bps"] = seconds > 0 ? static_cast<double>(r.bytes_received) * 8.0 / seconds : 0.0;
  j["ttfb_ms"] = std::chrono::duration<double, std::milli>(r.timing.ttfb).count();
  j["queue_wait_ms"] = std::chrono::duration<double, std::milli>(r.timing.queue_wait).count();
  j["connection_reused"] = r.connection_reused;
  j["http_version"] = r.http_version;
  j["effective_url"] = r.effective_url;
  j["attempts"] = row.outcome->attempts;
  return j;
}

void print_text(const Row& row) {
  if (!row.outcome) {
    std::cout << "FAIL  " << row.outcome.error().describe() << "\n";
    return;
  }
  const nlohmann::json j = to_json(row);
  char line[160];
  std::snprintf(line, sizeof line, "%3d  %12llu B  %8.3f s  %9.2f Mbit/s  ttfb %7.1f ms  %s  ", j["status"].get<int>(),
                static_cast<unsigned long long>(j["bytes"].get<std::uint64_t>()), j["seconds"].get<double>(),
                j["throughput_bps"].get<double>() / 1e6, j["ttfb_ms"].get<double>(),
                j["connection_reused"].get<bool>() ? "reused" : "new   ");
  std::cout << line << row.url << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fetch URLs with abrplay's net layer (one libcurl thread, connection reuse, HTTP/2)"};
  std::vector<std::string> urls;
  std::string output;
  std::string range_text;
  int parallel = 1;
  int attempts = 1;
  bool json = false;
  bool verbose = false;
  std::string ca_file;
  app.add_option("URL", urls, "http:// or https:// URLs")->required();
  app.add_option("-o,--output", output, "write the body to FILE ('-' = stdout); one URL only");
  app.add_option("--range", range_text, "byte range A-B or A- (inclusive, as HTTP writes it)");
  app.add_option("--parallel", parallel, "transfers at once")->check(CLI::Range(1, 256));
  app.add_option("--attempts", attempts, "attempts per URL, with backoff (1 = no retry)")->check(CLI::Range(1, 10));
  app.add_option("--cacert", ca_file, "extra CA bundle (PEM) for https")->check(CLI::ExistingFile);
  app.add_flag("--json", json, "print one JSON array instead of text");
  app.add_flag("-v,--verbose", verbose, "print curl's log (headers, connection reuse) to stderr");
  CLI11_PARSE(app, argc, argv);

  std::optional<ByteRange> range;
  if (!range_text.empty() && !(range = parse_range(range_text))) {
    std::cerr << "abrplay-fetch: --range '" << range_text << "' is not A-B or A-\n";
    return 2;
  }
  if (!output.empty() && urls.size() != 1) {
    std::cerr << "abrplay-fetch: -o takes one URL, got " << urls.size() << "\n";
    return 2;
  }
  FilePtr out;
  if (!output.empty()) {
    out.reset(output == "-" ? stdout : std::fopen(output.c_str(), "wb"));
    if (!out) {
      std::cerr << "abrplay-fetch: cannot open '" << output << "' for writing\n";
      return 2;
    }
  }

  abrplay::net::ClientOptions options;
  options.max_active_transfers = parallel;
  options.ca_file = ca_file;
  options.curl_verbose = verbose;
  if (verbose) options.log = [](abrplay::net::LogLevel, std::string_view text) { std::cerr << text << "\n"; };
  abrplay::net::ThreadExecutor owner("fetch-owner");  // outlives the client, which posts to it
  abrplay::net::HttpClient client(options);
  abrplay::net::FetcherConfig config;
  config.retry.max_attempts = attempts;
  abrplay::net::Fetcher fetcher(client, owner, config);

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<Row>> rows(urls.size());
  std::size_t done = 0;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    abrplay::net::Request req;
    req.url = urls[i];
    req.range = range;
    req.max_body_bytes = 1ull << 40;  // a tool for people: no practical limit
    abrplay::net::FetchCallbacks cbs;
    // Bodies are streamed, to the file or nowhere, so memory stays flat for any size.
    cbs.on_chunk = [f = out.get()](const abrplay::net::BodyChunk& chunk) {
      if (f != nullptr) std::fwrite(chunk.data(), 1, chunk.size(), f);
    };
    cbs.on_complete = [&, i](abrplay::net::FetchOutcome outcome) {
      std::lock_guard<std::mutex> lock(mu);
      rows[i] = Row{urls[i], std::move(outcome)};
      ++done;
      cv.notify_one();
    };
    fetcher.fetch(std::move(req), std::move(cbs));
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == urls.size(); });
  }

  bool all_ok = true;
  nlohmann::json array = nlohmann::json::array();
  for (const auto& row : rows) {
    all_ok = all_ok && row->outcome.has_value();
    if (json) array.push_back(to_json(*row));
    else print_text(*row);
  }
  if (json) std::cout << array.dump(2) << "\n";
  return all_ok ? 0 : 1;
}
