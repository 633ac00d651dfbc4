// render.h: a session timeline as a PNG (gnuplot) and as an HTML page around it.
#pragma once

#include <optional>
#include <string>

#include "session_data.h"

namespace abrplay::report {

// Top: video bitrate and throughput estimate (kbps); bottom: video buffer (s); stalls shaded red in
// both. nullopt on success, else why no picture was drawn.
std::optional<std::string> plot_png(const Session& session, const std::string& png_path);

// A self-contained page: the final report's figures, the picture (linked by `png_name`, relative to
// the page), and the switches and errors as tables. Text from the payloads is HTML-escaped.
std::optional<std::string> write_html(const Session& session, const std::string& html_path,
                                      const std::string& png_name);

std::string html_escape(const std::string& text);

}  // namespace abrplay::report
