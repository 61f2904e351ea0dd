#include "direct-conv.h"

#include <algorithm>
#include <cstring>

#include "scratch.h"
#include "workers.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FRCNN_DIRECT_CONV 1
#endif

namespace {

constexpr int kMaxChannels = 4;  // image layers (RGB, maybe alpha)
// Windows of at most 3×3×3 taps: the kernel is load-bound (a filter load per two FMAs), and with
// ZF's 7×7 (147 taps) it only matched im2col + SGEMM (41–44 vs 41 ms).
constexpr int64_t kMaxPatch = 36;

#ifdef FRCNN_DIRECT_CONV

// kPixels adjacent output pixels of one row × kBlocks·8 filters, accumulated in registers over
// every tap: per tap kBlocks loads of the filter row and kPixels broadcasts feed
// kPixels·kBlocks FMAs (2 × 4: 8 accumulators, 4 filter vectors, 1 broadcast).
template <int kPixels, int kBlocks>
__attribute__((target("avx2,fma"), always_inline)) inline void tile(const float* in, int64_t rowStride, int64_t pixelStride, int kh, int taps, const float* w,
                                                                    int cout, float* out) {
  __m256 acc[kPixels][kBlocks];
  for (int j = 0; j < kPixels; ++j)
    for (int b = 0; b < kBlocks; ++b) acc[j][b] = _mm256_setzero_ps();
  for (int ky = 0; ky < kh; ++ky) {
    const float* r = in + ky * rowStride;
    const float* wk = w + int64_t(ky) * taps * cout;
    for (int t = 0; t < taps; ++t) {
      __m256 wv[kBlocks];
      for (int b = 0; b < kBlocks; ++b) wv[b] = _mm256_loadu_ps(wk + int64_t(t) * cout + 8 * b);
      for (int j = 0; j < kPixels; ++j) {
        const __m256 xv = _mm256_broadcast_ss(r + t + j * pixelStride);
        for (int b = 0; b < kBlocks; ++b) acc[j][b] = _mm256_fmadd_ps(xv, wv[b], acc[j][b]);
      }
    }
  }
  for (int j = 0; j < kPixels; ++j)
    for (int b = 0; b < kBlocks; ++b) _mm256_storeu_ps(out + int64_t(j) * cout + 8 * b, acc[j][b]);
}

// Output rows [r0, r1) (over all images) from the padded image (ph × pw × c per image).
template <int kPixels>
__attribute__((target("avx2,fma"))) void rowsOf(const ConvGeometry& g, const float* padded, int ph, int pw, const float* w, float* y, int64_t r0, int64_t r1) {
  const int taps = g.kw * g.c;  // one window row: kw·C consecutive floats of the padded image
  const int64_t rowStride = int64_t(pw) * g.c, pixelStride = int64_t(g.sw) * g.c;
  for (int64_t r = r0; r < r1; ++r) {
    const int b = int(r / g.outH), oy = int(r % g.outH);
    const float* rowIn = padded + (int64_t(b) * ph + int64_t(oy) * g.sh) * rowStride;
    float* rowOut = y + r * g.outW * g.cout;
    // Filter blocks outermost: one block's taps (ZF's 147 × 32 floats, 18 KB) stay in L1 along the row.
    for (int co = 0; co < g.cout;) {
      const int width = g.cout - co >= 32 ? 32 : 8;
      int ox = 0;
      for (; ox + kPixels <= g.outW; ox += kPixels) {
        const float* in = rowIn + ox * pixelStride;
        float* out = rowOut + int64_t(ox) * g.cout + co;
        if (width == 32) tile<kPixels, 4>(in, rowStride, pixelStride, g.kh, taps, w + co, g.cout, out);
        else tile<kPixels, 1>(in, rowStride, pixelStride, g.kh, taps, w + co, g.cout, out);
      }
      for (; ox < g.outW; ++ox)
        for (int c8 = co; c8 < co + width; c8 += 8)
          tile<1, 1>(rowIn + ox * pixelStride, rowStride, pixelStride, g.kh, taps, w + c8, g.cout, rowOut + int64_t(ox) * g.cout + c8);
      co += width;
    }
  }
}

bool hasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

#endif

}  // namespace

bool directConvApplies(const ConvGeometry& g) {
#ifdef FRCNN_DIRECT_CONV
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  return hasAvx2Fma() && g.c <= kMaxChannels && g.cout % 8 == 0 && patch >= 9 && patch <= kMaxPatch;
#else
  (void)g;
  return false;
#endif
}

// The image copied once with its zero border (and the bottom/right rows the last windows
// reach), so the kernel reads every window without bounds checks.
void directConvForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
#ifdef FRCNN_DIRECT_CONV
  const int ph = (g.outH - 1) * g.sh + g.kh, pw = (g.outW - 1) * g.sw + g.kw;
  const int64_t paddedImage = int64_t(ph) * pw * g.c;
  float* padded = scratch(kScratchPackedImage, size_t(g.n * paddedImage));
  parallelRanges(int64_t(g.n) * ph, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int b = int(r / ph), py = int(r % ph), iy = py - g.padTop;
      float* dst = padded + r * pw * g.c;
      std::memset(dst, 0, size_t(pw) * g.c * sizeof(float));
      if (iy < 0 || iy >= g.h) continue;
      const int x0 = std::max(0, g.padLeft), x1 = std::min(pw, g.padLeft + g.w);  // padded columns holding image pixels
      if (x0 < x1)
        std::memcpy(dst + int64_t(x0) * g.c, x + ((int64_t(b) * g.h + iy) * g.w + (x0 - g.padLeft)) * g.c, size_t(x1 - x0) * g.c * sizeof(float));
    }
  });
  parallelRanges(int64_t(g.n) * g.outH, 4, [&](int64_t r0, int64_t r1) { rowsOf<2>(g, padded, ph, pw, w, y, r0, r1); });
#else
  (void)g, (void)x, (void)w, (void)y;
#endif
}
