#include "elementwise.h"

#include <vector>

#include "clones.h"
#include "workers.h"

namespace {

FRCNN_CLONES void columnSumRows(const float* x, int64_t r0, int64_t r1, int32_t cols, double* a) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* v = x + r * cols;
    for (int32_t c = 0; c < cols; ++c) a[c] += v[c];
  }
}

FRCNN_CLONES void biasActivationRows(float* y, int64_t r0, int64_t r1, int32_t cols, const float* bias, bool relu) {
  for (int64_t r = r0; r < r1; ++r) {
    float* v = y + r * cols;
    if (bias)
      for (int32_t c = 0; c < cols; ++c) v[c] += bias[c];
    if (relu)
      for (int32_t c = 0; c < cols; ++c) v[c] = v[c] < 0.f ? 0.f : v[c];
  }
}

}  // namespace

// Sums over fixed row chunks in double, added in chunk order: the same bits whatever the
// thread count.
void columnSum(const float* x, int64_t rows, int32_t cols, float* out) {
  const int parts = fixedChunks(rows * cols);
  std::vector<double> acc(size_t(parts) * cols, 0.0);
  parallelFor(parts, [&](int p) { columnSumRows(x, rows * p / parts, rows * (p + 1) / parts, cols, acc.data() + size_t(p) * cols); });
  for (int32_t c = 0; c < cols; ++c) {
    double sum = 0;
    for (int p = 0; p < parts; ++p) sum += acc[size_t(p) * cols + c];
    out[c] = float(sum);
  }
}

void biasActivation(float* y, int64_t rows, int32_t cols, const float* bias, bool relu) {
  parallelRanges(rows, minParallelRows(cols), [&](int64_t r0, int64_t r1) { biasActivationRows(y, r0, r1, cols, bias, relu); });
}

FRCNN_CLONES void addInto(float* __restrict a, const float* __restrict b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}

namespace {

FRCNN_CLONES void reluGradRange(const float* __restrict y, const float* __restrict dy, float* __restrict dx, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}

}  // namespace

// Memory-bound: on ZF's conv1 map (14.4 M values) tfjs's Step + Cast + Multiply took ~80 ms.
void reluGrad(const float* y, const float* dy, float* dx, int64_t n) {
  parallelRanges(n, kMinParallelValues, [&](int64_t begin, int64_t end) { reluGradRange(y, dy, dx, begin, end); });
}
