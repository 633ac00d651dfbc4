// player/engine/net_error_code.h: the one mapping from net/'s error codes to the player's (private).
#pragma once

#include "abrplay/net/error.h"
#include "abrplay/player/error.h"

namespace abrplay::engine {

// The player's network codes carry net's numbers (2001..2009), so the mapping is a cast; these
// checks fail the build if either enum moves.
static_assert(static_cast<int>(ErrorCode::kNetworkIo) == static_cast<int>(net::NetErrorCode::kIo));
static_assert(static_cast<int>(ErrorCode::kNetworkTimeout) == static_cast<int>(net::NetErrorCode::kTimeout));
static_assert(static_cast<int>(ErrorCode::kNetworkHttpStatus) == static_cast<int>(net::NetErrorCode::kHttpStatus));
static_assert(static_cast<int>(ErrorCode::kNetworkTooLarge) == static_cast<int>(net::NetErrorCode::kTooLarge));
static_assert(static_cast<int>(ErrorCode::kNetworkCancelled) == static_cast<int>(net::NetErrorCode::kCancelled));
static_assert(static_cast<int>(ErrorCode::kNetworkBadUrl) == static_cast<int>(net::NetErrorCode::kBadUrl));
static_assert(static_cast<int>(ErrorCode::kNetworkTls) == static_cast<int>(net::NetErrorCode::kTls));
static_assert(static_cast<int>(ErrorCode::kNetworkRedirect) == static_cast<int>(net::NetErrorCode::kRedirect));
static_assert(static_cast<int>(ErrorCode::kNetworkFile) == static_cast<int>(net::NetErrorCode::kFile));

inline ErrorCode code_of(net::NetErrorCode c) { return static_cast<ErrorCode>(static_cast<int>(c)); }

}  // namespace abrplay::engine
