#include "pool.h"

#include "clones.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "workers.h"

namespace {

// Rows [iy0, iy1) of image b's dx: zeroed, then, for every window overlapping them (in the
// serial order: output rows, then columns), dy added at the window's maximum when that tap lies
// in these rows. Per window: the maximum per channel (a select, which vectorises), then the
// first tap in row-major order holding it (taps visited last to first, the earliest match
// written last); a NaN maximum matches nothing and keeps the first tap, as the strict-> loop in
// JavaScript does. Windows straddling two ranges are searched by both, each writing its own
// rows, so every dx value gets its terms in the serial order: the same bits on any thread count.
// Unroll-and-jam is off here: GCC jammed the tap loop around a scalar inner loop (4× slower).
FRCNN_CLONES __attribute__((optimize("no-loop-unroll-and-jam"))) void maxPoolGradRows(const PoolGeometry& g, const float* x, const float* dy, float* dx, int b,
                                                                                     int iy0, int iy1) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  const int cb = g.c;
  const float* xi = x + b * image;
  float* dxi = dx + b * image;
  std::memset(dxi + int64_t(iy0) * g.w * g.c, 0, size_t(iy1 - iy0) * g.w * g.c * sizeof(float));
  std::vector<float> best(static_cast<size_t>(cb));
  std::vector<int32_t> where(static_cast<size_t>(cb));
  std::vector<int64_t> taps(size_t(g.kh) * g.kw);
  const int64_t lo = int64_t(iy0) * g.w * g.c, hi = int64_t(iy1) * g.w * g.c;  // offsets of these rows
  // Output rows whose windows reach rows [iy0, iy1).
  const int oy0 = std::max(0, (iy0 + g.padTop - g.kh) / g.sh);
  const int oy1 = std::min(g.outH, (iy1 - 1 + g.padTop) / g.sh + 1);
  for (int oy = oy0; oy < oy1; ++oy) {
    const int y0 = oy * g.sh - g.padTop;
    const int yStart = std::max(0, y0), yEnd = std::min(g.h, y0 + g.kh);
    if (yStart >= yEnd || yEnd <= iy0 || yStart >= iy1) continue;
    for (int ox = 0; ox < g.outW; ++ox) {
      const int x0 = ox * g.sw - g.padLeft;
      const int xStart = std::max(0, x0), xEnd = std::min(g.w, x0 + g.kw);
      if (xStart >= xEnd) continue;
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
      if (yStart >= iy0 && yEnd <= iy1) {
        for (int k = 0; k < cb; ++k) dxi[taps[wp[k]] + k] += gy[k];
      } else {
        for (int k = 0; k < cb; ++k)
          if (taps[wp[k]] >= lo && taps[wp[k]] < hi) dxi[taps[wp[k]] + k] += gy[k];
      }
    }
  }
}

}  // namespace

// Input rows split over the pool threads (ZF's conv1 pooling: 22 → 16 ms of a training step).
void maxPoolGrad(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  for (int b = 0; b < g.n; ++b)
    parallelRanges(g.h, 16, [&](int64_t iy0, int64_t iy1) { maxPoolGradRows(g, x, dy, dx, b, int(iy0), int(iy1)); });
}

namespace {

// s^−β for β = 0.75 and 0.5 without pow (ZF's β is 0.75).
inline float negPow(float s, float beta) {
  if (beta == 0.75f) return 1.f / std::sqrt(s * std::sqrt(s));
  if (beta == 0.5f) return 1.f / std::sqrt(s);
  return std::pow(s, -beta);
}

// Window sums along one row y of an image (NHWC: h rows of w·c floats), in two steps that each
// touch one row-sized buffer: `col` = the sum of rows y−r…y+r (rowAt(sy), squared when kSquare),
// zeros outside, then per pixel the sum of its 2r+1 neighbours in `col` into `acc` (c floats),
// handed to fn(pixel, acc). Same order of additions as a running 0 + Σ, so the same bits as
// summing with explicit zeros. Always inlined (with fn), inside the callers' x86-64-v3 clones,
// where the loops vectorise (out of line they ran 2.5× slower).
template <bool kSquare, typename RowAt, typename Fn>
__attribute__((always_inline)) inline void windowSums(RowAt rowAt, int32_t y, int32_t h, int32_t w, int32_t c, int32_t r, float* col, float* acc, Fn fn) {
  const int64_t row = int64_t(w) * c;
  const int32_t y0 = std::max(0, y - r), y1 = std::min(h - 1, y + r);
  const float* first = rowAt(y0);
  for (int64_t k = 0; k < row; ++k) col[k] = kSquare ? first[k] * first[k] : first[k];
  for (int32_t sy = y0 + 1; sy <= y1; ++sy) {
    const float* s = rowAt(sy);
    for (int64_t k = 0; k < row; ++k) col[k] += kSquare ? s[k] * s[k] : s[k];
  }
  for (int32_t x = 0; x < w; ++x) {
    const int32_t x0 = std::max(0, x - r), x1 = std::min(w - 1, x + r);
    const float* s = col + int64_t(x0) * c;
    for (int32_t k = 0; k < c; ++k) acc[k] = s[k];
    for (int32_t sx = x0 + 1; sx <= x1; ++sx) {
      s = col + int64_t(sx) * c;
      for (int32_t k = 0; k < c; ++k) acc[k] += s[k];
    }
    fn(x, acc);
  }
}

// Row y of an image of rows `row` floats long.
inline auto rowsOf(const float* image, int64_t row) {
  return [=](int32_t y) -> const float* { return image + y * row; };
}

FRCNN_CLONES void lrnForwardRows(int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* xi, float* yi, int32_t y0, int32_t y1) {
  const int64_t row = int64_t(w) * c;
  const float scale = alpha / float(size * size);
  std::vector<float> col(row), acc(c);
  for (int32_t yy = y0; yy < y1; ++yy) {
    const float* xr = xi + yy * row;
    float* yr = yi + yy * row;
    windowSums<true>(rowsOf(xi, row), yy, h, w, c, size / 2, col.data(), acc.data(), [&](int32_t x, const float* sum) __attribute__((always_inline)) {
      const float* xp = xr + int64_t(x) * c;
      float* yp = yr + int64_t(x) * c;
      for (int32_t k = 0; k < c; ++k) yp[k] = xp[k] * negPow(1.f + scale * sum[k], beta);
    });
  }
}

// Backward over rows [y0, y1) in one sweep: dx = dy · p − k · x · Σ_window t with p = s^−β and
// t = dy · x · p / s. The rows of t and p are computed r rows ahead into rings of 2r + 1 rows
// (a range's first r rows of halo computed by both neighbouring ranges), so no image-sized
// intermediate is written and read back (the two-pass form moved 9 image-sized arrays, this 4).
FRCNN_CLONES void lrnBackwardRows(int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* xi, const float* gi, float* di,
                                  int32_t y0, int32_t y1) {
  const int64_t row = int64_t(w) * c;
  const int32_t r = size / 2, slots = 2 * r + 1;
  const float scale = alpha / float(size * size), k2 = 2.f * alpha * beta / float(size * size);
  std::vector<float> col(row), acc(c), T(size_t(slots) * row), P(size_t(slots) * row);
  auto ringRow = [&](std::vector<float>& ring, int32_t y) { return ring.data() + int64_t(y % slots) * row; };
  int32_t ahead = std::max(0, y0 - r);  // the next row of t and p to compute
  for (int32_t yy = y0; yy < y1; ++yy) {
    for (; ahead <= std::min(h - 1, yy + r); ++ahead) {
      float *tr = ringRow(T, ahead), *pr = ringRow(P, ahead);
      const float *xr = xi + ahead * row, *gr = gi + ahead * row;
      windowSums<true>(rowsOf(xi, row), ahead, h, w, c, r, col.data(), acc.data(), [&](int32_t x, const float* sum) __attribute__((always_inline)) {
        const int64_t o = int64_t(x) * c;
        for (int32_t k = 0; k < c; ++k) {
          const float s = 1.f + scale * sum[k], p = negPow(s, beta);
          pr[o + k] = p;
          tr[o + k] = gr[o + k] * xr[o + k] * p / s;
        }
      });
    }
    const float *xr = xi + yy * row, *gr = gi + yy * row, *pr = ringRow(P, yy);
    float* dr = di + yy * row;
    auto tRows = [&](int32_t sy) -> const float* { return ringRow(T, sy); };
    windowSums<false>(tRows, yy, h, w, c, r, col.data(), acc.data(), [&](int32_t x, const float* tsum) __attribute__((always_inline)) {
      const int64_t o = int64_t(x) * c;
      for (int32_t k = 0; k < c; ++k) dr[o + k] = gr[o + k] * pr[o + k] - k2 * xr[o + k] * tsum[k];
    });
  }
}

// Rows per worker: at least a few, so the halo rows each recomputes stay a small share.
constexpr int64_t kMinRows = 8;

}  // namespace

// Rows split over the pool threads.
void lrnForward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, float* y) {
  const int64_t image = int64_t(h) * w * c;
  for (int32_t b = 0; b < n; ++b)
    parallelRanges(h, kMinRows, [&](int64_t y0, int64_t y1) { lrnForwardRows(h, w, c, size, alpha, beta, x + b * image, y + b * image, int32_t(y0), int32_t(y1)); });
}

void lrnBackward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, const float* dy, float* dx) {
  const int64_t image = int64_t(h) * w * c;
  for (int32_t b = 0; b < n; ++b)
    parallelRanges(h, kMinRows, [&](int64_t y0, int64_t y1) { lrnBackwardRows(h, w, c, size, alpha, beta, x + b * image, dy + b * image, dx + b * image, int32_t(y0), int32_t(y1)); });
}
