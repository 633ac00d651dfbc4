#include "mpd_rewrite.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <pugixml.hpp>

namespace abrplay::origin {

std::string DeviceFilter::to_query() const {
  std::string q;
  if (!codecs.empty()) {
    q += "codecs=";
    for (std::size_t i = 0; i < codecs.size(); ++i) q += (i ? "," : "") + codecs[i];
  }
  if (max_height > 0) q += std::string(q.empty() ? "" : "&") + "max_height=" + std::to_string(max_height);
  return q;
}

namespace {

// The codec families of a Representation ("avc1.64001f" -> "avc1"); inherits from the set.
std::vector<std::string> families(pugi::xml_node rep) {
  std::string codecs = rep.attribute("codecs").as_string();
  if (codecs.empty()) codecs = rep.parent().attribute("codecs").as_string();
  std::vector<std::string> out;
  std::stringstream ss(codecs);
  std::string one;
  while (std::getline(ss, one, ',')) {
    one.erase(0, one.find_first_not_of(' '));
    if (!one.empty()) out.push_back(one.substr(0, one.find('.')));
  }
  return out;
}

bool playable(pugi::xml_node rep, const DeviceFilter& filter) {
  if (filter.max_height > 0) {
    const int h = rep.attribute("height").as_int(rep.parent().attribute("height").as_int(0));
    if (h > filter.max_height) return false;
  }
  if (!filter.codecs.empty()) {
    for (const auto& f : families(rep)) {
      if (std::find(filter.codecs.begin(), filter.codecs.end(), f) == filter.codecs.end()) return false;
    }
  }
  return true;
}

}  // namespace

Expected<std::string, std::string> rewrite_mpd(const std::string& mpd_text, const std::string& name,
                                               const std::vector<std::string>& base_urls, const DeviceFilter& filter,
                                               const std::vector<CdnDvb>& dvb, const SteeringAdvert* steering) {
  pugi::xml_document doc;
  const auto ok = doc.load_buffer(mpd_text.data(), mpd_text.size());
  if (!ok) return Unexpected{name + ": byte " + std::to_string(ok.offset) + ": " + ok.description()};
  pugi::xml_node mpd = doc.child("MPD");
  if (!mpd) return Unexpected{name + ": no <MPD> root element"};

  if (!base_urls.empty()) {
    // Schema order: ProgramInformation*, BaseURL*, Location*, ..., Period+.
    pugi::xml_node before = mpd.child("Period");
    for (std::size_t i = 0; i < base_urls.size(); ++i) {
      pugi::xml_node b = before ? mpd.insert_child_before("BaseURL", before) : mpd.append_child("BaseURL");
      b.append_attribute("serviceLocation").set_value(("cdn-" + std::to_string(i)).c_str());
      if (i < dvb.size() && (dvb[i].priority > 0 || dvb[i].weight > 0)) {
        constexpr const char* kDvbNs = "urn:dvb:dash:dash-extensions:2014-1";
        if (!mpd.attribute("xmlns:dvb")) mpd.append_attribute("xmlns:dvb").set_value(kDvbNs);
        if (dvb[i].priority > 0) b.append_attribute("dvb:priority").set_value(dvb[i].priority);
        if (dvb[i].weight > 0) b.append_attribute("dvb:weight").set_value(dvb[i].weight);
      }
      b.text().set(base_urls[i].c_str());
    }
    if (steering) {
      pugi::xml_node cs = before ? mpd.insert_child_before("ContentSteering", before)
                                 : mpd.append_child("ContentSteering");
      if (!steering->default_service_location.empty())
        cs.append_attribute("defaultServiceLocation").set_value(steering->default_service_location.c_str());
      cs.append_attribute("queryBeforeStart").set_value(steering->query_before_start ? "true" : "false");
      cs.text().set(steering->server_url.c_str());
    }
  }
  if (!filter.empty()) {
    for (pugi::xml_node period : mpd.children("Period")) {
      std::vector<pugi::xml_node> empty_sets;
      for (pugi::xml_node as : period.children("AdaptationSet")) {
        std::vector<pugi::xml_node> drop;
        for (pugi::xml_node rep : as.children("Representation")) {
          if (!playable(rep, filter)) drop.push_back(rep);
        }
        for (auto rep : drop) as.remove_child(rep);
        if (!as.child("Representation")) empty_sets.push_back(as);
      }
      for (auto as : empty_sets) period.remove_child(as);
    }
  }
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

namespace {

Expected<pugi::xml_node, std::string> load(pugi::xml_document& doc, const std::string& text, const std::string& name) {
  const auto ok = doc.load_buffer(text.data(), text.size());
  if (!ok) return Unexpected{name + ": byte " + std::to_string(ok.offset) + ": " + ok.description()};
  pugi::xml_node mpd = doc.child("MPD");
  if (!mpd) return Unexpected{name + ": no <MPD> root element"};
  return mpd;
}

void make_remote(pugi::xml_node element, const std::string& href) {
  while (element.first_child()) element.remove_child(element.first_child());
  while (element.first_attribute()) element.remove_attribute(element.first_attribute());
  element.append_attribute("xlink:href").set_value(href.c_str());
  element.append_attribute("xlink:actuate").set_value("onLoad");
}

}  // namespace

Expected<std::string, std::string> externalize(const std::string& mpd_text, const std::string& name, XlinkSplit split,
                                               const std::string& reference) {
  pugi::xml_document doc;
  auto mpd = load(doc, mpd_text, name);
  if (!mpd) return Unexpected{mpd.error()};
  if (!mpd->attribute("xmlns:xlink")) mpd->append_attribute("xmlns:xlink").set_value("http://www.w3.org/1999/xlink");
  std::size_t p = 0;
  for (pugi::xml_node period : mpd->children("Period")) {
    if (split == XlinkSplit::kPeriods) {
      make_remote(period, reference + "xlink-element=period-" + std::to_string(p++));
      continue;
    }
    std::size_t a = 0;
    for (pugi::xml_node as : period.children("AdaptationSet"))
      make_remote(as, reference + "xlink-element=adaptation-set-" + std::to_string(p) + "-" + std::to_string(a++));
    ++p;
  }
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

Expected<std::string, std::string> remote_element(const std::string& mpd_text, const std::string& name,
                                                  const std::string& element) {
  pugi::xml_document doc;
  auto mpd = load(doc, mpd_text, name);
  if (!mpd) return Unexpected{mpd.error()};
  unsigned period = 0, set = 0;
  char tail = 0;
  const bool is_period = std::sscanf(element.c_str(), "period-%u%c", &period, &tail) == 1;
  const bool is_set = !is_period && std::sscanf(element.c_str(), "adaptation-set-%u-%u%c", &period, &set, &tail) == 2;
  if (!is_period && !is_set)
    return Unexpected{name + ": xlink-element '" + element.substr(0, 64) +
                      "' is neither period-I nor adaptation-set-I-J"};
  pugi::xml_node found;
  unsigned p = 0;
  for (pugi::xml_node pn : mpd->children("Period")) {
    if (p++ != period) continue;
    if (is_period) {
      found = pn;
      break;
    }
    unsigned a = 0;
    for (pugi::xml_node an : pn.children("AdaptationSet"))
      if (a++ == set) found = an;
  }
  if (!found) return Unexpected{name + ": no " + element};
  std::ostringstream out;
  found.print(out, "  ");
  return out.str();
}

}  // namespace abrplay::origin
