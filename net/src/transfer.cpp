#include "transfer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "abrplay/net/url.h"
#include "mailbox.h"

namespace abrplay::net::detail {
namespace {

// Error pages are kept for diagnostics, but never more than this.
constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

void log(const Transfer& t, LogLevel level, const std::string& text) {
  if (t.options->log) t.options->log(level, text);
}

long weight_for(Priority p) {
  // HTTP/2 stream weights range 1..256; curl's default is 16.
  switch (p) {
    case Priority::kLow: return 8;
    case Priority::kNormal: return 16;
    case Priority::kHigh: return 64;
  }
  return 16;
}

void check_status(Transfer& t) {
  if (t.local_file) {  // curl's file protocol has no status: reading is success, ranges included
    t.status_known = true;
    t.status_ok = true;
    return;
  }
  long status = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  t.response.status = static_cast<int>(status);
  t.status_known = true;
  t.status_ok = status >= 200 && status < 300;
  if (t.status_ok && t.request.range && status == 200) {
    t.status_ok = false;
    t.local_error = make_error(NetErrorCode::kHttpStatus, t.request.url,
                               "server ignored Range " + t.request.range->header_value() +
                                   " and answered 200 instead of 206");
    t.local_error->http_status = 200;
  }
}

// Fills buffers of exactly chunk_bytes (the last of a body may be shorter), so that a buffer never
// grows and goes back to the pool as it came.
void gather_chunk(Transfer& t, const char* data, std::size_t n) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  const std::uint64_t undelivered = t.flow->undelivered.fetch_add(n) + n;
  t.response.peak_undelivered_bytes = std::max(t.response.peak_undelivered_bytes, undelivered);
  const std::size_t chunk_bytes = std::max<std::size_t>(1, t.options->chunk_bytes);
  while (n > 0) {
    if (t.pending_chunk.capacity() == 0) t.pending_chunk = t.pool->take();
    const std::size_t take = std::min(n, chunk_bytes - std::min(chunk_bytes, t.pending_chunk.size()));
    t.pending_chunk.insert(t.pending_chunk.end(), bytes, bytes + take);
    bytes += take;
    n -= take;
    if (t.pending_chunk.size() >= chunk_bytes) flush_chunk(t);
  }
}

}  // namespace

void flush_chunk(Transfer& t) {
  if (t.pending_chunk.empty()) return;
  BodyChunk chunk;
  chunk.swap(t.pending_chunk);
  t.executor->post([callbacks = t.callbacks, mailbox = t.mailbox, flow = t.flow, pool = t.pool, id = t.id,
                    resume_at = t.options->stream_window_bytes / 2, chunk = std::move(chunk)]() mutable {
    const std::uint64_t bytes = chunk.size();
    callbacks->on_chunk(chunk);
    pool->give(std::move(chunk));
    // Consumed. Only when the net thread paused and the backlog is down to half the window does
    // this cost a message (and a wakeup) to the net thread.
    const std::uint64_t left = flow->undelivered.fetch_sub(bytes) - bytes;
    if (left <= resume_at && flow->resume_wanted.exchange(false))
      if (auto m = mailbox.lock()) m->push(Command{Command::Kind::kResume, id, nullptr});
  });
}

namespace {

std::size_t on_write(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  if (!t.status_known) check_status(t);
  if (t.local_error) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  // curl's file protocol reads a file in one loop and cannot pause (a pause is a write error), so a
  // file: read is never paused: it is short, local, and bounded by max_body_bytes.
  const bool can_pause = !t.local_file;
  if (can_pause && t.stopping != nullptr && t.stopping->load(std::memory_order_relaxed)) return CURL_WRITEFUNC_PAUSE;
  t.last_activity = SteadyClock::now();
  if (!t.status_ok) {
    auto& body = t.response.body;
    body.insert(body.end(), data, data + std::min(n, kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, body.size())));
    return n;
  }
  if (t.response.bytes_received + n > t.request.max_body_bytes) {
    t.local_error = make_error(NetErrorCode::kTooLarge, t.request.url,
                               "body exceeds the limit of " + std::to_string(t.request.max_body_bytes) + " bytes");
    return 0;
  }
  if (t.streaming()) {
    if (t.paused) return CURL_WRITEFUNC_PAUSE;  // already paused: wait for the resume
    const std::uint64_t window = t.options->stream_window_bytes;
    if (can_pause && t.flow->undelivered.load() >= window) {
      t.flow->resume_wanted.store(true);
      if (t.flow->undelivered.load() > window / 2) {  // the consumer has not caught up meanwhile
        t.paused = true;
        ++t.response.pause_count;
        log(t, LogLevel::kDebug,
            "net: pausing transfer #" + std::to_string(t.id) + " " + t.request.url + ": " +
                std::to_string(t.flow->undelivered.load()) + " bytes not yet consumed");
        flush_chunk(t);               // the consumer must see everything gathered, or it could never catch up
        return CURL_WRITEFUNC_PAUSE;  // curl keeps these bytes and offers them again on resume
      }
      t.flow->resume_wanted.store(false);
    }
    gather_chunk(t, data, n);
  } else {
    auto& body = t.response.body;
    if (body.empty()) {
      curl_off_t length = -1;
      curl_easy_getinfo(t.easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
      if (length > 0 && static_cast<std::uint64_t>(length) <= t.request.max_body_bytes)
        body.reserve(static_cast<std::size_t>(length));
    }
    body.insert(body.end(), data, data + n);
  }
  t.response.bytes_received += n;
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t nitems, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * nitems;
  t.last_activity = SteadyClock::now();
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    t.response.headers.clear();  // a new response: after a redirect, or a 100 Continue
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t.response.headers.emplace_back(std::move(name), std::string(value));
  return n;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  const auto* options = static_cast<const ClientOptions*>(user);
  const char* prefix = nullptr;
  switch (type) {
    case CURLINFO_TEXT: prefix = "curl: "; break;
    case CURLINFO_HEADER_IN: prefix = "curl< "; break;
    case CURLINFO_HEADER_OUT: prefix = "curl> "; break;
    default: return 0;  // never log bodies or TLS records
  }
  std::string_view text(data, size);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  options->log(LogLevel::kDebug, std::string(prefix) + std::string(text));
  return 0;
}

Micros micros_info(CURL* easy, CURLINFO info) {
  curl_off_t v = 0;
  curl_easy_getinfo(easy, info, &v);
  return Micros(v);
}

NetErrorCode map_curl_code(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_TOO_MANY_REDIRECTS: return NetErrorCode::kRedirect;
    case CURLE_FILE_COULDNT_READ_FILE: return NetErrorCode::kFile;
    case CURLE_URL_MALFORMAT: return NetErrorCode::kBadUrl;
    case CURLE_OPERATION_TIMEDOUT: return NetErrorCode::kTimeout;
    case CURLE_FILESIZE_EXCEEDED: return NetErrorCode::kTooLarge;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED: return NetErrorCode::kTls;
    default: return NetErrorCode::kIo;
  }
}

// curl reads a directory as an empty body, and a missing file fails with "Couldn't open file":
// say what is wrong with the path before curl opens it. A file that exists but cannot be read
// still fails in curl (CURLE_FILE_COULDNT_READ_FILE, mapped to kFile).
std::optional<NetError> check_local_file(const std::string& url) {
  auto path = file_url_path(url);
  if (!path) return path.error();
  std::error_code ec;
  const auto status = std::filesystem::status(*path, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    return make_error(NetErrorCode::kFile, url, "no such file: " + *path);
  if (ec) return make_error(NetErrorCode::kFile, url, "cannot read " + *path + ": " + ec.message());
  if (status.type() == std::filesystem::file_type::directory)
    return make_error(NetErrorCode::kFile, url, *path + " is a directory, not a file");
  if (status.type() != std::filesystem::file_type::regular)
    return make_error(NetErrorCode::kFile, url, *path + " is not a regular file");
  return std::nullopt;
}

}  // namespace

NetError make_error(NetErrorCode code, const std::string& url, const std::string& detail) {
  NetError e;
  e.code = code;
  e.url = url;
  e.message = url + ": " + detail;
  return e;
}

std::optional<NetError> configure_easy(Transfer& t, const std::string& user_agent) {
  auto scheme = check_request_url(t.request.url, t.request.file_access);
  if (!scheme) return scheme.error();
  t.local_file = *scheme == "file";
  if (t.local_file) {
    if (auto not_file = check_local_file(t.request.url)) return not_file;
  }
  t.easy.reset(curl_easy_init());
  if (!t.easy) return make_error(NetErrorCode::kIo, t.request.url, "curl_easy_init failed");
  CURL* e = t.easy.get();
  curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&t));
  curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str());
  // curl itself holds the same rule as check_request_url: file only for a request allowed to read it.
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
                   t.request.file_access == FileAccess::kAllowed ? "http,https,file" : "http,https");
  // Redirects stay on the scheme of the request: an https stream never falls back to http, and an
  // http(s) answer can never send the player to file: (curl's file protocol never redirects).
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, scheme->c_str());
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!t.options->ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, t.options->ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Over https a new connection may turn out to speak HTTP/2 (ALPN): let parallel requests wait for
  // it rather than open more connections. Cleartext http never multiplexes (no h2c), so there the
  // wait would only serialise requests behind a slow one.
  if (*scheme == "https") curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_STREAM_WEIGHT, weight_for(t.request.priority));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t.request.timeouts.connect.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t.request.timeouts.total.count()));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.request.max_body_bytes));
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, t.options->receive_buffer_bytes);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf.data());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&t));
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(&t));
  if (t.request.post_body) {
    // Size first: COPYPOSTFIELDS then copies exactly that many bytes (the body may hold NULs).
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.request.post_body->size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, t.request.post_body->data());
  }
  if (t.request.range) {
    const std::string range = t.request.range->header_value();
    curl_easy_setopt(e, CURLOPT_RANGE, range.c_str());  // curl copies option strings
  }
  for (const auto& [name, value] : t.request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* grown = curl_slist_append(t.header_list.get(), line.c_str());
    if (grown == nullptr) return make_error(NetErrorCode::kIo, t.request.url, "out of memory for headers");
    (void)t.header_list.release();
    t.header_list.reset(grown);
  }
  if (t.header_list) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list.get());
  if (t.options->curl_verbose && t.options->log) {
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &on_debug);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, const_cast<ClientOptions*>(t.options));
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  }
  return std::nullopt;
}

Result finish_transfer(Transfer& t, CURLcode code) {
  flush_chunk(t);  // the last bytes go before the completion
  CURL* e = t.easy.get();
  if (!t.status_known) check_status(t);
  Response& r = t.response;
  const char* effective = nullptr;
  curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective);
  r.effective_url = effective != nullptr ? effective : t.request.url;
  long version = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
  r.http_version = version == CURL_HTTP_VERSION_2_0 ? 2 : version == CURL_HTTP_VERSION_3 ? 3 : version != 0 ? 1 : 0;
  long connects = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
  r.connection_reused = r.status != 0 && connects == 0;
  const Micros connect = std::max(micros_info(e, CURLINFO_CONNECT_TIME_T), micros_info(e, CURLINFO_APPCONNECT_TIME_T));
  const Micros pretransfer = micros_info(e, CURLINFO_PRETRANSFER_TIME_T);
  const Micros start = micros_info(e, CURLINFO_STARTTRANSFER_TIME_T);
  const Micros total = micros_info(e, CURLINFO_TOTAL_TIME_T);
  r.timing.queue_wait = std::chrono::duration_cast<Micros>(t.started_at - t.submitted_at);
  r.timing.dns_connect = r.connection_reused ? Micros(0) : connect;
  r.timing.ttfb = start > pretransfer ? start - pretransfer : Micros(0);
  r.timing.transfer = start.count() > 0 && total > start ? total - start : Micros(0);
  r.timing.total = total;
  const auto accept = r.header("accept-ranges");
  r.accepts_ranges = t.local_file || r.status == 206 || (accept && *accept == "bytes");

  Result result;
  if (t.local_error) {
    result.error = t.local_error;
  } else if (code != CURLE_OK) {
    std::string detail = t.errbuf[0] != '\0' ? std::string(t.errbuf.data()) : curl_easy_strerror(code);
    NetError err = make_error(map_curl_code(code), t.request.url, detail);
    err.curl_code = static_cast<int>(code);
    if (err.code == NetErrorCode::kTimeout)
      err.timeout = connect.count() > 0 ? TimeoutKind::kTotal : TimeoutKind::kConnect;
    if (err.code == NetErrorCode::kRedirect) err.message += " (redirects stay on one scheme, at most 5)";
    result.error = std::move(err);
  } else if (!t.status_ok) {
    result.error = make_error(NetErrorCode::kHttpStatus, t.request.url, "HTTP " + std::to_string(r.status));
  }
  if (result.error) {
    result.error->http_status = r.status;
    curl_off_t retry_after = 0;
    curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &retry_after);
    if (retry_after > 0) result.error->retry_after = std::chrono::seconds(retry_after);
  }
  result.response = std::move(r);
  return result;
}

}  // namespace abrplay::net::detail
