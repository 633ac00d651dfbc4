#include <SDL2/SDL.h>

#include <cstring>
#include <span>

#include "abrplay/player/media/sdl_sinks.h"

namespace abrplay::media {

SdlAudioSink::SdlAudioSink() = default;

SdlAudioSink::~SdlAudioSink() { close(); }

void SdlAudioSink::callback(void* self, std::uint8_t* stream, int len) {
  auto* sink = static_cast<SdlAudioSink*>(self);
  std::span<float> out(reinterpret_cast<float*>(stream), static_cast<std::size_t>(len) / sizeof(float));
  if (sink->source_ == nullptr) {
    std::memset(stream, 0, static_cast<std::size_t>(len));
    return;
  }
  sink->source_->read(out);  // fills silence itself on underrun
}

Expected<AudioFormat, Error> SdlAudioSink::open(const AudioFormat& preferred, AudioSource& source) {
  close();
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    return Unexpected{Error{ErrorCode::kOutputAudio, std::string("SDL audio: initialising: ") + SDL_GetError()}};
  }
  subsystem_ = true;
  source_ = &source;
  SDL_AudioSpec want{};
  want.freq = preferred.sample_rate;
  want.format = AUDIO_F32SYS;
  want.channels = static_cast<Uint8>(preferred.channels);
  want.samples = 1024;  // 21 ms at 48 kHz: low latency without risking underruns on a busy machine
  want.callback = &SdlAudioSink::callback;
  want.userdata = this;
  SDL_AudioSpec have{};
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have,
                                SDL_AUDIO_ALLOW_FREQUENCY_CHANGE | SDL_AUDIO_ALLOW_CHANNELS_CHANGE);
  if (device_ == 0) {
    const std::string why = SDL_GetError();
    close();
    return Unexpected{Error{ErrorCode::kOutputAudio, "SDL audio: opening the default device: " + why}};
  }
  channels_ = have.channels;
  latency_ = std::chrono::microseconds{static_cast<std::int64_t>(have.samples) * 1'000'000 / have.freq};
  return AudioFormat{have.freq, have.channels};
}

void SdlAudioSink::set_paused(bool paused) {
  if (device_ != 0) SDL_PauseAudioDevice(device_, paused ? 1 : 0);
}

void SdlAudioSink::close() {
  if (device_ != 0) {
    SDL_CloseAudioDevice(device_);  // waits for the callback to return
    device_ = 0;
  }
  source_ = nullptr;
  if (subsystem_) {
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    subsystem_ = false;
  }
}

}  // namespace abrplay::media
