// abrplay/player/manifest/model.h: the MPD as parsed (ISO/IEC 23009-1), a plain value tree.
//
// The parser (parser.h) fills it; segment addressing lives in SegmentIndex (segment_index.h), which
// reads it. Values are as written in the MPD, except where a field says "effective": those already
// apply the spec's inheritance (a Representation inherits the common attributes codecs, mimeType,
// frameRate, width, height, sar, audioSamplingRate and AudioChannelConfiguration from its
// AdaptationSet). std::optional means "absent in the MPD". Every element carries `path`, e.g.
// "MPD/Period[0]/AdaptationSet[1]/Representation[2]", for error messages.
// Thread safety: a value type; share const instances freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/units.h"
#include "abrplay/player/manifest/time.h"

namespace abrplay::manifest {

// An HTTP byte range, inclusive at both ends, as in "500-999" (RFC 9110).
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t size() const { return last - first + 1; }
  std::string to_string() const { return std::to_string(first) + "-" + std::to_string(last); }
  bool operator==(const ByteRange&) const = default;
};

// A frame rate such as "30000/1001" or "25".
struct FrameRate {
  uint32_t num = 0;
  uint32_t den = 1;
  double fps() const { return den ? static_cast<double>(num) / den : 0.0; }
  bool operator==(const FrameRate&) const = default;
};

// Role, Accessibility, EssentialProperty, SupplementalProperty, AudioChannelConfiguration, ...
struct Descriptor {
  std::string scheme_id_uri;
  std::string value;
  std::string id;
};

struct ContentProtection {
  std::string scheme_id_uri;  // "urn:mpeg:dash:mp4protection:2011" or "urn:uuid:<system id>"
  std::string value;          // e.g. "cenc", "cbcs"
  std::string default_kid;    // cenc:default_KID, if given
  bool has_pssh = false;      // a cenc:pssh child is present
};

// One BaseURL element. `url` is as written; resolution happens when addresses are built.
struct BaseUrl {
  std::string url;
  std::string service_location;  // @serviceLocation: alternatives sharing it are the same CDN
  uint32_t dvb_priority = 1;     // @dvb:priority: lower is preferred (DVB A168 default 1)
  uint32_t dvb_weight = 1;       // @dvb:weight: load sharing among equal priorities
  std::optional<double> availability_time_offset_s;
};

// The DVB load-balancing figures of a resolved base URL (BaseUrl's, after inheritance).
struct BaseUrlHost {
  uint32_t priority = 1;
  uint32_t weight = 1;
  std::string service_location;
};

// UTCTiming: how the client syncs its clock (used by the streaming engine).
struct UtcTiming {
  std::string scheme_id_uri;  // e.g. "urn:mpeg:dash:utc:http-iso:2014"
  std::string value;          // the time server URL(s) or the direct value
};

struct Event {
  uint64_t presentation_time = 0;  // ticks of the stream's timescale
  uint64_t duration = 0;
  uint64_t id = 0;
  std::string message_data;  // @messageData, or the element's text
};

struct EventStream {
  std::string scheme_id_uri;
  std::string value;
  uint32_t timescale = 1;
  uint64_t presentation_time_offset = 0;
  std::vector<Event> events;
};

struct InbandEventStream {
  std::string scheme_id_uri;
  std::string value;
};

// One S element of a SegmentTimeline, as written (t and n optional, r defaults to 0).
struct TimelineEntry {
  std::optional<uint64_t> t;
  uint64_t d = 0;
  int64_t r = 0;  // -1: repeat until the next S, the period end or (live) the availability window
  std::optional<uint64_t> n;
};

// An @sourceURL/@media plus @range/@mediaRange pair (Initialization, RepresentationIndex, SegmentURL).
// An empty url means "the BaseURL itself".
struct UrlAndRange {
  std::string url;
  std::optional<ByteRange> range;
};

// One SegmentBase, SegmentList or SegmentTemplate element, attributes as written. A level may carry
// one of each kind; SegmentIndex merges them across levels (Representation over AdaptationSet over
// Period), attribute by attribute, per ISO/IEC 23009-1 5.3.9.1.
struct SegmentInfo {
  std::optional<uint32_t> timescale;
  std::optional<uint64_t> presentation_time_offset;
  std::optional<uint64_t> duration;  // ticks; Multiple segment kinds only
  std::optional<uint64_t> start_number;
  std::optional<uint64_t> end_number;
  std::optional<double> availability_time_offset_s;  // may be +infinity ("INF")
  // false: a segment is served while it is being produced (low-latency chunked CMAF)
  std::optional<bool> availability_time_complete;
  std::optional<ByteRange> index_range;
  std::optional<UrlAndRange> initialization;        // Initialization element
  std::optional<UrlAndRange> representation_index;  // RepresentationIndex element
  std::optional<std::vector<TimelineEntry>> timeline;
  // SegmentTemplate only: validated templates (see segment_template.h).
  std::optional<std::string> media_template;
  std::optional<std::string> initialization_template;
  std::optional<std::string> index_template;
  // SegmentList only: the SegmentURL elements in order.
  std::vector<UrlAndRange> segment_urls;
  std::string path;  // element path, for errors found later (e.g. by SegmentIndex)
};

// The segment elements present at one level.
struct SegmentInfoSet {
  std::optional<SegmentInfo> base;
  std::optional<SegmentInfo> list;
  std::optional<SegmentInfo> templ;
  bool empty() const { return !base && !list && !templ; }
};

// What AdaptationSet and Representation both carry (ISO/IEC 23009-1 5.3.7 common elements).
struct CommonElements {
  std::vector<BaseUrl> base_urls;
  SegmentInfoSet segments;
  std::vector<Descriptor> essential_properties;
  std::vector<Descriptor> supplemental_properties;
  std::vector<ContentProtection> content_protection;
  std::vector<InbandEventStream> inband_event_streams;
  // Non-empty when the element must be ignored, e.g. "EssentialProperty with unknown scheme 'x'".
  std::string excluded_reason;
};

// DASH-IF IOP thumbnails (v4.3, 6.2.6): an image AdaptationSet (contentType="image", or an image/*
// mimeType) whose Representation addresses grid images, one per segment, each covering the segment's
// duration. The EssentialProperty "http://dashif.org/thumbnail_tile" (also accepted:
// "http://dashif.org/guidelines/thumbnail_tile") with value "COLSxROWS" splits an image into
// COLS x ROWS tiles of (@width / COLS) x (@height / ROWS) pixels, in row-major order, each covering
// duration / (COLS x ROWS). Without the property an image is one tile.
struct TileGrid {
  uint32_t columns = 1;
  uint32_t rows = 1;
  uint32_t count() const { return columns * rows; }
  bool operator==(const TileGrid&) const = default;
};

struct Representation : CommonElements {
  std::string path;
  std::string id;      // may be empty: see has_id
  DataRate bandwidth;  // zero: @bandwidth absent (mandatory in the spec, often omitted)
  bool has_id = false;
  bool has_bandwidth = false;
  // effective (inherited from the AdaptationSet when absent):
  std::optional<uint32_t> width;
  std::optional<uint32_t> height;
  std::optional<FrameRate> frame_rate;
  std::string sar;
  std::string codecs;
  std::string mime_type;
  std::optional<uint32_t> audio_sampling_rate;
  std::vector<Descriptor> audio_channel_configuration;
  // Image (thumbnail) representations only: the tile grid (see TileGrid). Absent for other content,
  // and when the thumbnail signalling is unusable: then `thumbnail_problem` names the attribute and
  // why (a grid of "0x0" or beyond kMaxTileGridSide, no @width/@height, tiles under one pixel). The
  // manifest still plays; the player reports the problem as a warning and offers no thumbnails.
  std::optional<TileGrid> tiles;
  std::string thumbnail_problem;
};

struct AdaptationSet : CommonElements {
  std::string path;
  std::string id;
  std::string content_type;  // @contentType, or derived from mimeType ("video/mp4" -> "video")
  std::string mime_type;
  std::string codecs;
  std::string lang;
  std::vector<Descriptor> roles;
  std::vector<Descriptor> accessibility;
  std::vector<std::string> labels;
  std::optional<FrameRate> frame_rate;
  std::string par;
  std::string sar;
  std::optional<uint32_t> width;
  std::optional<uint32_t> height;
  std::optional<uint32_t> audio_sampling_rate;
  bool segment_alignment = false;
  std::vector<Descriptor> audio_channel_configuration;
  std::vector<Representation> representations;
  bool encrypted() const;  // ContentProtection here or on any representation
};

struct Period {
  std::string path;
  std::string id;
  std::optional<MediaTime> start_attr;     // @start as written
  std::optional<MediaTime> duration_attr;  // @duration as written
  // Resolved on the MPD timeline (ISO/IEC 23009-1 5.3.2.1): @start, else the previous period's
  // end, else 0 for the first period. `duration` is @duration, else the next period's start minus
  // this start, else (last period) mediaPresentationDuration minus start; absent for open live.
  MediaTime start{0};
  std::optional<MediaTime> duration;
  std::string xlink_href;  // still remote: XlinkResolver (xlink.h) was not run on the text
  std::string xlink_actuate;
  std::vector<BaseUrl> base_urls;
  SegmentInfoSet segments;
  std::vector<EventStream> event_streams;
  std::vector<Descriptor> supplemental_properties;
  std::vector<AdaptationSet> adaptation_sets;
};

enum class PresentationType { kStatic, kDynamic };

// ServiceDescription (ISO/IEC 23009-1 Annex K; DASH-IF IOP low latency): what the service asks of
// a live client's latency (Latency@target/min/max, in ms in the MPD) and the playback-rate bounds
// for catch-up (PlaybackRate@min/max). Values the parser found absurd are dropped with a warning.
struct ServiceDescription {
  std::optional<MediaTime> target_latency, min_latency, max_latency;
  std::optional<double> min_playback_rate, max_playback_rate;
};

struct Mpd {
  std::string document_url;  // where the MPD came from; the root for relative BaseURLs
  PresentationType type = PresentationType::kStatic;
  std::string profiles;
  std::optional<WallTime> availability_start_time;
  std::optional<WallTime> availability_end_time;
  std::optional<WallTime> publish_time;
  std::optional<MediaTime> media_presentation_duration;
  std::optional<MediaTime> minimum_update_period;
  std::optional<MediaTime> time_shift_buffer_depth;
  std::optional<MediaTime> suggested_presentation_delay;
  std::optional<MediaTime> min_buffer_time;
  std::optional<MediaTime> max_segment_duration;
  std::vector<BaseUrl> base_urls;
  std::vector<std::string> locations;
  std::vector<UtcTiming> utc_timings;
  std::optional<ServiceDescription> service_description;  // the first one
  std::vector<Descriptor> essential_properties;
  std::vector<Descriptor> supplemental_properties;
  std::vector<Period> periods;
  // What the parser ignored: malformed attributes playback does not need, each as
  // "path@attribute: reason; ignored" (docs/manifest.md, "What playback needs"). At most 100 lines.
  std::vector<std::string> warnings;

  bool is_dynamic() const { return type == PresentationType::kDynamic; }
  // Sum of resolved period durations when all are known, else mediaPresentationDuration.
  std::optional<MediaTime> total_duration() const;
};

}  // namespace abrplay::manifest
