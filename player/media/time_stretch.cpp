#include "time_stretch.h"

#include <algorithm>
#include <cstring>
#include <string>

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include "ffmpeg_ptr.h"

namespace abrplay::media {

namespace {
using GraphPtr = UniqueHandleByAddress<AVFilterGraph, avfilter_graph_free>;

Unexpected<Error> fail(const std::string& what, int rc) {
  return Unexpected{ff::make_error(ErrorCode::kMediaDecode, "time stretch (atempo): " + what, rc)};
}
}  // namespace

struct TimeStretch::Graph {
  GraphPtr graph;
  AVFilterContext* src = nullptr;   // owned by graph
  AVFilterContext* sink = nullptr;  // owned by graph
  ff::FramePtr in;
  ff::FramePtr out;
  int sample_rate = 0;
  int channels = 0;
};

TimeStretch::TimeStretch(std::unique_ptr<Graph> g) : g_(std::move(g)) {}
TimeStretch::~TimeStretch() = default;

Expected<std::unique_ptr<TimeStretch>, Error> TimeStretch::create(int sample_rate, int channels, double tempo) {
  auto g = std::make_unique<Graph>();
  g->sample_rate = sample_rate;
  g->channels = channels;
  g->graph.reset(avfilter_graph_alloc());
  g->in.reset(av_frame_alloc());
  g->out.reset(av_frame_alloc());
  if (!g->graph || !g->in || !g->out) return fail("allocation", AVERROR(ENOMEM));
  g->graph->nb_threads = 1;  // the stage runs on the caller's thread

  AVChannelLayout layout{};
  av_channel_layout_default(&layout, channels);
  char layout_name[64] = {};
  av_channel_layout_describe(&layout, layout_name, sizeof layout_name);
  av_channel_layout_uninit(&layout);
  const std::string src_args = "sample_rate=" + std::to_string(sample_rate) + ":sample_fmt=flt:time_base=1/" +
                               std::to_string(sample_rate) + ":channel_layout=" + layout_name;
  int rc = avfilter_graph_create_filter(&g->src, avfilter_get_by_name("abuffer"), "in", src_args.c_str(), nullptr,
                                        g->graph.get());
  if (rc < 0) return fail("abuffer " + src_args, rc);
  AVFilterContext* atempo = nullptr;
  const std::string tempo_args = "tempo=" + std::to_string(tempo);
  rc = avfilter_graph_create_filter(&atempo, avfilter_get_by_name("atempo"), "atempo", tempo_args.c_str(), nullptr,
                                    g->graph.get());
  if (rc < 0) return fail(tempo_args, rc);
  g->sink = avfilter_graph_alloc_filter(g->graph.get(), avfilter_get_by_name("abuffersink"), "out");
  if (g->sink == nullptr) return fail("abuffersink", AVERROR(ENOMEM));
  const AVSampleFormat formats[] = {AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_NONE};
  rc = av_opt_set_int_list(g->sink, "sample_fmts", formats, AV_SAMPLE_FMT_NONE, AV_OPT_SEARCH_CHILDREN);
  if (rc >= 0) rc = avfilter_init_str(g->sink, nullptr);
  if (rc < 0) return fail("abuffersink setup", rc);
  rc = avfilter_link(g->src, 0, atempo, 0);
  if (rc >= 0) rc = avfilter_link(atempo, 0, g->sink, 0);
  if (rc >= 0) rc = avfilter_graph_config(g->graph.get(), nullptr);
  if (rc < 0) return fail("graph setup", rc);
  return std::unique_ptr<TimeStretch>(new TimeStretch(std::move(g)));
}

std::optional<Error> TimeStretch::push(std::span<const float> in, std::vector<float>& out) {
  const auto ch = static_cast<std::size_t>(g_->channels);
  const auto frames = in.size() / ch;
  if (frames > 0) {
    AVFrame* f = g_->in.get();
    f->nb_samples = static_cast<int>(frames);
    f->format = AV_SAMPLE_FMT_FLT;
    f->sample_rate = g_->sample_rate;
    av_channel_layout_default(&f->ch_layout, g_->channels);
    int rc = av_frame_get_buffer(f, 0);
    if (rc < 0) return fail("input buffer", rc).error;
    std::memcpy(f->data[0], in.data(), frames * ch * sizeof(float));
    rc = av_buffersrc_add_frame_flags(g_->src, f, 0);  // takes the frame's reference
    av_frame_unref(f);
    if (rc < 0) return fail("input", rc).error;
  }
  return drain(out);
}

std::optional<Error> TimeStretch::set_tempo(double tempo) {
  const std::string arg = std::to_string(tempo);
  const int rc = avfilter_graph_send_command(g_->graph.get(), "atempo", "tempo", arg.c_str(), nullptr, 0, 0);
  if (rc < 0) return fail("tempo command " + arg, rc).error;
  return std::nullopt;
}

std::optional<Error> TimeStretch::finish(std::vector<float>& out) {
  const int rc = av_buffersrc_add_frame_flags(g_->src, nullptr, 0);
  if (rc < 0 && rc != AVERROR_EOF) return fail("end of input", rc).error;
  return drain(out);
}

std::optional<Error> TimeStretch::drain(std::vector<float>& out) {
  const auto ch = static_cast<std::size_t>(g_->channels);
  for (;;) {
    AVFrame* f = g_->out.get();
    const int rc = av_buffersink_get_frame(g_->sink, f);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return std::nullopt;
    if (rc < 0) return fail("output", rc).error;
    const auto* p = reinterpret_cast<const float*>(f->data[0]);
    out.insert(out.end(), p, p + static_cast<std::size_t>(f->nb_samples) * ch);
    av_frame_unref(f);
  }
}

}  // namespace abrplay::media
