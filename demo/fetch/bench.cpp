// abrplay-fetch-bench: download speed of abrplay's net layer over loopback, beside curl(1), in one
// run and from the same cpp-httplib server:
//   1. one large body (1 GiB by default), streamed and discarded, on a consumer thread as a player
//      takes it and inline on the net thread;
//   2. many small segments (500 x 100 KiB) one after another over one connection, each requested
//      from the previous one's completion as the player's loader does (curl: one invocation with
//      all the URLs, which reuses its connection).
// Times are transfer times: ours from the request (the client already made) to the completion,
// curl's its own -w %{time_total}, summed over its URLs, so that its process start does not count.
// curl runs twice per round on the large body: curl against itself is the noise floor of a ratio.
// Prints the median of several runs and the throughput ratio abrplay / curl; --json FILE also writes
// every run's time, for scripts that report spread (demo/bench/run).
#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "abrplay/net/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using abrplay::net::HttpClient;

// Serves /bytes/N from one 1 MiB pattern buffer, so the server costs little next to the client.
class BenchServer {
 public:
  BenchServer() : block_(1 << 20) {
    for (std::size_t i = 0; i < block_.size(); ++i) block_[i] = static_cast<char>(i * 7 + 3);
    server_.set_keep_alive_max_count(1'000'000);
    server_.Get(R"(/bytes/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
      const auto size = static_cast<std::size_t>(std::stoull(req.matches[1]));
      res.set_content_provider(size, "application/octet-stream",
                               [this](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 const std::size_t at = offset % block_.size();
                                 return sink.write(block_.data() + at, std::min(length, block_.size() - at));
                               });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~BenchServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(std::size_t bytes) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/bytes/" + std::to_string(bytes);
  }
  bool ok() const { return port_ > 0; }

 private:
  std::vector<char> block_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// One streamed request; chunks are discarded on a consumer thread, as a player's loop would take them.
bool fetch_streamed(HttpClient& client, abrplay::net::Executor& consumer, const std::string& url,
                    std::uint64_t expect) {
  std::promise<bool> done;
  abrplay::net::Request req;
  req.url = url;
  req.max_body_bytes = expect;
  client.submit(req, consumer,
                abrplay::net::RequestCallbacks{[](const abrplay::net::BodyChunk&) {},
                                               [&done, expect](abrplay::net::Result r) {
                                                 done.set_value(r.ok() && r.response.bytes_received == expect);
                                               }});
  return done.get_future().get();
}

// With `inline_consumer`, chunks are discarded on the net thread itself: the cost of the thread hop
// to a consumer shows as the difference.
double abrplay_big(const BenchServer& s, std::uint64_t bytes, bool inline_consumer,
                   const abrplay::net::ClientOptions& options) {
  abrplay::net::ThreadExecutor consumer("bench-consumer");  // outlives the client
  abrplay::net::InlineExecutor inline_executor;
  HttpClient client(options);
  const auto t0 = Clock::now();
  abrplay::net::Executor& exec = inline_consumer ? static_cast<abrplay::net::Executor&>(inline_executor) : consumer;
  if (!fetch_streamed(client, exec, s.url(bytes), bytes)) return -1;
  return seconds_since(t0);
}

// Each request is submitted from the previous one's completion on the consumer thread.
double abrplay_segments(const BenchServer& s, int count, std::uint64_t bytes, abrplay::net::ClientOptions options) {
  options.max_host_connections = 1;
  abrplay::net::ThreadExecutor consumer("bench-consumer");
  HttpClient client(options);
  std::promise<bool> done;
  int left = count;
  std::function<void()> next = [&] {
    abrplay::net::Request req;
    req.url = s.url(bytes);
    req.max_body_bytes = bytes;
    client.submit(req, consumer,
                  abrplay::net::RequestCallbacks{[](const abrplay::net::BodyChunk&) {},
                                                 [&](abrplay::net::Result r) {
                                                   if (!r.ok() || r.response.bytes_received != bytes)
                                                     done.set_value(false);
                                                   else if (--left == 0) done.set_value(true);
                                                   else next();
                                                 }});
  };
  const auto t0 = Clock::now();
  next();
  return done.get_future().get() ? seconds_since(t0) : -1;
}

// curl's own transfer times (-w %{time_total}, summed over its URLs), so that its process start
// does not count against it.
double run_curl(const std::string& args) {
  const std::string command = "curl -s -f -w '%{time_total}\\n' " + args;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  double total = 0;
  double one = 0;
  while (std::fscanf(pipe, "%lf", &one) == 1) total += one;
  return ::pclose(pipe) == 0 && total > 0 ? total : -1;
}

double curl_big_time(const BenchServer& s, std::uint64_t bytes) { return run_curl("-o /dev/null " + s.url(bytes)); }

double curl_segments(const BenchServer& s, int count, std::uint64_t bytes, const std::string& config_path) {
  std::ofstream config(config_path, std::ios::trunc);
  for (int i = 0; i < count; ++i) config << "url = \"" << s.url(bytes) << "\"\noutput = \"/dev/null\"\n";
  config.close();
  return run_curl("-K " + config_path);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// Per-round ratios a[i] / b[i] of throughputs (b's time over a's), sorted.
std::vector<double> round_ratios(const std::vector<double>& a_s, const std::vector<double>& b_s) {
  std::vector<double> out;
  for (std::size_t i = 0; i < std::min(a_s.size(), b_s.size()); ++i) out.push_back(b_s[i] / a_s[i]);
  std::sort(out.begin(), out.end());
  return out;
}

void report(const char* name, std::uint64_t total_bytes, const std::vector<double>& ours,
            const std::vector<double>& curl) {
  auto mbps = [total_bytes](double s) { return s > 0 ? static_cast<double>(total_bytes) / s / 1e6 : 0.0; };
  std::printf("%-26s abrplay %7.3f s %7.0f MB/s", name, median(ours), mbps(median(ours)));
  if (curl.empty()) {
    std::printf("   curl n/a\n");
    return;
  }
  const auto r = round_ratios(ours, curl);
  std::printf("   curl %7.3f s %7.0f MB/s   ratio %.2f (per round %.2f-%.2f)\n", median(curl), mbps(median(curl)),
              mbps(median(ours)) / mbps(median(curl)), r.front(), r.back());
}

// {"name": ..., "bytes": N, "abrplay_s": [...], "curl_s": [...]}: one entry per measurement.
nlohmann::json json_case(const std::string& name, std::uint64_t bytes, const std::vector<double>& ours,
                         const std::vector<double>& curl) {
  return {{"name", name}, {"bytes", bytes}, {"abrplay_s", ours}, {"curl_s", curl}};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::uint64_t big_mb = 1024;
  int segments = 500;
  std::uint64_t segment_bytes = 100 * 1024;
  std::string json_path;
  abrplay::net::ClientOptions options;
  long receive_kb = options.receive_buffer_bytes / 1024;
  std::size_t chunk_kb = options.chunk_bytes / 1024;
  std::uint64_t window_kb = options.stream_window_bytes / 1024;
  CLI::App app{"abrplay-fetch-bench: net/ against curl(1) over loopback"};
  app.add_option("--runs", runs, "runs of each case (median reported)")->check(CLI::Range(1, 1000));
  app.add_option("--big-mb", big_mb, "size of the large download, MiB")->check(CLI::Range(1, 16384));
  app.add_option("--segments", segments, "number of small downloads on one connection")->check(CLI::Range(1, 100000));
  app.add_option("--json", json_path, "also write every run's time per case to this JSON file");
  app.add_option("--receive-buffer-kb", receive_kb, "ClientOptions::receive_buffer_bytes, KiB")
      ->check(CLI::Range(1, 512));
  app.add_option("--chunk-kb", chunk_kb, "ClientOptions::chunk_bytes, KiB")->check(CLI::Range(1, 16384));
  app.add_option("--window-kb", window_kb, "ClientOptions::stream_window_bytes, KiB")->check(CLI::Range(16, 1 << 20));
  CLI11_PARSE(app, argc, argv);
  const std::uint64_t big = big_mb << 20;
  options.receive_buffer_bytes = receive_kb * 1024;
  options.chunk_bytes = chunk_kb * 1024;
  options.stream_window_bytes = window_kb * 1024;
  BenchServer server;
  if (!server.ok()) {
    std::fprintf(stderr, "abrplay-fetch-bench: cannot bind 127.0.0.1\n");
    return 1;
  }
  const bool have_curl = std::system("curl --version > /dev/null 2>&1") == 0;
  if (!have_curl) std::printf("curl(1) is not installed: measuring abrplay only\n");
  const std::string config_path = "/tmp/abrplay-fetch-bench-" + std::to_string(::getpid()) + ".curlrc";

  std::vector<double> ours_big, ours_big_inline, curl_big, curl_big_again, ours_seg, curl_seg;
  for (int r = 0; r < runs; ++r) {
    ours_big.push_back(abrplay_big(server, big, false, options));
    if (have_curl) curl_big.push_back(curl_big_time(server, big));
    ours_big_inline.push_back(abrplay_big(server, big, true, options));
    if (have_curl) curl_big_again.push_back(curl_big_time(server, big));
    ours_seg.push_back(abrplay_segments(server, segments, segment_bytes, options));
    if (have_curl) curl_seg.push_back(curl_segments(server, segments, segment_bytes, config_path));
  }
  std::remove(config_path.c_str());
  for (const auto* v : {&ours_big, &ours_big_inline, &curl_big, &curl_big_again, &ours_seg, &curl_seg})
    if (std::any_of(v->begin(), v->end(), [](double s) { return s < 0; })) {
      std::fprintf(stderr, "abrplay-fetch-bench: a transfer failed\n");
      return 1;
    }
  std::printf("loopback, median of %d runs (transfer times; \"inline\" = chunks consumed on the net thread\n"
              "instead of a consumer thread)\n",
              runs);
  const std::string big_name = "1 x " + std::to_string(big_mb) + " MiB";
  const std::string seg_name = std::to_string(segments) + " x " + std::to_string(segment_bytes / 1024) + " KiB, 1 conn";
  const std::uint64_t seg_total = segment_bytes * static_cast<std::uint64_t>(segments);
  report(big_name.c_str(), big, ours_big, curl_big);
  report((big_name + ", inline").c_str(), big, ours_big_inline, curl_big_again);
  report(seg_name.c_str(), seg_total, ours_seg, curl_seg);
  if (have_curl) {
    const auto noise = round_ratios(curl_big_again, curl_big);
    std::printf("noise floor: curl / curl on %s per round %.2f-%.2f\n", big_name.c_str(), noise.front(), noise.back());
  }
  if (!json_path.empty()) {
    const nlohmann::json doc = {{"runs", runs},
                                {"cases",
                                 {json_case(big_name, big, ours_big, curl_big),
                                  json_case(big_name + ", inline", big, ours_big_inline, curl_big_again),
                                  json_case(seg_name, seg_total, ours_seg, curl_seg)}},
                                {"curl_against_itself",
                                 {{"name", big_name}, {"first_s", curl_big}, {"second_s", curl_big_again}}}};
    std::ofstream out(json_path, std::ios::trunc);
    out << doc.dump(1) << "\n";
    if (!out.good()) {
      std::fprintf(stderr, "abrplay-fetch-bench: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  return 0;
}
