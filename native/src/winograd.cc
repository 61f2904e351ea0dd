#include "winograd.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "clones.h"
#include "elementwise.h"  // addInto
#include "scratch.h"
#include "workers.h"

// Transform matrices for the points 0, ±1, ±2, ∞ (α = 6):
//   Bᵀ (6×6, input) is shared by F(4×4, 3×3) and F(3×3, 4×4);
//   G (6×3) and Aᵀ (4×6) for F(4, 3);  G' (6×4) and A'ᵀ (3×6) for F(3, 4), the same points with
//   the roles of filter and output lengths swapped: G rows are Lagrange-scaled Vandermonde rows.
// Every transform works on vectors of channels (NHWC keeps them contiguous) in chunks of kChunk,
// so a tile's 6×6×kChunk scratch stays in L1 and the inner loops vectorise.

namespace {

constexpr int kM = 4;       // output tile of the forward pass
constexpr int kA = 6;       // input tile α = m + r − 1
constexpr int kCells = 36;  // α², one SGEMM each
constexpr int kChunk = 64;  // channels per transform pass
// G's fractions as products (a division per element costs more than the rest of the transform)
constexpr float kSixth = 1.f / 6.f, k12th = 1.f / 12.f, k24th = 1.f / 24.f;

std::atomic<bool> enabled{true};

struct Tiling {
  int tilesY, tilesX;
  int64_t count() const { return int64_t(tilesY) * tilesX; }
};

Tiling tiling(int outH, int outW) { return {(outH + kM - 1) / kM, (outW + kM - 1) / kM}; }

// V[e][q][:] = (Bᵀ d B)[e] for the 6×6 patch d of image x (h×w×c) under tile t0 + q, whose first
// input row/column is 4·tile − pad; `zeros` (c floats) stands in for pixels outside the image.
FRCNN_CLONES void inputTransform(const float* x, int h, int w, int c, int padTop, int padLeft, Tiling t, int64_t t0, int64_t count, const float* zeros,
                                 float* V) {
  const int64_t plane = count * c;
  alignas(64) float tmp[kCells * kChunk];
  for (int64_t q = 0; q < count; ++q) {
    const int64_t tile = t0 + q;
    const int iy0 = int(tile / t.tilesX) * kM - padTop, ix0 = int(tile % t.tilesX) * kM - padLeft;
    const float* src[kA][kA];
    for (int r = 0; r < kA; ++r)
      for (int s = 0; s < kA; ++s) {
        const int iy = iy0 + r, ix = ix0 + s;
        src[r][s] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x + (int64_t(iy) * w + ix) * c : zeros;
      }
    for (int c0 = 0; c0 < c; c0 += kChunk) {
      const int cb = std::min(kChunk, c - c0);
      for (int s = 0; s < kA; ++s) {  // columns: tmp[r][s] = (Bᵀ d)[r][s]
        const float *__restrict d0 = src[0][s] + c0, *__restrict d1 = src[1][s] + c0, *__restrict d2 = src[2][s] + c0;
        const float *__restrict d3 = src[3][s] + c0, *__restrict d4 = src[4][s] + c0, *__restrict d5 = src[5][s] + c0;
        float* __restrict o = tmp + s * kChunk;
        for (int k = 0; k < cb; ++k) {
          o[0 * kA * kChunk + k] = 4.f * d0[k] - 5.f * d2[k] + d4[k];
          o[1 * kA * kChunk + k] = -4.f * (d1[k] + d2[k]) + d3[k] + d4[k];
          o[2 * kA * kChunk + k] = 4.f * (d1[k] - d2[k]) - d3[k] + d4[k];
          o[3 * kA * kChunk + k] = 2.f * (d3[k] - d1[k]) - d2[k] + d4[k];
          o[4 * kA * kChunk + k] = 2.f * (d1[k] - d3[k]) - d2[k] + d4[k];
          o[5 * kA * kChunk + k] = 4.f * d1[k] - 5.f * d3[k] + d5[k];
        }
      }
      for (int r = 0; r < kA; ++r) {  // rows: V[6r + s] = (tmp B)[r][s]
        const float* __restrict m = tmp + r * kA * kChunk;
        float* __restrict v = V + int64_t(r * kA) * plane + q * c + c0;
        for (int k = 0; k < cb; ++k) {
          const float m0 = m[k], m1 = m[kChunk + k], m2 = m[2 * kChunk + k], m3 = m[3 * kChunk + k], m4 = m[4 * kChunk + k], m5 = m[5 * kChunk + k];
          v[k] = 4.f * m0 - 5.f * m2 + m4;
          v[plane + k] = -4.f * (m1 + m2) + m3 + m4;
          v[2 * plane + k] = 4.f * (m1 - m2) - m3 + m4;
          v[3 * plane + k] = 2.f * (m3 - m1) - m2 + m4;
          v[4 * plane + k] = 2.f * (m1 - m3) - m2 + m4;
          v[5 * plane + k] = 4.f * m1 - 5.f * m3 + m5;
        }
      }
    }
  }
}

// y = Aᵀ m A for the products m = M[e][q][:] of tile t0 + q (4×4 outputs × k channels of an
// outH×outW×k image); border tiles write only the part inside the image.
FRCNN_CLONES void outputTransform(const float* M, int64_t count, int k, Tiling t, int64_t t0, int outH, int outW, float* y) {
  const int64_t plane = count * k;
  alignas(64) float tmp[kM * kA * kChunk];
  alignas(64) float sink[kChunk];
  for (int64_t q = 0; q < count; ++q) {
    const int64_t tile = t0 + q;
    const int oy0 = int(tile / t.tilesX) * kM, ox0 = int(tile % t.tilesX) * kM;
    for (int k0 = 0; k0 < k; k0 += kChunk) {
      const int kb = std::min(kChunk, k - k0);
      for (int s = 0; s < kA; ++s) {  // columns: tmp[i][s] = (Aᵀ m)[i][s]
        const float* __restrict m = M + int64_t(s) * plane + q * k + k0;
        float* __restrict o = tmp + s * kChunk;
        const int64_t row = int64_t(kA) * plane;
        for (int j = 0; j < kb; ++j) {
          const float m0 = m[j], m1 = m[row + j], m2 = m[2 * row + j], m3 = m[3 * row + j], m4 = m[4 * row + j], m5 = m[5 * row + j];
          o[j] = m0 + m1 + m2 + m3 + m4;
          o[kA * kChunk + j] = m1 - m2 + 2.f * (m3 - m4);
          o[2 * kA * kChunk + j] = m1 + m2 + 4.f * (m3 + m4);
          o[3 * kA * kChunk + j] = m1 - m2 + 8.f * (m3 - m4) + m5;
        }
      }
      for (int i = 0; i < kM && oy0 + i < outH; ++i) {  // rows: y[i][:] = (tmp A)[i][:]
        const float* __restrict m = tmp + i * kA * kChunk;
        float* out[kM];
        for (int j = 0; j < kM; ++j) out[j] = ox0 + j < outW ? y + (int64_t(oy0 + i) * outW + ox0 + j) * k + k0 : sink;
        float *__restrict y0 = out[0], *__restrict y1 = out[1], *__restrict y2 = out[2], *__restrict y3 = out[3];
        for (int j = 0; j < kb; ++j) {
          const float m0 = m[j], m1 = m[kChunk + j], m2 = m[2 * kChunk + j], m3 = m[3 * kChunk + j], m4 = m[4 * kChunk + j], m5 = m[5 * kChunk + j];
          y0[j] = m0 + m1 + m2 + m3 + m4;
          y1[j] = m1 - m2 + 2.f * (m3 - m4);
          y2[j] = m1 + m2 + 4.f * (m3 + m4);
          y3[j] = m1 - m2 + 8.f * (m3 - m4) + m5;
        }
      }
    }
  }
}

// U[e][ci][:] = (G g Gᵀ)[e] for the 3×3 filters g = w[:, :, ci, :] (HWIO, c × k), ci0 ≤ ci < ci1.
FRCNN_CLONES void filterTransform(const float* w, int c, int k, int ci0, int ci1, float* U) {
  const int64_t plane = int64_t(c) * k;
  alignas(64) float tmp[kA * 3 * kChunk];
  for (int ci = ci0; ci < ci1; ++ci)
    for (int k0 = 0; k0 < k; k0 += kChunk) {
      const int kb = std::min(kChunk, k - k0);
      for (int s = 0; s < 3; ++s) {  // columns: tmp[r][s] = (G g)[r][s]
        const float *__restrict g0 = w + (int64_t(0 * 3 + s) * c + ci) * k + k0, *__restrict g1 = w + (int64_t(1 * 3 + s) * c + ci) * k + k0;
        const float* __restrict g2 = w + (int64_t(2 * 3 + s) * c + ci) * k + k0;
        float* __restrict o = tmp + s * kChunk;
        for (int j = 0; j < kb; ++j) {
          o[j] = g0[j] * 0.25f;
          o[3 * kChunk + j] = -(g0[j] + g1[j] + g2[j]) * kSixth;
          o[6 * kChunk + j] = -(g0[j] - g1[j] + g2[j]) * kSixth;
          o[9 * kChunk + j] = g0[j] * k24th + g1[j] * k12th + g2[j] * kSixth;
          o[12 * kChunk + j] = g0[j] * k24th - g1[j] * k12th + g2[j] * kSixth;
          o[15 * kChunk + j] = g2[j];
        }
      }
      for (int r = 0; r < kA; ++r) {  // rows: U[6r + s] = (tmp Gᵀ)[r][s]
        const float* __restrict m = tmp + r * 3 * kChunk;
        float* __restrict u = U + int64_t(r * kA) * plane + int64_t(ci) * k + k0;
        for (int j = 0; j < kb; ++j) {
          const float m0 = m[j], m1 = m[kChunk + j], m2 = m[2 * kChunk + j];
          u[j] = m0 * 0.25f;
          u[plane + j] = -(m0 + m1 + m2) * kSixth;
          u[2 * plane + j] = -(m0 - m1 + m2) * kSixth;
          u[3 * plane + j] = m0 * k24th + m1 * k12th + m2 * kSixth;
          u[4 * plane + j] = m0 * k24th - m1 * k12th + m2 * kSixth;
          u[5 * plane + j] = m2;
        }
      }
    }
}

// D[e][q][:] = (G' f G'ᵀ)[e] for the 4×4 tile f of dy (outH×outW×k) at tile t0 + q, zeros past
// the edges: the filter side of F(3×3, 4×4), which the filter gradient correlates x with.
FRCNN_CLONES void gradTransform(const float* dy, int outH, int outW, int k, Tiling t, int64_t t0, int64_t count, const float* zeros, float* D) {
  const int64_t plane = count * k;
  alignas(64) float tmp[kA * kM * kChunk];
  for (int64_t q = 0; q < count; ++q) {
    const int64_t tile = t0 + q;
    const int oy0 = int(tile / t.tilesX) * kM, ox0 = int(tile % t.tilesX) * kM;
    const float* src[kM][kM];
    for (int r = 0; r < kM; ++r)
      for (int s = 0; s < kM; ++s) src[r][s] = oy0 + r < outH && ox0 + s < outW ? dy + (int64_t(oy0 + r) * outW + ox0 + s) * k : zeros;
    for (int k0 = 0; k0 < k; k0 += kChunk) {
      const int kb = std::min(kChunk, k - k0);
      for (int s = 0; s < kM; ++s) {  // columns: tmp[r][s] = (G' f)[r][s]
        const float *__restrict a0 = src[0][s] + k0, *__restrict a1 = src[1][s] + k0, *__restrict a2 = src[2][s] + k0, *__restrict a3 = src[3][s] + k0;
        float* __restrict o = tmp + s * kChunk;
        for (int j = 0; j < kb; ++j) {
          o[j] = a0[j] * 0.25f;
          o[4 * kChunk + j] = -(a0[j] + a1[j] + a2[j] + a3[j]) * kSixth;
          o[8 * kChunk + j] = -(a0[j] - a1[j] + a2[j] - a3[j]) * kSixth;
          o[12 * kChunk + j] = (a0[j] + 2.f * a1[j] + 4.f * a2[j] + 8.f * a3[j]) * k24th;
          o[16 * kChunk + j] = (a0[j] - 2.f * a1[j] + 4.f * a2[j] - 8.f * a3[j]) * k24th;
          o[20 * kChunk + j] = a3[j];
        }
      }
      for (int r = 0; r < kA; ++r) {  // rows: D[6r + s] = (tmp G'ᵀ)[r][s]
        const float* __restrict m = tmp + r * kM * kChunk;
        float* __restrict d = D + int64_t(r * kA) * plane + q * k + k0;
        for (int j = 0; j < kb; ++j) {
          const float m0 = m[j], m1 = m[kChunk + j], m2 = m[2 * kChunk + j], m3 = m[3 * kChunk + j];
          d[j] = m0 * 0.25f;
          d[plane + j] = -(m0 + m1 + m2 + m3) * kSixth;
          d[2 * plane + j] = -(m0 - m1 + m2 - m3) * kSixth;
          d[3 * plane + j] = (m0 + 2.f * m1 + 4.f * m2 + 8.f * m3) * k24th;
          d[4 * plane + j] = (m0 - 2.f * m1 + 4.f * m2 - 8.f * m3) * k24th;
          d[5 * plane + j] = m3;
        }
      }
    }
  }
}

// dw[i][j][ci][:] = (A'ᵀ S A')[i][j] for the accumulated products S[e][ci][:] (36 × c × k).
FRCNN_CLONES void filterGradOutput(const float* S, int c, int k, float* dw) {
  const int64_t plane = int64_t(c) * k;
  alignas(64) float tmp[3 * kA * kChunk];
  for (int ci = 0; ci < c; ++ci)
    for (int k0 = 0; k0 < k; k0 += kChunk) {
      const int kb = std::min(kChunk, k - k0);
      const int64_t at = int64_t(ci) * k + k0;
      for (int s = 0; s < kA; ++s) {  // columns: tmp[i][s] = (A'ᵀ S)[i][s]
        const float* __restrict m = S + int64_t(s) * plane + at;
        const int64_t row = int64_t(kA) * plane;
        float* __restrict o = tmp + s * kChunk;
        for (int j = 0; j < kb; ++j) {
          const float m0 = m[j], m1 = m[row + j], m2 = m[2 * row + j], m3 = m[3 * row + j], m4 = m[4 * row + j], m5 = m[5 * row + j];
          o[j] = m0 + m1 + m2 + m3 + m4;
          o[kA * kChunk + j] = m1 - m2 + 2.f * (m3 - m4);
          o[2 * kA * kChunk + j] = m1 + m2 + 4.f * (m3 + m4) + m5;
        }
      }
      for (int i = 0; i < 3; ++i) {  // rows: dw[i][:] = (tmp A')[i][:]
        const float* __restrict m = tmp + i * kA * kChunk;
        float *__restrict w0 = dw + (int64_t(i * 3 + 0) * plane) + at, *__restrict w1 = dw + (int64_t(i * 3 + 1) * plane) + at;
        float* __restrict w2 = dw + (int64_t(i * 3 + 2) * plane) + at;
        for (int j = 0; j < kb; ++j) {
          const float m0 = m[j], m1 = m[kChunk + j], m2 = m[2 * kChunk + j], m3 = m[3 * kChunk + j], m4 = m[4 * kChunk + j], m5 = m[5 * kChunk + j];
          w0[j] = m0 + m1 + m2 + m3 + m4;
          w1[j] = m1 - m2 + 2.f * (m3 - m4);
          w2[j] = m1 + m2 + 4.f * (m3 + m4) + m5;
        }
      }
    }
}

// Blocks of tiles for one pipeline pass: the transformed block (36 × tiles × (inC + outC) floats)
// near `bytes` so it stays in cache between transform and SGEMM, but at least `minimum` tiles
// (each SGEMM needs rows, and the transformed filter is reread once per block).
Blocks tileBlocks(int n, int64_t tiles, int inC, int outC, int64_t bytes, int64_t minimum) {
  return splitBlocks(n, tiles, std::max(minimum, bytes / (int64_t(kCells) * 4 * (inC + outC))));
}

// Wider layers get more tiles per block: their transformed filter (36 × inC × outC) is larger.
int64_t minimumTiles(int inC, int outC) { return std::clamp<int64_t>(int64_t(inC) * outC / (inC + outC) / 2, 32, 128); }

// U (36 × c × k) for the HWIO filter w, rows split over the workers.
void transformFilter(const float* w, int c, int k, float* U) {
  parallelRanges(c, std::max(1, (1 << 16) / k), [&](int64_t begin, int64_t end) { filterTransform(w, c, k, int(begin), int(end), U); });
}

// flipped[tap][ko][ci] = w[8 − tap][ci][ko]: the filter turned 180° with its channel axes swapped
// (in 32 × 32 blocks, so that neither side is walked with a stride of a whole row per element).
void flipFilter(const float* w, int64_t c, int64_t k, float* flipped) {
  constexpr int64_t kB = 32;
  const int parts = workers();
  onWorkers([&](int part) {
    for (int tap = part; tap < 9; tap += parts) {
      const float* src = w + int64_t(8 - tap) * c * k;
      float* dst = flipped + int64_t(tap) * c * k;
      for (int64_t c0 = 0; c0 < c; c0 += kB)
        for (int64_t k0 = 0; k0 < k; k0 += kB)
          for (int64_t ko = k0; ko < std::min(k, k0 + kB); ++ko)
            for (int64_t ci = c0; ci < std::min(c, c0 + kB); ++ci) dst[ko * c + ci] = src[ci * k + ko];
    }
  });
}

// The forward pass with an already transformed filter U (36 × c × cout). Each worker takes blocks
// of tiles from a shared counter through its own transform → single-threaded SGEMMs → transform
// pipeline: the transforms run in parallel too, and the per-cell SGEMMs (often small) skip
// OpenBLAS's thread hand-offs.
void forwardTransformed(const ConvGeometry& g, const float* x, const float* U, float* y) {
  const Tiling t = tiling(g.outH, g.outW);
  const int64_t tiles = t.count();
  const Blocks blocks = tileBlocks(g.n, tiles, g.c, g.cout, 1 << 20, minimumTiles(g.c, g.cout));
  const int64_t inImage = int64_t(g.h) * g.w * g.c, outImage = int64_t(g.outH) * g.outW * g.cout;
  const std::vector<float> zeros(size_t(g.c), 0.f);
  std::vector<float*> Vs, Ms;
  for (int w = 0; w < blockWorkers(blocks); ++w) {
    Vs.push_back(scratch(kScratchWorker + 3 * w, size_t(kCells * blocks.size * g.c)));
    Ms.push_back(scratch(kScratchWorker + 3 * w + 1, size_t(kCells * blocks.size * g.cout)));
  }
  onBlocks(blocks, [&](int worker, int b, int64_t t0, int64_t count, bool) {
    float *V = Vs[size_t(worker)], *M = Ms[size_t(worker)];
    inputTransform(x + b * inImage, g.h, g.w, g.c, g.padTop, g.padLeft, t, t0, count, zeros.data(), V);
    for (int e = 0; e < kCells; ++e)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(count), g.cout, g.c, 1.f, V + e * count * g.c, g.c, U + int64_t(e) * g.c * g.cout, g.cout,
                  0.f, M + e * count * g.cout, g.cout);
    outputTransform(M, count, g.cout, t, t0, g.outH, g.outW, y + b * outImage);
  });
}

}  // namespace

bool setWinogradEnabled(bool on) { return enabled.exchange(on); }
bool winogradEnabled() { return enabled.load(); }

bool winogradApplies(const ConvGeometry& g) {
  return g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.padTop <= 2 && g.padLeft <= 2 && g.c >= 16 && g.cout >= 16;
}

void winogradForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  float* U = scratch(kScratchFilter, size_t(kCells) * g.c * g.cout);
  transformFilter(w, g.c, g.cout, U);
  forwardTransformed(g, x, U, y);
}

// dx is the forward pass of dy with the filter turned 180° and its channel axes swapped, and the
// complementary padding (2 − pad): dx[iy] = Σ_ky dy[iy − ky + pad] · w[ky].
void winogradInputGrad(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int64_t c = g.c, k = g.cout;
  float* flipped = scratch(kScratchFlipped, size_t(9 * c * k));
  flipFilter(w, c, k, flipped);
  float* U = scratch(kScratchFilter, size_t(kCells * c * k));
  transformFilter(flipped, int(k), int(c), U);
  const ConvGeometry back{g.n, g.outH, g.outW, g.cout, 3, 3, 1, 1, 2 - g.padTop, 2 - g.padLeft, g.h, g.w, g.c};
  forwardTransformed(back, dy, U, dx);
}

void winogradFilterGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const Tiling t = tiling(g.outH, g.outW);
  const int64_t tiles = t.count();
  // The products are summed over tiles inside each SGEMM, which rereads its S (36 × c × cout)
  // per block: blocks of many tiles keep that reread small next to the multiply-adds.
  const Blocks blocks = tileBlocks(g.n, tiles, g.c, g.cout, 8 << 20, 128);
  const int64_t inImage = int64_t(g.h) * g.w * g.c, outImage = int64_t(g.outH) * g.outW * g.cout;
  const size_t sums = size_t(kCells) * g.c * g.cout;
  const std::vector<float> zerosIn(size_t(g.c), 0.f), zerosOut(size_t(g.cout), 0.f);
  // One S per worker, added up at the end.
  std::vector<float*> Vs, Ds, sumsOf;
  for (int w = 0; w < blockWorkers(blocks); ++w) {
    Vs.push_back(scratch(kScratchWorker + 3 * w, size_t(kCells * blocks.size * g.c)));
    Ds.push_back(scratch(kScratchWorker + 3 * w + 1, size_t(kCells * blocks.size * g.cout)));
    sumsOf.push_back(scratch(kScratchWorker + 3 * w + 2, sums));
  }
  const std::vector<char> worked = onBlocks(blocks, [&](int worker, int b, int64_t t0, int64_t count, bool first) {
    float *V = Vs[size_t(worker)], *D = Ds[size_t(worker)], *sum = sumsOf[size_t(worker)];
    inputTransform(x + b * inImage, g.h, g.w, g.c, g.padTop, g.padLeft, t, t0, count, zerosIn.data(), V);
    gradTransform(dy + b * outImage, g.outH, g.outW, g.cout, t, t0, count, zerosOut.data(), D);
    // A worker's first block overwrites its S (beta 0), the others add to it.
    for (int e = 0; e < kCells; ++e)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g.c, g.cout, int(count), 1.f, V + e * count * g.c, g.c, D + e * count * g.cout, g.cout,
                  first ? 0.f : 1.f, sum + int64_t(e) * g.c * g.cout, g.cout);
  });
  float* total = sumsOf[0];
  if (!worked[0]) std::fill(total, total + sums, 0.f);
  for (size_t w = 1; w < sumsOf.size(); ++w)
    if (worked[w]) addInto(total, sumsOf[w], int64_t(sums));
  filterGradOutput(total, g.c, g.cout, dw);
}
