// No fused multiply-adds here: sgdMomentum must round as JavaScript's double arithmetic does.
#pragma GCC optimize("fp-contract=off")
#include "sgd.h"

#include "clones.h"
#include "workers.h"

namespace {

FRCNN_CLONES void sgdRange(float* __restrict w, const float* __restrict g, float* __restrict v, int64_t begin, int64_t end, double mu, double rate, double decay) {
  for (int64_t i = begin; i < end; ++i) {
    const double vi = mu * v[i] + rate * g[i] + decay * w[i];
    v[i] = float(vi);
    w[i] = float(double(w[i]) - vi);
  }
}

}  // namespace

void sgdMomentum(float* w, const float* g, float* v, int64_t n, double mu, double rate, double decay) {
  parallelRanges(n, 1 << 18, [&](int64_t begin, int64_t end) { sgdRange(w, g, v, begin, end, mu, rate, decay); });
}
