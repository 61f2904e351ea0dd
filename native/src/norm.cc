#include "norm.h"
#include "clones.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace {
constexpr double kEpsilon = 1e-5;  // GN_EPSILON in group-norm.ts
}

FRCNN_CLONES void groupNormForward(const float* x, int32_t n, int64_t hw, int32_t c, int32_t groups, const float* gamma, const float* beta, float* y, double* mean, double* rstd) {
  const int32_t cg = c / groups;
  const double count = double(hw) * cg;
  std::vector<double> sum(c), sq(c), scale(c), shift(c);
  for (int32_t b = 0; b < n; ++b) {
    const float* xb = x + b * hw * c;
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(sq.begin(), sq.end(), 0.0);
    for (int64_t p = 0; p < hw; ++p) {
      const float* v = xb + p * c;
      for (int32_t k = 0; k < c; ++k) {
        sum[k] += v[k];
        sq[k] += double(v[k]) * v[k];
      }
    }
    for (int32_t g = 0; g < groups; ++g) {
      double s = 0, q = 0;
      for (int32_t k = g * cg; k < (g + 1) * cg; ++k) {
        s += sum[k];
        q += sq[k];
      }
      const double m = s / count;
      mean[b * groups + g] = m;
      rstd[b * groups + g] = 1.0 / std::sqrt(std::max(q / count - m * m, 0.0) + kEpsilon);
    }
    for (int32_t k = 0; k < c; ++k) {
      const int32_t s = b * groups + k / cg;
      scale[k] = gamma[k] * rstd[s];
      shift[k] = beta[k] - mean[s] * scale[k];
    }
    float* yb = y + b * hw * c;
    for (int64_t p = 0; p < hw; ++p)
      for (int32_t k = 0; k < c; ++k) yb[p * c + k] = float(xb[p * c + k] * scale[k] + shift[k]);
  }
}

FRCNN_CLONES void groupNormBackward(const float* dy, const float* x, int32_t n, int64_t hw, int32_t c, int32_t groups, const float* gamma, const double* mean, const double* rstd,
                       float* dx, float* dGamma, float* dBeta) {
  const int32_t cg = c / groups;
  const double count = double(hw) * cg;
  std::vector<double> dG(c, 0.0), dB(c, 0.0), sumD(c), sumDX(c), a(c), bx(c), k0(c);
  for (int32_t b = 0; b < n; ++b) {
    const float* xb = x + b * hw * c;
    const float* gb = dy + b * hw * c;
    std::fill(sumD.begin(), sumD.end(), 0.0);
    std::fill(sumDX.begin(), sumDX.end(), 0.0);
    for (int64_t p = 0; p < hw; ++p)
      for (int32_t k = 0; k < c; ++k) {
        const double d = gb[p * c + k];
        sumD[k] += d;
        sumDX[k] += d * xb[p * c + k];
      }
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
    for (int64_t p = 0; p < hw; ++p)
      for (int32_t k = 0; k < c; ++k) db[p * c + k] = float(gb[p * c + k] * a[k] + xb[p * c + k] * bx[k] + k0[k]);
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

FRCNN_CLONES void columnSum(const float* x, int64_t rows, int32_t cols, float* out) {
  std::vector<double> acc(cols, 0.0);
  double* a = acc.data();
  for (int64_t r = 0; r < rows; ++r) {
    const float* v = x + r * cols;
    for (int32_t c = 0; c < cols; ++c) a[c] += v[c];
  }
  for (int32_t c = 0; c < cols; ++c) out[c] = float(a[c]);
}

FRCNN_CLONES void biasActivation(float* y, int64_t rows, int32_t cols, const float* bias, bool relu) {
  for (int64_t r = 0; r < rows; ++r) {
    float* v = y + r * cols;
    if (bias)
      for (int32_t c = 0; c < cols; ++c) v[c] += bias[c];
    if (relu)
      for (int32_t c = 0; c < cols; ++c) v[c] = v[c] < 0.f ? 0.f : v[c];
  }
}

FRCNN_CLONES void addInto(float* __restrict a, const float* __restrict b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}
