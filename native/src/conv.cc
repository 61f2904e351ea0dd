#include "conv.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "clones.h"
#include "scratch.h"
#include "space-to-depth.h"
#include "winograd.h"
#include "workers.h"

namespace {

// Output pixels per im2col block: the column block (pixels × kh·kw·C floats) stays within a few
// MB so it is written and read back from cache, while the GEMM still sees a tall matrix.
int64_t blockPixels(const ConvGeometry& g) {
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const int64_t target = (4 << 20) / (4 * patch);  // ~4 MB of columns
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

namespace {

// Walks each image's output pixels in im2col blocks: fn(b, p0, count) for pixels [p0, p0 + count) of image b.
// Blocks of output pixels, numbered over all images; enough of them that every worker gets a share.
struct PixelBlocks {
  int64_t pixels, size, perImage, total;  // output pixels per image, per block; blocks per image, in all
};

PixelBlocks pixelBlocks(const ConvGeometry& g, int parts) {
  const int64_t pixels = int64_t(g.outH) * g.outW;
  int64_t perImage = (pixels + blockPixels(g) - 1) / blockPixels(g);
  if (g.n * perImage < 8 * parts)
    while ((g.n * perImage) % parts != 0 && perImage < pixels) ++perImage;
  const int64_t size = (pixels + perImage - 1) / perImage;
  perImage = (pixels + size - 1) / size;
  return {pixels, size, perImage, g.n * perImage};
}

// Each worker takes blocks from a shared counter and runs fn(worker, image, p0, count) on its
// own thread (im2col / col2im and a single-threaded SGEMM): the copies run in parallel too,
// where OpenBLAS would thread only the product. Returns, per worker, whether it had a block.
template <typename Fn>
std::vector<char> onBlocks(const PixelBlocks& blocks, Fn fn) {
  std::vector<char> worked(size_t(workers()), 0);
  std::atomic<int64_t> next{0};
  onWorkers([&](int worker) {
    for (int64_t i = next++; i < blocks.total; i = next++) {
      const int64_t p0 = (i % blocks.perImage) * blocks.size;
      fn(worker, int(i / blocks.perImage), p0, std::min(blocks.size, blocks.pixels - p0));
      worked[size_t(worker)] = 1;
    }
  });
  return worked;
}

// a += b
FRCNN_CLONES void addTo(float* __restrict a, const float* __restrict b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}

}  // namespace

void convForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  if (winogradEnabled() && winogradApplies(g)) return winogradForward(g, x, w, y);
  if (winogradEnabled() && spaceToDepthApplies(g)) return spaceToDepthForward(g, x, w, y);
  const int64_t pixels = int64_t(g.outH) * g.outW;
  const int64_t patch = int64_t(g.kh) * g.kw * g.c;
  const int64_t inImage = int64_t(g.h) * g.w * g.c, outImage = pixels * g.cout;
  if (isPointwise(g)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(g.n * pixels), g.cout, g.c, 1.f, x, g.c, w, g.cout, 0.f, y, g.cout);
    return;
  }
  const PixelBlocks blocks = pixelBlocks(g, workers());
  std::vector<float*> cols;
  for (int t = 0; t < workers(); ++t) cols.push_back(scratch(kScratchIm2col + t, size_t(blocks.size * patch)));
  onBlocks(blocks, [&](int worker, int b, int64_t p0, int64_t count) {
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
  const PixelBlocks blocks = pixelBlocks(g, workers());
  const int64_t sums = patch * g.cout;
  std::vector<float*> cols, acc{dw};
  for (int t = 0; t < workers(); ++t) cols.push_back(scratch(kScratchIm2col + t, size_t(blocks.size * patch)));
  for (int t = 1; t < workers(); ++t) acc.push_back(scratch(kScratchConvSum + t, size_t(sums)));
  std::vector<float> beta(size_t(workers()), 0.f);  // each accumulator is overwritten by its first block
  const std::vector<char> worked = onBlocks(blocks, [&](int worker, int b, int64_t p0, int64_t count) {
    float* col = cols[size_t(worker)];
    im2col(g, x + b * inImage, p0, count, col);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(patch), g.cout, int(count), 1.f, col, int(patch), dy + b * outImage + p0 * g.cout,
                g.cout, beta[size_t(worker)], acc[size_t(worker)], g.cout);
    beta[size_t(worker)] = 1.f;
  });
  if (!worked[0]) std::fill(dw, dw + sums, 0.f);
  for (size_t t = 1; t < acc.size(); ++t)
    if (worked[t]) addTo(dw, acc[t], sums);
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
  const PixelBlocks blocks = pixelBlocks(g, workers());
  std::vector<float*> cols, acc{dx};
  for (int t = 0; t < workers(); ++t) cols.push_back(scratch(kScratchIm2col + t, size_t(blocks.size * patch)));
  for (int t = 1; t < workers(); ++t) acc.push_back(scratch(kScratchConvSum + t, size_t(size)));
  onWorkers([&](int worker) { std::memset(acc[size_t(worker)], 0, size_t(size) * sizeof(float)); });
  const std::vector<char> worked = onBlocks(blocks, [&](int worker, int b, int64_t p0, int64_t count) {
    float* col = cols[size_t(worker)];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(count), int(patch), g.cout, 1.f, dy + b * outImage + p0 * g.cout, g.cout, w, g.cout, 0.f,
                col, int(patch));
    col2imAdd(g, col, p0, count, acc[size_t(worker)] + b * inImage);
  });
  for (size_t t = 1; t < acc.size(); ++t)
    if (worked[t]) addTo(dx, acc[t], size);
}
