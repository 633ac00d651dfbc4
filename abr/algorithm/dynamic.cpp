#include "abrplay/abr/algorithm/dynamic.h"

namespace abrplay::abr {

void DynamicAlgorithm::reset() {
  use_bola_ = false;
  bola_.reset();
}

Decision DynamicAlgorithm::choose(const AbrInput& in) {
  if (use_bola_ && in.buffer_level < params_.bola_off) use_bola_ = false;
  if (!use_bola_ && in.buffer_level >= params_.bola_on) use_bola_ = true;
  // BOLA-E keeps its placeholder up to date even while the throughput rule decides.
  const Decision bola = bola_.choose(in);
  if (use_bola_) return {bola.index, "dynamic: buffer high, BOLA"};
  return {throughput_.choose(in).index, "dynamic: buffer low, throughput rule"};
}

}  // namespace abrplay::abr
