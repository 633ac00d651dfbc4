#include "mpd_rewrite.h"

#include <algorithm>
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
                                               const std::vector<std::string>& base_urls, const DeviceFilter& filter) {
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
      b.text().set(base_urls[i].c_str());
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

}  // namespace abrplay::origin
