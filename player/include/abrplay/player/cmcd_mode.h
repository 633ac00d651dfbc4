// abrplay/player/cmcd_mode.h: how the player sends CMCD (CTA-5004) with each request: not at all,
// as a CMCD= query argument, or as CMCD-* headers. PlayerConfig::cmcd; parsed from text by
// telemetry::parse_cmcd_mode.
#pragma once

namespace abrplay {

enum class CmcdMode { kOff, kQuery, kHeader };

}  // namespace abrplay
