// abrplay/core/bytes.h: a downloaded body or segment, shared without copying.
//
// The engine's buffer, the segment feed to the demuxer and the lab's content hold the same bytes:
// immutable once received, freed when the last holder lets go.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace abrplay {

using Bytes = std::shared_ptr<const std::vector<std::uint8_t>>;

}  // namespace abrplay
