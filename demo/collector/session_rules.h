// session_rules.h: the consistency rules of store.h as one pure function both stores call, so
// they refuse the same payloads with the same reasons.
#pragma once

#include <optional>
#include <string>

#include "store.h"

namespace abrplay::collector {

// A payload (`device`: "" when it names none; `seq`; whether it is the final report) of a session
// the store already knows: the device it belongs to ("" when none of its payloads named one) and
// the seq of its final report, if any. Returns the verdict when the rules decide it (a device
// conflict, a payload after the final, a second final, or the final itself again: a duplicate);
// nullopt when the payload may be stored (it may still be a duplicate of a heartbeat).
std::optional<PayloadResult> judge_known_session(const std::string& session_id, const std::string& known_device,
                                                 std::optional<long long> final_seq, const std::string& device,
                                                 long long seq, bool is_final);

}  // namespace abrplay::collector
