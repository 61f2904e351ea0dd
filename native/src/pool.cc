#include "pool.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

void maxPoolGrad(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  std::memset(dx, 0, size_t(g.n * image) * sizeof(float));
  std::vector<float> best(g.c);
  std::vector<int64_t> where(g.c);
  for (int b = 0; b < g.n; ++b) {
    const float* xi = x + b * image;
    float* dxi = dx + b * image;
    for (int oy = 0; oy < g.outH; ++oy) {
      const int y0 = oy * g.sh - g.padTop;
      const int yStart = std::max(0, y0), yEnd = std::min(g.h, y0 + g.kh);
      for (int ox = 0; ox < g.outW; ++ox) {
        const int x0 = ox * g.sw - g.padLeft;
        const int xStart = std::max(0, x0), xEnd = std::min(g.w, x0 + g.kw);
        const float* gy = dy + ((int64_t(b) * g.outH + oy) * g.outW + ox) * g.c;
        if (yStart >= yEnd || xStart >= xEnd) continue;
        // First tap taken as is, then strictly greater values replace it.
        const int64_t first = (int64_t(yStart) * g.w + xStart) * g.c;
        for (int k = 0; k < g.c; ++k) {
          best[k] = xi[first + k];
          where[k] = first + k;
        }
        for (int y = yStart; y < yEnd; ++y) {
          for (int xx = xStart; xx < xEnd; ++xx) {
            const int64_t base = (int64_t(y) * g.w + xx) * g.c;
            if (base == first) continue;
            const float* v = xi + base;
            for (int k = 0; k < g.c; ++k) {
              if (v[k] > best[k]) {
                best[k] = v[k];
                where[k] = base + k;
              }
            }
          }
        }
        for (int k = 0; k < g.c; ++k) dxi[where[k]] += gy[k];
      }
    }
  }
}

namespace {

// out = Σ over the size×size window around each pixel (zeros outside), per channel: a
// horizontal then a vertical running window, both over contiguous channel vectors.
void boxSum(int32_t h, int32_t w, int32_t c, int32_t size, const float* in, float* tmp, float* out) {
  const int r = size / 2;
  const int64_t row = int64_t(w) * c;
  for (int y = 0; y < h; ++y) {
    const float* src = in + y * row;
    float* dst = tmp + y * row;
    for (int xx = 0; xx < w; ++xx) {
      float* d = dst + int64_t(xx) * c;
      std::fill(d, d + c, 0.f);
      for (int dx = -r; dx <= r; ++dx) {
        const int sx = xx + dx;
        if (sx < 0 || sx >= w) continue;
        const float* s = src + int64_t(sx) * c;
        for (int k = 0; k < c; ++k) d[k] += s[k];
      }
    }
  }
  for (int y = 0; y < h; ++y) {
    float* d = out + y * row;
    std::fill(d, d + row, 0.f);
    for (int dy = -r; dy <= r; ++dy) {
      const int sy = y + dy;
      if (sy < 0 || sy >= h) continue;
      const float* s = tmp + sy * row;
      for (int64_t k = 0; k < row; ++k) d[k] += s[k];
    }
  }
}

// s^−β for β = 0.75 and 0.5 without pow (ZF's β is 0.75).
inline float negPow(float s, float beta) {
  if (beta == 0.75f) return 1.f / std::sqrt(s * std::sqrt(s));
  if (beta == 0.5f) return 1.f / std::sqrt(s);
  return std::pow(s, -beta);
}

}  // namespace

void lrnForward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, float* y) {
  const int64_t image = int64_t(h) * w * c;
  const float scale = alpha / float(size * size);
  std::vector<float> sq(image), tmp(image), sum(image);
  for (int b = 0; b < n; ++b) {
    const float* xi = x + b * image;
    for (int64_t i = 0; i < image; ++i) sq[i] = xi[i] * xi[i];
    boxSum(h, w, c, size, sq.data(), tmp.data(), sum.data());
    float* yi = y + b * image;
    for (int64_t i = 0; i < image; ++i) yi[i] = xi[i] * negPow(1.f + scale * sum[i], beta);
  }
}

void lrnBackward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, const float* dy, float* dx) {
  const int64_t image = int64_t(h) * w * c;
  const float scale = alpha / float(size * size);
  std::vector<float> buf(image), tmp(image), sum(image), ps(image);
  for (int b = 0; b < n; ++b) {
    const float* xi = x + b * image;
    const float* gi = dy + b * image;
    for (int64_t i = 0; i < image; ++i) buf[i] = xi[i] * xi[i];
    boxSum(h, w, c, size, buf.data(), tmp.data(), sum.data());
    // t = dy · x · s^−β / s, kept in buf; s^−β kept in ps.
    for (int64_t i = 0; i < image; ++i) {
      const float s = 1.f + scale * sum[i];
      ps[i] = negPow(s, beta);
      buf[i] = gi[i] * xi[i] * ps[i] / s;
    }
    boxSum(h, w, c, size, buf.data(), tmp.data(), sum.data());
    float* di = dx + b * image;
    const float k = 2.f * alpha * beta / float(size * size);
    for (int64_t i = 0; i < image; ++i) di[i] = gi[i] * ps[i] - k * xi[i] * sum[i];
  }
}
