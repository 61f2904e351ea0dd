#include "pool.h"

#include "clones.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "scratch.h"
#include "workers.h"

// Per window: the maximum per channel (a select, which vectorises), then the first tap in
// row-major order holding it (taps visited last to first, the earliest match written last); a
// NaN maximum matches nothing and keeps the first tap, as the strict-> loop in JavaScript does.
// Single-threaded: at ~13 ms for ZF's conv1 pooling it streams memory about as fast as this
// machine allows, and two threads on channel halves measured slower. Unroll-and-jam is off here:
// GCC jammed the tap loop around a scalar inner loop (4× slower than the vectorised one).
FRCNN_CLONES __attribute__((optimize("no-loop-unroll-and-jam"))) void maxPoolGrad(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  const int cb = g.c;
  std::memset(dx, 0, size_t(g.n * image) * sizeof(float));
  std::vector<float> best(static_cast<size_t>(cb));
  std::vector<int32_t> where(static_cast<size_t>(cb));
  std::vector<int64_t> taps(size_t(g.kh) * g.kw);
  for (int b = 0; b < g.n; ++b) {
    const float* xi = x + b * image;
    float* dxi = dx + b * image;
    for (int oy = 0; oy < g.outH; ++oy) {
      const int y0 = oy * g.sh - g.padTop;
      const int yStart = std::max(0, y0), yEnd = std::min(g.h, y0 + g.kh);
      for (int ox = 0; ox < g.outW; ++ox) {
        const int x0 = ox * g.sw - g.padLeft;
        const int xStart = std::max(0, x0), xEnd = std::min(g.w, x0 + g.kw);
        if (yStart >= yEnd || xStart >= xEnd) continue;
        int32_t nt = 0;
        for (int y = yStart; y < yEnd; ++y)
          for (int xx = xStart; xx < xEnd; ++xx) taps[nt++] = (int64_t(y) * g.w + xx) * g.c;
        float* __restrict bp = best.data();
        int32_t* __restrict wp = where.data();
        const float* __restrict first = xi + taps[0];
        for (int k = 0; k < cb; ++k) {
          bp[k] = first[k];
          wp[k] = 0;
        }
        for (int32_t t = 1; t < nt; ++t) {
          const float* __restrict v = xi + taps[t];
          for (int k = 0; k < cb; ++k) bp[k] = v[k] > bp[k] ? v[k] : bp[k];
        }
        for (int32_t t = nt - 1; t >= 1; --t) {
          const float* __restrict v = xi + taps[t];
          for (int k = 0; k < cb; ++k) wp[k] = v[k] == bp[k] ? t : wp[k];
        }
        // A window whose first tap holds the maximum (or a NaN) keeps tap 0; ties earlier than t were written after t.
        for (int k = 0; k < cb; ++k) wp[k] = first[k] == bp[k] || first[k] != first[k] ? 0 : wp[k];
        const float* gy = dy + ((int64_t(b) * g.outH + oy) * g.outW + ox) * g.c;
        for (int k = 0; k < cb; ++k) dxi[taps[wp[k]] + k] += gy[k];
      }
    }
  }
}

namespace {

// s^−β for β = 0.75 and 0.5 without pow (ZF's β is 0.75).
inline float negPow(float s, float beta) {
  if (beta == 0.75f) return 1.f / std::sqrt(s * std::sqrt(s));
  if (beta == 0.5f) return 1.f / std::sqrt(s);
  return std::pow(s, -beta);
}

// Row-wise window sums over one image (NHWC, one image = h rows of w·c floats): the vertical
// sum of rows y−r…y+r (zeros outside) into `col`, then the horizontal sum of `col` into `out`.
// Only two row buffers, so everything stays in cache (whole-image temporaries cost more in
// page faults than the arithmetic). `rowAt(y)` gives the source row y.
template <typename RowAt>
void windowSumRow(int32_t y, int32_t h, int32_t w, int32_t c, int32_t r, RowAt rowAt, float* col, float* out) {
  const int64_t row = int64_t(w) * c;
  std::fill(col, col + row, 0.f);
  for (int32_t sy = std::max(0, y - r); sy <= std::min(h - 1, y + r); ++sy) {
    const float* src = rowAt(sy);
    for (int64_t k = 0; k < row; ++k) col[k] += src[k];
  }
  for (int32_t x = 0; x < w; ++x) {
    float* o = out + int64_t(x) * c;
    std::fill(o, o + c, 0.f);
    for (int32_t sx = std::max(0, x - r); sx <= std::min(w - 1, x + r); ++sx) {
      const float* s = col + int64_t(sx) * c;
      for (int32_t k = 0; k < c; ++k) o[k] += s[k];
    }
  }
}

// Rows of x² computed on demand into a ring of 2r+1 rows (row y lives in slot y mod (2r+1)).
struct SquaresRing {
  const float* x;
  int64_t row;
  int32_t slots;
  std::vector<float> data;
  std::vector<int32_t> held;
  SquaresRing(const float* x_, int64_t row_, int32_t r) : x(x_), row(row_), slots(2 * r + 1), data(size_t(slots) * row_), held(slots, -1) {}
  const float* operator()(int32_t y) {
    const int32_t slot = y % slots;
    float* d = data.data() + int64_t(slot) * row;
    if (held[slot] != y) {
      const float* src = x + int64_t(y) * row;
      for (int64_t k = 0; k < row; ++k) d[k] = src[k] * src[k];
      held[slot] = y;
    }
    return d;
  }
};

}  // namespace

namespace {

// Rows [y0, y1) of one image: fn(row, sum) with sum the window sums of x² along that row (squared
// rows in a ring of their own, so a worker recomputes only the r rows of halo at its range's edges).
// Always inlined, fn too: inside the callers' x86-64-v3 clones, where the row loops vectorise
// (out of line they ran 2.5× slower).
template <typename Fn>
__attribute__((always_inline)) inline void forEachWindowSum(int32_t h, int32_t w, int32_t c, int32_t size, const float* xi, int32_t y0, int32_t y1, Fn fn) {
  const int64_t row = int64_t(w) * c;
  std::vector<float> col(row), sum(row);
  SquaresRing squares(xi, row, size / 2);
  for (int32_t yy = y0; yy < y1; ++yy) {
    windowSumRow(yy, h, w, c, size / 2, squares, col.data(), sum.data());
    fn(yy, sum.data());
  }
}

FRCNN_CLONES void lrnForwardRows(int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* xi, float* yi, int32_t y0, int32_t y1) {
  const int64_t row = int64_t(w) * c;
  const float scale = alpha / float(size * size);
  forEachWindowSum(h, w, c, size, xi, y0, y1, [&](int32_t yy, const float* sum) __attribute__((always_inline)) {
    const float* xr = xi + yy * row;
    float* yr = yi + yy * row;
    for (int64_t k = 0; k < row; ++k) yr[k] = xr[k] * negPow(1.f + scale * sum[k], beta);
  });
}

// Backward, first pass over rows [y0, y1): p = s^−β into P and t = dy · x · p / s into T.
FRCNN_CLONES void lrnBackwardFirst(int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* xi, const float* gi, float* T, float* P,
                                   int32_t y0, int32_t y1) {
  const int64_t row = int64_t(w) * c;
  const float scale = alpha / float(size * size);
  forEachWindowSum(h, w, c, size, xi, y0, y1, [&](int32_t yy, const float* sum) __attribute__((always_inline)) {
    const float *xr = xi + yy * row, *gr = gi + yy * row;
    float *tr = T + yy * row, *pr = P + yy * row;
    for (int64_t k = 0; k < row; ++k) {
      const float s = 1.f + scale * sum[k], p = negPow(s, beta);
      pr[k] = p;
      tr[k] = gr[k] * xr[k] * p / s;
    }
  });
}

// Second pass: dx = dy · p − k · x · Σ_window t.
FRCNN_CLONES void lrnBackwardSecond(int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* xi, const float* gi, const float* T,
                                    const float* P, float* di, int32_t y0, int32_t y1) {
  const int64_t row = int64_t(w) * c;
  const int32_t r = size / 2;
  const float k2 = 2.f * alpha * beta / float(size * size);
  std::vector<float> col(row), tsum(row);
  auto tAt = [&](int32_t sy) -> const float* { return T + sy * row; };
  for (int32_t yy = y0; yy < y1; ++yy) {
    windowSumRow(yy, h, w, c, r, tAt, col.data(), tsum.data());
    const float *xr = xi + yy * row, *gr = gi + yy * row, *pr = P + yy * row;
    float* dr = di + yy * row;
    for (int64_t k = 0; k < row; ++k) dr[k] = gr[k] * pr[k] - k2 * xr[k] * tsum[k];
  }
}

// Rows per worker: at least a few, so the halo rows each recomputes stay a small share.
constexpr int64_t kMinRows = 8;

}  // namespace

// Rows split over the workers, each with its own ring of squared rows (the r rows of halo at
// its range's edges computed twice).
void lrnForward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, float* y) {
  const int64_t image = int64_t(h) * w * c;
  for (int32_t b = 0; b < n; ++b)
    parallelRanges(h, kMinRows, [&](int64_t y0, int64_t y1) { lrnForwardRows(h, w, c, size, alpha, beta, x + b * image, y + b * image, int32_t(y0), int32_t(y1)); });
}

// Two passes, each split over rows: (1) p = s^−β and t = dy · x · p / s into image-sized scratch
// buffers; (2) dx = dy · p − k · x · Σ_window t, whose windows read the neighbours' rows of t.
void lrnBackward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, const float* dy, float* dx) {
  const int64_t image = int64_t(h) * w * c;
  float* T = scratch(kScratchLrnT, size_t(image));
  float* P = scratch(kScratchLrnP, size_t(image));
  for (int32_t b = 0; b < n; ++b) {
    const float *xi = x + b * image, *gi = dy + b * image;
    parallelRanges(h, kMinRows, [&](int64_t y0, int64_t y1) { lrnBackwardFirst(h, w, c, size, alpha, beta, xi, gi, T, P, int32_t(y0), int32_t(y1)); });
    parallelRanges(h, kMinRows, [&](int64_t y0, int64_t y1) { lrnBackwardSecond(h, w, c, size, alpha, beta, xi, gi, T, P, dx + b * image, int32_t(y0), int32_t(y1)); });
  }
}
