#include "norm.h"
#include "clones.h"
#include "workers.h"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <vector>

namespace {

constexpr double kEpsilon = 1e-5;  // GN_EPSILON in group-norm.ts

// Per-channel Σx and Σx² (or Σdy and Σdy·x) over pixels [p0, p1) of one image, into s1 and s2.
FRCNN_CLONES void channelSums(const float* a, const float* b, int64_t p0, int64_t p1, int32_t c, double* s1, double* s2) {
  for (int64_t p = p0; p < p1; ++p) {
    const float *u = a + p * c, *v = b + p * c;
    for (int32_t k = 0; k < c; ++k) {
      s1[k] += u[k];
      s2[k] += double(u[k]) * v[k];
    }
  }
}

// The two sums over one image's pixels in fixed chunks (pool threads), added in chunk order.
void channelSumsOfImage(const float* a, const float* b, int64_t hw, int32_t c, double* s1, double* s2) {
  const int parts = fixedChunks(hw * c);
  std::vector<double> acc(size_t(parts) * 2 * c, 0.0);
  parallelFor(parts, [&](int p) {
    double* own = acc.data() + size_t(p) * 2 * c;
    channelSums(a, b, hw * p / parts, hw * (p + 1) / parts, c, own, own + c);
  });
  std::fill(s1, s1 + c, 0.0);
  std::fill(s2, s2 + c, 0.0);
  for (int p = 0; p < parts; ++p)
    for (int32_t k = 0; k < c; ++k) {
      s1[k] += acc[size_t(p) * 2 * c + k];
      s2[k] += acc[size_t(p) * 2 * c + c + k];
    }
}

FRCNN_CLONES void affineRows(const float* x, int64_t p0, int64_t p1, int32_t c, const double* scale, const double* shift, bool relu, float* y) {
  for (int64_t p = p0; p < p1; ++p) {
    const float* u = x + p * c;
    float* v = y + p * c;
    for (int32_t k = 0; k < c; ++k) v[k] = float(u[k] * scale[k] + shift[k]);
    if (relu)
      for (int32_t k = 0; k < c; ++k) v[k] = v[k] < 0.f ? 0.f : v[k];
  }
}

FRCNN_CLONES void gradRows(const float* dy, const float* x, int64_t p0, int64_t p1, int32_t c, const double* a, const double* bx, const double* k0, float* dx) {
  for (int64_t p = p0; p < p1; ++p) {
    const float *g = dy + p * c, *u = x + p * c;
    float* d = dx + p * c;
    for (int32_t k = 0; k < c; ++k) d[k] = float(g[k] * a[k] + u[k] * bx[k] + k0[k]);
  }
}


// One image's statistics per group (into mean/rstd at the image's slots) and the per-channel
// y = x·scale + shift they give.
void groupAffine(const float* xb, int64_t hw, int32_t c, int32_t groups, const float* gamma, const float* beta, double* mean, double* rstd, double* scale,
                 double* shift) {
  const int32_t cg = c / groups;
  const double count = double(hw) * cg;
  std::vector<double> sum(c), sq(c);
  channelSumsOfImage(xb, xb, hw, c, sum.data(), sq.data());
  for (int32_t g = 0; g < groups; ++g) {
    double s = 0, q = 0;
    for (int32_t k = g * cg; k < (g + 1) * cg; ++k) {
      s += sum[k];
      q += sq[k];
    }
    const double m = s / count;
    mean[g] = m;
    rstd[g] = 1.0 / std::sqrt(std::max(q / count - m * m, 0.0) + kEpsilon);
  }
  for (int32_t k = 0; k < c; ++k) {
    scale[k] = gamma[k] * rstd[k / cg];
    shift[k] = beta[k] - mean[k / cg] * scale[k];
  }
}

// Output rows [r0, r1) of the 2×2 stride-2 max pool of max(x·scale + shift, 0): each tap rounded
// to float first, as the separate passes store it.
FRCNN_CLONES void affineReluPoolRows(const float* x, int32_t w, int32_t c, int32_t ow, int64_t r0, int64_t r1, const double* scale, const double* shift, float* y) {
  for (int64_t oy = r0; oy < r1; ++oy)
    for (int32_t ox = 0; ox < ow; ++ox) {
      const float* t0 = x + ((2 * oy) * w + 2 * ox) * int64_t(c);
      const float* t1 = t0 + c;
      const float* t2 = t0 + int64_t(w) * c;
      const float* t3 = t2 + c;
      float* out = y + (oy * ow + ox) * int64_t(c);
      for (int32_t k = 0; k < c; ++k) {
        const float a = float(t0[k] * scale[k] + shift[k]), b = float(t1[k] * scale[k] + shift[k]);
        const float d = float(t2[k] * scale[k] + shift[k]), e = float(t3[k] * scale[k] + shift[k]);
        const float m = std::max(std::max(a, b), std::max(d, e));
        out[k] = m < 0.f ? 0.f : m;
      }
    }
}

}  // namespace

void groupNormForward(const float* x, int32_t n, int64_t hw, int32_t c, int32_t groups, const float* gamma, const float* beta, bool relu, float* y, double* mean, double* rstd) {
  std::vector<double> scale(c), shift(c);
  for (int32_t b = 0; b < n; ++b) {
    const float* xb = x + b * hw * c;
    groupAffine(xb, hw, c, groups, gamma, beta, mean + b * groups, rstd + b * groups, scale.data(), shift.data());
    float* yb = y + b * hw * c;
    parallelRanges(hw, minParallelRows(c), [&](int64_t p0, int64_t p1) { affineRows(xb, p0, p1, c, scale.data(), shift.data(), relu, yb); });
  }
}

void groupNormReluPool(const float* x, int32_t n, int32_t h, int32_t w, int32_t c, int32_t groups, const float* gamma, const float* beta, float* y) {
  const int32_t oh = (h - 2) / 2 + 1, ow = (w - 2) / 2 + 1;
  std::vector<double> scale(c), shift(c), mean(groups), rstd(groups);
  for (int32_t b = 0; b < n; ++b) {
    const float* xb = x + int64_t(b) * h * w * c;
    groupAffine(xb, int64_t(h) * w, c, groups, gamma, beta, mean.data(), rstd.data(), scale.data(), shift.data());
    float* yb = y + int64_t(b) * oh * ow * c;
    parallelRanges(oh, minParallelRows(int64_t(ow) * c), [&](int64_t r0, int64_t r1) { affineReluPoolRows(xb, w, c, ow, r0, r1, scale.data(), shift.data(), yb); });
  }
}

void groupNormBackward(const float* dy, const float* x, int32_t n, int64_t hw, int32_t c, int32_t groups, const float* gamma, const double* mean, const double* rstd,
                       float* dx, float* dGamma, float* dBeta) {
  const int32_t cg = c / groups;
  const double count = double(hw) * cg;
  std::vector<double> dG(c, 0.0), dB(c, 0.0), sumD(c), sumDX(c), a(c), bx(c), k0(c);
  for (int32_t b = 0; b < n; ++b) {
    const float* xb = x + b * hw * c;
    const float* gb = dy + b * hw * c;
    channelSumsOfImage(gb, xb, hw, c, sumD.data(), sumDX.data());
    for (int32_t g = 0; g < groups; ++g) {
      const double mu = mean[b * groups + g], r = rstd[b * groups + g];
      double sumG = 0, sumGX = 0;
      for (int32_t k = g * cg; k < (g + 1) * cg; ++k) {
        const double dXhat = r * (sumDX[k] - mu * sumD[k]);
        dB[k] += sumD[k];
        dG[k] += dXhat;
        sumG += gamma[k] * sumD[k];
        sumGX += gamma[k] * dXhat;
      }
      for (int32_t k = g * cg; k < (g + 1) * cg; ++k) {
        a[k] = r * gamma[k];
        bx[k] = -r * r * sumGX / count;
        k0[k] = (r / count) * (mu * r * sumGX - sumG);
      }
    }
    float* db = dx + b * hw * c;
    parallelRanges(hw, minParallelRows(c), [&](int64_t p0, int64_t p1) { gradRows(gb, xb, p0, p1, c, a.data(), bx.data(), k0.data(), db); });
  }
  for (int32_t k = 0; k < c; ++k) {
    dGamma[k] = float(dG[k]);
    dBeta[k] = float(dB[k]);
  }
}

FRCNN_CLONES void tapsGather(const float* features, int32_t channels, int32_t cells, const int32_t* tapStart, const int32_t* pixel, const float* weight, float* out) {
  for (int32_t i = 0; i < cells; ++i) {
    float* o = out + int64_t(i) * channels;
    std::memset(o, 0, size_t(channels) * sizeof(float));
    for (int32_t t = tapStart[i]; t < tapStart[i + 1]; ++t) {
      const float w = weight[t];
      const float* f = features + int64_t(pixel[t]) * channels;
      for (int32_t k = 0; k < channels; ++k) o[k] += w * f[k];
    }
  }
}

FRCNN_CLONES void tapsScatter(const float* dy, int32_t channels, int32_t cells, const int32_t* tapStart, const int32_t* pixel, const float* weight, float* dx, int64_t dxSize) {
  std::memset(dx, 0, size_t(dxSize) * sizeof(float));
  for (int32_t i = 0; i < cells; ++i) {
    const float* g = dy + int64_t(i) * channels;
    for (int32_t t = tapStart[i]; t < tapStart[i + 1]; ++t) {
      const float w = weight[t];
      float* d = dx + int64_t(pixel[t]) * channels;
      for (int32_t k = 0; k < channels; ++k) d[k] += w * g[k];
    }
  }
}
