// session_rules.h: the checks in the order the collector has always applied them.
#include "session_rules.h"

namespace abrplay::collector {

std::optional<PayloadResult> judge_known_session(const std::string& session_id, const std::string& known_device,
                                                 std::optional<long long> final_seq, const std::string& device,
                                                 long long seq, bool is_final) {
  if (!known_device.empty() && !device.empty() && known_device != device)
    return PayloadResult{Outcome::kRejected,
                         "session '" + session_id + "' belongs to device '" + known_device + "', not '" + device + "'"};
  if (!final_seq) return std::nullopt;
  if (seq == *final_seq) return PayloadResult{Outcome::kDuplicate, ""};
  if (seq > *final_seq)
    return PayloadResult{Outcome::kRejected, "seq " + std::to_string(seq) +
                                                 " comes after the session's final report (seq " +
                                                 std::to_string(*final_seq) + ")"};
  if (is_final)
    return PayloadResult{Outcome::kRejected,
                         "the session already has a final report (seq " + std::to_string(*final_seq) + ")"};
  return std::nullopt;
}

}  // namespace abrplay::collector
