#include "abrplay/player/telemetry/cmcd.h"

#include <algorithm>
#include <cmath>

namespace abrplay::telemetry {
namespace {

enum class Header { kObject, kRequest, kSession, kStatus };
constexpr std::string_view kHeaderNames[] = {"CMCD-Object", "CMCD-Request", "CMCD-Session", "CMCD-Status"};

struct Pair {
  std::string_view key;
  std::string text;  // "key" or "key=value"
  Header header;
};

// Nearest multiple of 100 (CTA-5004 rounds bl/dl in ms and mtp/rtp in kbps this way).
std::int64_t round100(std::int64_t v) {
  return static_cast<std::int64_t>(std::llround(static_cast<double>(v) / 100.0)) * 100;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string_view token(CmcdObject ot) {
  switch (ot) {
    case CmcdObject::kManifest: return "m";
    case CmcdObject::kAudio: return "a";
    case CmcdObject::kVideo: return "v";
    case CmcdObject::kMuxed: return "av";
    case CmcdObject::kInit: return "i";
    case CmcdObject::kCaption: return "c";
    case CmcdObject::kTimedText: return "tt";
    case CmcdObject::kKey: return "k";
    case CmcdObject::kOther: return "o";
  }
  return "o";
}

// Decimal without trailing zeros, at most 3 places ("1.5", "0.75", "2").
std::string decimal(double v) {
  std::string s = std::to_string(std::round(v * 1000.0) / 1000.0);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::vector<Pair> pairs(const CmcdData& d) {
  std::vector<Pair> out;
  auto integer = [&](std::string_view key, std::optional<std::int64_t> v, Header h) {
    if (v && *v >= 0) out.push_back({key, std::string(key) + "=" + std::to_string(*v), h});
  };
  auto string = [&](std::string_view key, const std::string& v, Header h) {
    if (!v.empty()) out.push_back({key, std::string(key) + "=" + quote(v.substr(0, 64)), h});
  };
  auto flag = [&](std::string_view key, bool v, Header h) {
    if (v) out.push_back({key, std::string(key), h});
  };
  auto rounded = [](std::optional<std::int64_t> v) { return v ? std::optional(round100(*v)) : v; };
  // CMCD's bitrate keys are whole kbps.
  auto kbps = [](std::optional<DataRate> r) {
    return r ? std::optional<std::int64_t>(static_cast<std::int64_t>(r->kbps())) : std::optional<std::int64_t>();
  };

  // Alphabetical already; encode() sorts anyway so the order here cannot break the rule.
  integer("bl", rounded(d.bl_ms), Header::kRequest);
  integer("br", kbps(d.br), Header::kObject);
  flag("bs", d.bs, Header::kStatus);
  string("cid", d.cid, Header::kSession);
  integer("d", d.d_ms, Header::kObject);
  integer("dl", rounded(d.dl_ms), Header::kRequest);
  integer("mtp", rounded(kbps(d.mtp)), Header::kRequest);
  if (!d.nor.empty()) out.push_back({"nor", "nor=" + quote(d.nor), Header::kRequest});
  if (!d.nrr.empty()) out.push_back({"nrr", "nrr=" + quote(d.nrr), Header::kRequest});
  if (d.ot) out.push_back({"ot", "ot=" + std::string(token(*d.ot)), Header::kObject});
  if (d.pr && std::abs(*d.pr - 1.0) > 1e-9 && *d.pr > 0)
    out.push_back({"pr", "pr=" + decimal(*d.pr), Header::kSession});
  integer("rtp", rounded(kbps(d.rtp)), Header::kStatus);
  if (d.sf_dash) out.push_back({"sf", "sf=d", Header::kSession});
  string("sid", d.sid, Header::kSession);
  if (d.st_live) out.push_back({"st", *d.st_live ? "st=l" : "st=v", Header::kSession});
  flag("su", d.su, Header::kRequest);
  integer("tb", kbps(d.tb), Header::kObject);
  if (d.v != 1) out.push_back({"v", "v=" + std::to_string(d.v), Header::kSession});
  std::stable_sort(out.begin(), out.end(), [](const Pair& a, const Pair& b) { return a.key < b.key; });
  return out;
}

std::string join(const std::vector<Pair>& ps, std::optional<Header> only) {
  std::string out;
  for (const Pair& p : ps) {
    if (only && p.header != *only) continue;
    if (!out.empty()) out += ',';
    out += p.text;
  }
  return out;
}

}  // namespace

std::optional<CmcdMode> parse_cmcd_mode(std::string_view text) {
  if (text == "off") return CmcdMode::kOff;
  if (text == "query") return CmcdMode::kQuery;
  if (text == "header") return CmcdMode::kHeader;
  return std::nullopt;
}

std::string encode(const CmcdData& data) { return join(pairs(data), std::nullopt); }

std::vector<std::pair<std::string, std::string>> encode_headers(const CmcdData& data) {
  const std::vector<Pair> ps = pairs(data);
  std::vector<std::pair<std::string, std::string>> out;
  for (Header h : {Header::kObject, Header::kRequest, Header::kSession, Header::kStatus}) {
    std::string value = join(ps, h);
    if (!value.empty()) out.emplace_back(kHeaderNames[static_cast<int>(h)], std::move(value));
  }
  return out;
}

}  // namespace abrplay::telemetry
