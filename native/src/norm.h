// GroupNorm (NHWC, statistics per image and group) and RoIAlign's gather / scatter over
// precomputed taps: the small backbone's per-element loops, ~3× faster here than in JavaScript.
#pragma once
#include <cstdint>

// y = γ·(x − μ)/σ + β, then max(y, 0) when `relu`; writes the per-(image, group) mean and 1/σ.
// Sums in fixed chunks over the pool (same bits on any thread count), element-wise passes split.
void groupNormForward(const float* x, int32_t n, int64_t hw, int32_t c, int32_t groups, const float* gamma, const float* beta, bool relu, float* y, double* mean, double* rstd);
// Inference: max(GroupNorm(x), 0) pooled by 2×2 windows with stride 2 (floor mode, h and w ≥ 2)
// in one pass, y [n, (h−2)/2 + 1, (w−2)/2 + 1, c]: the same values as the three layers apart.
void groupNormReluPool(const float* x, int32_t n, int32_t h, int32_t w, int32_t c, int32_t groups, const float* gamma, const float* beta, float* y);
// dx, dγ, dβ from dy and the forward's statistics.
void groupNormBackward(const float* dy, const float* x, int32_t n, int64_t hw, int32_t c, int32_t groups, const float* gamma, const double* mean, const double* rstd,
                       float* dx, float* dGamma, float* dBeta);

// out[cell] = Σ_taps weight · features[pixel]; dx[pixel] += weight · dy[cell] (dx zeroed first).
void tapsGather(const float* features, int32_t channels, int32_t cells, const int32_t* tapStart, const int32_t* pixel, const float* weight, float* out);
void tapsScatter(const float* dy, int32_t channels, int32_t cells, const int32_t* tapStart, const int32_t* pixel, const float* weight, float* dx, int64_t dxSize);
