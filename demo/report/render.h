// render.h: a session timeline as a PNG (gnuplot) and as an HTML page around it.
#pragma once

#include <optional>
#include <string>

#include "session_data.h"

namespace abrplay::report {

// Drawn from the session's events when its telemetry has "segments", else from its heartbeats.
// Top, session time on x, kbit/s on a log scale: the video bitrate as a step line (each segment's
// representation from the moment it finished downloading), the throughput each video segment was
// fetched at (points) and the player's estimate (heartbeats, dashed), a marker per switch (up or
// down triangle at the new bitrate) and a dotted line at its time. Bottom: the video buffer
// (heartbeats). Stalls shaded red in both. The y ticks are the ladder's bitrates (and decades).
// nullopt on success, else why no picture was drawn.
std::optional<std::string> plot_png(const Session& session, const std::string& png_path);

// A self-contained page: the session's names, the final report's figures, the picture (linked by
// `png_name`, relative to the page), and switches, stalls, errors and segments as tables. Every
// string from the payloads is HTML-escaped.
std::optional<std::string> write_html(const Session& session, const std::string& html_path,
                                      const std::string& png_name);

std::string html_escape(const std::string& text);

}  // namespace abrplay::report
