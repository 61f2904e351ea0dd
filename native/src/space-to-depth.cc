#include "space-to-depth.h"

#include <algorithm>
#include <cstring>

#include "scratch.h"
#include "winograd.h"
#include "workers.h"

// x'[i][j][(py·2 + px)·C + c] = x[2i + py − padTop][2j + px − padLeft][c] (zeros outside), for
// i < outH + 2, j < outW + 2; then y[o] = Σ_{a,b < 3} x'[o + a][p + b] · w'[a][b], with
// w'[a][b][(py·2 + px)·C + c] = w[2a + py][2b + px][c] (zero past the kernel): a 3×3 stride-1
// conv without padding.

namespace {

// The 3×3 stride-1 geometry on the space-to-depth image.
ConvGeometry packedGeometry(const ConvGeometry& g) {
  return ConvGeometry{g.n, g.outH + 2, g.outW + 2, 4 * g.c, 3, 3, 1, 1, 0, 0, g.outH, g.outW, g.cout};
}

// Source row / column of x for packed row i and phase p, or −1 outside the image.
inline int source(int i, int p, int pad, int size) {
  const int v = 2 * i + p - pad;
  return v >= 0 && v < size ? v : -1;
}

// toPacked: x → x' (gather); else x' → x (the adjoint: each x pixel is one x' entry, so a copy back).
template <bool toPacked>
void repack(const ConvGeometry& g, const ConvGeometry& p, float* x, float* packed) {
  const int64_t run = g.c;
  parallelRanges(int64_t(g.n) * p.h, 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int b = int(r / p.h), i = int(r % p.h);
      for (int j = 0; j < p.w; ++j)
        for (int phase = 0; phase < 4; ++phase) {
          const int sy = source(i, phase >> 1, g.padTop, g.h), sx = source(j, phase & 1, g.padLeft, g.w);
          float* pk = packed + ((int64_t(b) * p.h + i) * p.w + j) * p.c + phase * run;
          const bool inside = sy >= 0 && sx >= 0;
          float* px = inside ? x + ((int64_t(b) * g.h + sy) * g.w + sx) * run : nullptr;
          if (toPacked) {
            if (inside) std::memcpy(pk, px, size_t(run) * sizeof(float));
            else std::memset(pk, 0, size_t(run) * sizeof(float));
          } else if (inside) {
            std::memcpy(px, pk, size_t(run) * sizeof(float));
          }
        }
    }
  });
}

// toPacked: w (kh × kw × C × K) → w' (3 × 3 × 4C × K, zeros past the kernel); else w' → w.
template <bool toPacked>
void repackFilter(const ConvGeometry& g, float* w, float* packed) {
  const size_t row = size_t(g.c) * g.cout;  // one tap's C × K block
  for (int a = 0; a < 3; ++a)
    for (int bb = 0; bb < 3; ++bb)
      for (int phase = 0; phase < 4; ++phase) {
        const int ky = 2 * a + (phase >> 1), kx = 2 * bb + (phase & 1);
        float* pk = packed + (size_t(a * 3 + bb) * 4 + phase) * row;
        const bool inside = ky < g.kh && kx < g.kw;
        float* src = inside ? w + size_t(ky * g.kw + kx) * row : nullptr;
        if (toPacked) {
          if (inside) std::memcpy(pk, src, row * sizeof(float));
          else std::memset(pk, 0, row * sizeof(float));
        } else if (inside) {
          std::memcpy(src, pk, row * sizeof(float));
        }
      }
}

size_t packedSize(const ConvGeometry& p) { return size_t(p.n) * p.h * p.w * p.c; }

}  // namespace

bool spaceToDepthApplies(const ConvGeometry& g) {
  return g.sh == 2 && g.sw == 2 && g.kh >= 4 && g.kh <= 6 && g.kw >= 4 && g.kw <= 6 && g.padTop <= 6 && g.padLeft <= 6 && winogradApplies(packedGeometry(g));
}

void spaceToDepthForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const ConvGeometry p = packedGeometry(g);
  float* packed = scratch(kScratchPackedImage, packedSize(p));
  float* filter = scratch(kScratchPackedFilter, size_t(9) * p.c * p.cout);
  repack<true>(g, p, const_cast<float*>(x), packed);
  repackFilter<true>(g, const_cast<float*>(w), filter);
  winogradForward(p, packed, filter, y);
}

void spaceToDepthInputGrad(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const ConvGeometry p = packedGeometry(g);
  float* packed = scratch(kScratchPackedImage, packedSize(p));
  float* filter = scratch(kScratchPackedFilter, size_t(9) * p.c * p.cout);
  repackFilter<true>(g, const_cast<float*>(w), filter);
  winogradInputGrad(p, dy, filter, packed);
  // Pixels no window reaches (past the last one) get no gradient; the rest are copied back.
  std::memset(dx, 0, size_t(g.n) * g.h * g.w * g.c * sizeof(float));
  repack<false>(g, p, dx, packed);
}

void spaceToDepthFilterGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const ConvGeometry p = packedGeometry(g);
  float* packed = scratch(kScratchPackedImage, packedSize(p));
  float* filter = scratch(kScratchPackedFilter, size_t(9) * p.c * p.cout);
  repack<true>(g, p, const_cast<float*>(x), packed);
  winogradFilterGrad(p, packed, dy, filter);
  repackFilter<false>(g, dw, filter);
}
