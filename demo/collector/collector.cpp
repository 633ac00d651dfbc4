// Collector (collector.h): cpp-httplib handlers validate and queue; the writer thread commits.
#include "collector.h"

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "abrplay/player/manifest/time.h"
#include "clickhouse_store.h"
#include "json_schema.h"
#include "sqlite_store.h"
#include "telemetry_schema_text.h"

namespace abrplay::collector {

using Json = nlohmann::json;

namespace {

using Results = Expected<std::vector<PayloadResult>, std::string>;

struct Batch {
  std::vector<Json> payloads;
  std::promise<Results> done;
};

std::string iso_now() {
  const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  return manifest::format_datetime(WallTime(now.time_since_epoch()));
}

void reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
}

}  // namespace

struct Collector::Impl {
  CollectorConfig config;
  std::unique_ptr<Store> store;
  SchemaValidator schema;
  httplib::Server server;
  int port = 0;
  std::thread server_thread, writer;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Batch>> queue;
  std::size_t queued_payloads = 0;
  bool stopping = false;

  void write_loop() {
    for (;;) {
      std::vector<std::shared_ptr<Batch>> take;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and everything accepted is committed
        std::size_t n = 0;
        while (!queue.empty() && (take.empty() || n + queue.front()->payloads.size() <= config.max_group_payloads)) {
          n += queue.front()->payloads.size();
          take.push_back(std::move(queue.front()));
          queue.pop_front();
        }
        queued_payloads -= n;
      }
      std::vector<Json> all;
      for (const auto& b : take) all.insert(all.end(), b->payloads.begin(), b->payloads.end());
      Results results = store->store(all, iso_now());
      std::size_t at = 0;
      for (const auto& b : take) {
        if (!results) {
          b->done.set_value(Unexpected{results.error()});
          continue;
        }
        std::vector<PayloadResult> mine(results->begin() + static_cast<std::ptrdiff_t>(at),
                                        results->begin() + static_cast<std::ptrdiff_t>(at + b->payloads.size()));
        at += b->payloads.size();
        b->done.set_value(std::move(mine));
      }
    }
  }

  void ingest(const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return reply(res, 400, {{"error", "the body is not JSON"}});
    if (auto why = schema.validate(body)) return reply(res, 400, {{"error", "not a telemetry payload: " + *why}});
    auto batch = std::make_shared<Batch>();
    if (body.is_array()) {
      for (Json& p : body) batch->payloads.push_back(std::move(p));
    } else {
      batch->payloads.push_back(std::move(body));
    }
    // In microseconds since the epoch, as WallTime counts (nanoseconds overflow by the year 2262).
    const auto limit =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()).time_since_epoch() +
        config.max_clock_skew;
    for (std::size_t i = 0; i < batch->payloads.size(); ++i) {
      auto t = manifest::parse_xs_datetime(batch->payloads[i]["wall_time"].get<std::string>());
      if (!t || t->time_since_epoch() > limit)
        return reply(res, 400,
                     {{"error", "payload " + std::to_string(i) + ": wall_time " +
                                    batch->payloads[i]["wall_time"].get<std::string>() +
                                    " is in the future (more than " + std::to_string(config.max_clock_skew.count()) +
                                    " s ahead of the collector's clock)"}});
    }
    std::future<Results> done = batch->done.get_future();
    {
      std::lock_guard lock(mu);
      if (stopping || queued_payloads + batch->payloads.size() > config.max_queued_payloads) {
        res.set_header("Retry-After", "1");
        return reply(res, 503, {{"error", "overloaded: the store's queue is full; retry later"}});
      }
      queued_payloads += batch->payloads.size();
      queue.push_back(batch);
    }
    cv.notify_one();
    Results results = done.get();
    if (!results) {
      res.set_header("Retry-After", "1");
      return reply(res, 503, {{"error", "not stored: " + results.error()}});
    }
    int stored = 0, duplicates = 0;
    Json rejected = Json::array();
    for (std::size_t i = 0; i < results->size(); ++i) {
      const PayloadResult& r = (*results)[i];
      if (r.outcome == Outcome::kStored) ++stored;
      if (r.outcome == Outcome::kDuplicate) ++duplicates;
      if (r.outcome == Outcome::kRejected) rejected.push_back({{"payload", i}, {"error", r.reason}});
    }
    if (!rejected.empty()) {
      return reply(
          res, 409,
          {{"error", rejected[0]["error"]}, {"rejected", rejected}, {"stored", stored}, {"duplicates", duplicates}});
    }
    reply(res, 200, {{"stored", stored}, {"duplicates", duplicates}});
  }
};

Expected<std::unique_ptr<Collector>, std::string> Collector::start(const CollectorConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  if (config.clickhouse_url.empty()) {
    auto store = SqliteStore::open(config.db_path);
    if (!store) return Unexpected{store.error()};
    impl->store = std::move(*store);
  } else {
    auto store = ClickHouseStore::open({config.clickhouse_url, config.clickhouse_cluster});
    if (!store) return Unexpected{store.error()};
    impl->store = std::move(*store);
  }
  auto schema = SchemaValidator::load(Json::parse(kTelemetrySchemaText));
  if (!schema) return Unexpected{"telemetry schema: " + schema.error()};
  impl->schema = std::move(*schema);
  Impl* self = impl.get();
  impl->server.set_payload_max_length(config.max_body_bytes);
  // Answers go out at once: with Nagle's algorithm a small reply waits for the client's delayed
  // ACK (40 ms on Linux), which capped one client at about 25 requests/s.
  impl->server.set_tcp_nodelay(true);
  impl->server.set_keep_alive_max_count(1000);  // a player's Reporter keeps its connection
  // Each request's thread waits for the writer's commit: the pool bounds how many requests share a
  // commit (cpp-httplib's default, 8, capped a ClickHouse batch at 8 requests).
  impl->server.new_task_queue = [n = config.http_threads] { return new httplib::ThreadPool(n); };
  impl->server.Post("/telemetry",
                    [self](const httplib::Request& req, httplib::Response& res) { self->ingest(req, res); });
  impl->server.Get("/health",
                   [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  impl->port = config.port == 0 ? impl->server.bind_to_any_port(config.host)
                                : (impl->server.bind_to_port(config.host, config.port) ? config.port : -1);
  if (impl->port <= 0) return Unexpected{"cannot listen on " + config.host + ":" + std::to_string(config.port)};
  impl->writer = std::thread([self] { self->write_loop(); });
  impl->server_thread = std::thread([self] { self->server.listen_after_bind(); });
  return std::unique_ptr<Collector>(new Collector(std::move(impl)));
}

Collector::Collector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Collector::~Collector() {
  stop();
  if (impl_->server_thread.joinable()) impl_->server_thread.join();
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
}

int Collector::port() const { return impl_->port; }

void Collector::wait() {
  if (impl_->server_thread.joinable()) impl_->server_thread.join();
}

void Collector::stop() { impl_->server.stop(); }

}  // namespace abrplay::collector
