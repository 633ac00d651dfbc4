// demo/inspect/report.h: the presentation as JSON (for --json) and as indented text.
// Thread: the caller's; SegmentBase indexes are fetched synchronously through source.h.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::inspect {

// Builds the report. Per representation it creates the segment index; an index that cannot be
// built is a bad manifest (the Error). SegmentBase index bytes that cannot be read are reported in
// the representation's "index_note", not as an error. `now` places live windows.
Expected<nlohmann::json, Error> build_report(const manifest::Mpd& mpd, WallTime now);

std::string render_text(const nlohmann::json& report);

}  // namespace abrplay::inspect
