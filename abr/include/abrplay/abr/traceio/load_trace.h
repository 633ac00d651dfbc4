// abrplay/abr/traceio/load_trace.h: read trace files and directories (target abrplay::abr_traceio).
//
// Kept apart from abrplay::abr, which is standard-library only: this part does file I/O and decodes
// Sabre JSON with nlohmann-json. Errors name the file and, where it applies, the line.
// Threading: free functions with no shared state; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "abrplay/abr/sim/video.h"
#include "abrplay/abr/trace/trace.h"
#include "abrplay/core/expected.h"

namespace abrplay::abr {

// Files larger than this are refused rather than read into memory (the largest public traces are a
// few MB; a mahimahi trace of a day at 100 Mbit/s would still be under this).
inline constexpr std::size_t kMaxTraceFileBytes = 256u * 1024u * 1024u;

// The format of a trace from its name and content: ".json" → Sabre; otherwise the first non-blank
// line decides: one integer → Mahimahi, two numeric columns → Pensieve. An error when neither fits.
Expected<TraceFormat, TraceError> detect_trace_format(const std::string& name, std::string_view text);

// Decodes a Sabre JSON trace held in memory and validates it with trace_from_sabre (what
// load_trace_file does with a .json file). Invalid JSON or a wrong shape is an error naming `name`.
Expected<Trace, TraceError> parse_sabre_json(std::string_view text, const std::string& name);

// Reads, detects and parses one file. Trace::name is the file name without its directory.
Expected<Trace, TraceError> load_trace_file(const std::string& path);

// Every regular file of a directory (not recursive; hidden files and README* skipped) in sorted
// file-name order, the order the reference figures use. The first bad file is the error; an empty
// directory is an error too.
Expected<std::vector<Trace>, TraceError> load_trace_dir(const std::string& path);

// Pensieve's video_size_Q files: file Q (0, 1, ...) lists segment Q's sizes in bytes, one per line.
// Reads video_size_0 .. video_size_{N-1} for N = ladder size; each must hold at least
// `segment_count` positive integers. Errors name the file and line.
Expected<Video, TraceError> load_video_sizes(const std::string& dir, std::vector<DataRate> ladder,
                                             Seconds segment_duration, std::size_t segment_count);

}  // namespace abrplay::abr
