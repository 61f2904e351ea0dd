#include "roi-pool.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "clones.h"
#include "workers.h"

namespace {

// Caffe rounds RoI corners with C's round (half away from zero).
int roundHalfAway(double v) { return int(std::round(v)); }

FRCNN_CLONES void poolRois(const RoiPoolGeometry& g, const float* features, const float* rois, int64_t r0, int64_t r1, float* values, int32_t* argmax) {
  const int c = g.channels;
  std::vector<int32_t> binArgmax(argmax ? 0 : size_t(c));  // without argmax output: one bin's, for the NaN check
  for (int64_t r = r0; r < r1; ++r) {
    const int startW = roundHalfAway(double(rois[4 * r]) * g.spatialScale), startH = roundHalfAway(double(rois[4 * r + 1]) * g.spatialScale);
    const int endW = roundHalfAway(double(rois[4 * r + 2]) * g.spatialScale), endH = roundHalfAway(double(rois[4 * r + 3]) * g.spatialScale);
    // Malformed RoIs are forced to 1×1 (as Caffe does).
    const double binH = double(std::max(endH - startH + 1, 1)) / g.pooledHeight, binW = double(std::max(endW - startW + 1, 1)) / g.pooledWidth;
    for (int py = 0; py < g.pooledHeight; ++py) {
      const int hs = std::min(std::max(int(std::floor(py * binH)) + startH, 0), g.height);
      const int he = std::min(std::max(int(std::ceil((py + 1) * binH)) + startH, 0), g.height);
      for (int px = 0; px < g.pooledWidth; ++px) {
        const int ws = std::min(std::max(int(std::floor(px * binW)) + startW, 0), g.width);
        const int we = std::min(std::max(int(std::ceil((px + 1) * binW)) + startW, 0), g.width);
        const int64_t out = ((r * g.pooledHeight + py) * g.pooledWidth + px) * c;
        float* __restrict val = values + out;
        int32_t* __restrict arg = argmax ? argmax + out : binArgmax.data();
        if (he <= hs || we <= ws) {  // an empty bin (RoI outside the map): 0, no argmax
          std::fill(val, val + c, 0.f);
          std::fill(arg, arg + c, -1);
          continue;
        }
        std::fill(val, val + c, -std::numeric_limits<float>::infinity());
        std::fill(arg, arg + c, -1);
        for (int h = hs; h < he; ++h)
          for (int w = ws; w < we; ++w) {
            const int32_t base = (h * g.width + w) * c;
            const float* __restrict f = features + base;
            for (int k = 0; k < c; ++k) {  // strict ">" keeps the first maximum in scan order
              const bool more = f[k] > val[k];
              val[k] = more ? f[k] : val[k];
              arg[k] = more ? base + k : arg[k];
            }
          }
        for (int k = 0; k < c; ++k)
          if (arg[k] < 0) val[k] = std::numeric_limits<float>::quiet_NaN();  // only NaN in the bin
      }
    }
  }
}

}  // namespace

void roiPoolForward(const RoiPoolGeometry& g, const float* features, const float* rois, float* values, int32_t* argmax) {
  parallelRanges(g.rois, 16, [&](int64_t r0, int64_t r1) { poolRois(g, features, rois, r0, r1, values, argmax); });
}

void roiPoolBackward(const float* dy, const int32_t* argmax, int64_t n, float* dx, int64_t dxSize) {
  std::memset(dx, 0, size_t(dxSize) * sizeof(float));
  for (int64_t i = 0; i < n; ++i)
    if (argmax[i] >= 0 && argmax[i] < dxSize) dx[argmax[i]] += dy[i];
}
