#include "conv.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "direct-conv.h"
#include "elementwise.h"  // addInto
#include "scratch.h"
#include "space-to-depth.h"
#include "winograd.h"
#include "workers.h"

namespace {

// Output pixels per im2col block: the column block (pixels × kh·kw·C floats) stays within ~1 MB
// so it is written and read back from cache, while the GEMM still sees a tall matrix. (ZF's
// conv1, medians of 15 on Zen 3 with 512 KB L2: forward 41 ms at 0.25–1 MB, 46–58 at 4 MB.)
int64_t blockPixels(const ConvGeometry& g) {
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const int64_t target = (1 << 20) / (4 * patch);  // ~1 MB of columns
  return std::max<int64_t>(64, std::min<int64_t>(target, int64_t(g.outH) * g.outW));
}

bool isPointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padTop == 0 && g.padLeft == 0 && g.outH == g.h && g.outW == g.w;
}

// Columns of output pixels [p0, p0 + count) of image `x` (one image): row q holds the kh×kw×C
// patch under output pixel p0 + q, zeros where it hangs over the border.
void im2col(const ConvGeometry& g, const float* x, int64_t p0, int64_t count, float* col) {
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const size_t run = size_t(g.c) * sizeof(float);
  for (int64_t q = 0; q < count; ++q) {
    const int64_t p = p0 + q;
    const int oy = int(p / g.outW), ox = int(p % g.outW);
    float* dst = col + q * patch;
    for (int ky = 0; ky < g.kh; ++ky) {
      const int iy = oy * g.sh - g.padTop + ky;
      if (iy < 0 || iy >= g.h) {
        std::memset(dst, 0, size_t(g.kw) * run);
        dst += int64_t(g.kw) * g.c;
        continue;
      }
      const float* row = x + int64_t(iy) * g.w * g.c;
      const int ix0 = ox * g.sw - g.padLeft;
      if (ix0 >= 0 && ix0 + g.kw <= g.w) {  // the kw taps are one run of kw·C floats
        std::memcpy(dst, row + int64_t(ix0) * g.c, size_t(g.kw) * run);
        dst += int64_t(g.kw) * g.c;
        continue;
      }
      for (int kx = 0; kx < g.kw; ++kx, dst += g.c) {
        const int ix = ox * g.sw - g.padLeft + kx;
        if (ix < 0 || ix >= g.w) std::memset(dst, 0, run);
        else std::memcpy(dst, row + int64_t(ix) * g.c, run);
      }
    }
  }
}

// The adjoint of im2col: adds each column row's patch back into image `dx`.
void col2imAdd(const ConvGeometry& g, const float* col, int64_t p0, int64_t count, float* dx) {
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  for (int64_t q = 0; q < count; ++q) {
    const int64_t p = p0 + q;
    const int oy = int(p / g.outW), ox = int(p % g.outW);
    const float* src = col + q * patch;
    for (int ky = 0; ky < g.kh; ++ky) {
      const int iy = oy * g.sh - g.padTop + ky;
      if (iy < 0 || iy >= g.h) {
        src += int64_t(g.kw) * g.c;
        continue;
      }
      float* row = dx + int64_t(iy) * g.w * g.c;
      const int ix0 = ox * g.sw - g.padLeft;
      if (ix0 >= 0 && ix0 + g.kw <= g.w) {  // one run of kw·C floats
        float* d = row + int64_t(ix0) * g.c;
        const int64_t span = int64_t(g.kw) * g.c;
        for (int64_t k = 0; k < span; ++k) d[k] += src[k];
        src += span;
        continue;
      }
      for (int kx = 0; kx < g.kw; ++kx, src += g.c) {
        const int ix = ox * g.sw - g.padLeft + kx;
        if (ix < 0 || ix >= g.w) continue;
        float* d = row + int64_t(ix) * g.c;
        for (int k = 0; k < g.c; ++k) d[k] += src[k];
      }
    }
  }
}

}  // namespace

void convForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  if (winogradEnabled() && winogradApplies(g)) return winogradForward(g, x, w, y);
  if (winogradEnabled() && spaceToDepthApplies(g)) return spaceToDepthForward(g, x, w, y);
  if (directConvApplies(g)) return directConvForward(g, x, w, y);
  const int64_t pixels = int64_t(g.outH) * g.outW;
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const int64_t inImage = int64_t(g.h) * g.w * g.c, outImage = pixels * g.cout;
  if (isPointwise(g)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(g.n * pixels), g.cout, g.c, 1.f, x, g.c, w, g.cout, 0.f, y, g.cout);
    return;
  }
  const Blocks blocks = splitBlocks(g.n, pixels, blockPixels(g));
  std::vector<float*> cols;
  for (int t = 0; t < blockWorkers(blocks); ++t) cols.push_back(scratch(kScratchIm2col + t, size_t(blocks.size * patch)));
  onBlocks(blocks, [&](int worker, int b, int64_t p0, int64_t count, bool) {
    float* col = cols[size_t(worker)];
    im2col(g, x + b * inImage, p0, count, col);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(count), g.cout, int(patch), 1.f, col, int(patch), w, g.cout, 0.f,
                y + b * outImage + p0 * g.cout, g.cout);
  });
}

// Each worker sums its blocks' products into its own dw (the caller's straight into dw), added up at the end.
void convFilterGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  if (winogradEnabled() && winogradApplies(g)) return winogradFilterGrad(g, x, dy, dw);
  if (winogradEnabled() && spaceToDepthApplies(g)) return spaceToDepthFilterGrad(g, x, dy, dw);
  const int64_t pixels = int64_t(g.outH) * g.outW;
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const int64_t inImage = int64_t(g.h) * g.w * g.c, outImage = pixels * g.cout;
  if (isPointwise(g)) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g.c, g.cout, int(g.n * pixels), 1.f, x, g.c, dy, g.cout, 0.f, dw, g.cout);
    return;
  }
  const Blocks blocks = splitBlocks(g.n, pixels, blockPixels(g));
  const int64_t sums = patch * g.cout;
  std::vector<float*> cols, acc{dw};
  for (int t = 0; t < blockWorkers(blocks); ++t) cols.push_back(scratch(kScratchIm2col + t, size_t(blocks.size * patch)));
  for (int t = 1; t < blockWorkers(blocks); ++t) acc.push_back(scratch(kScratchConvSum + t, size_t(sums)));
  const std::vector<char> worked = onBlocks(blocks, [&](int worker, int b, int64_t p0, int64_t count, bool first) {
    float* col = cols[size_t(worker)];
    im2col(g, x + b * inImage, p0, count, col);
    // A worker's first block overwrites its accumulator (beta 0), the others add to it.
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(patch), g.cout, int(count), 1.f, col, int(patch), dy + b * outImage + p0 * g.cout,
                g.cout, first ? 0.f : 1.f, acc[size_t(worker)], g.cout);
  });
  if (!worked[0]) std::fill(dw, dw + sums, 0.f);
  for (size_t t = 1; t < acc.size(); ++t)
    if (worked[t]) addInto(dw, acc[t], sums);
}

// col2im adds overlapping windows into dx, so each worker other than the caller's adds into a
// zeroed copy of its own, added up at the end.
void convInputGrad(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (winogradEnabled() && winogradApplies(g)) return winogradInputGrad(g, dy, w, dx);
  if (winogradEnabled() && spaceToDepthApplies(g)) return spaceToDepthInputGrad(g, dy, w, dx);
  const int64_t pixels = int64_t(g.outH) * g.outW;
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const int64_t inImage = int64_t(g.h) * g.w * g.c, outImage = pixels * g.cout;
  if (isPointwise(g)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(g.n * pixels), g.c, g.cout, 1.f, dy, g.cout, w, g.cout, 0.f, dx, g.c);
    return;
  }
  const int64_t size = g.n * inImage;
  const Blocks blocks = splitBlocks(g.n, pixels, blockPixels(g));
  std::vector<float*> cols, acc{dx};
  for (int t = 0; t < blockWorkers(blocks); ++t) cols.push_back(scratch(kScratchIm2col + t, size_t(blocks.size * patch)));
  for (int t = 1; t < blockWorkers(blocks); ++t) acc.push_back(scratch(kScratchConvSum + t, size_t(size)));
  const std::vector<char> worked = onBlocks(blocks, [&](int worker, int b, int64_t p0, int64_t count, bool first) {
    float* col = cols[size_t(worker)];
    if (first) std::memset(acc[size_t(worker)], 0, size_t(size) * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(count), int(patch), g.cout, 1.f, dy + b * outImage + p0 * g.cout, g.cout, w, g.cout, 0.f,
                col, int(patch));
    col2imAdd(g, col, p0, count, acc[size_t(worker)] + b * inImage);
  });
  if (!worked[0]) std::memset(dx, 0, size_t(size) * sizeof(float));
  for (size_t t = 1; t < acc.size(); ++t)
    if (worked[t]) addInto(dx, acc[t], size);
}
