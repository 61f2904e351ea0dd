#include "gemm.h"

#include <cblas.h>

#include "workers.h"

namespace {

// Short, wide products (a few hundred RoIs against fc6/fc7's 4096 outputs): OpenBLAS's own
// threads split the rows, so each thread packs and streams all of b (ZF's fc6: 151 MB). Split
// the columns instead, one slice of b per pool thread, each on OpenBLAS's single-threaded path.
// (medians of 9 on 2 cores: 204×9216·9216×4096 135–139 → 102–124 ms; 204×4096·4096×4096 60 → 52–63;
// 128×9216·9216×4096 80 → 76; tall products such as the weight gradients gain nothing.)
constexpr int kShortRows = 512;
constexpr int kWideColumns = 2048;

// Columns [n0, n1) of c, on OpenBLAS's threads as they are set.
void sgemmColumns(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c, int n0, int n1) {
  const float* bs = tb ? b + int64_t(n0) * k : b + n0;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n1 - n0, k, 1.f, a, ta ? m : k, bs, tb ? k : n, 0.f, c + n0, n);
}

}  // namespace

void sgemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  const int parts = workers();
  if (parts <= 1 || m > kShortRows || n < kWideColumns) return sgemmColumns(ta, tb, m, n, k, a, b, c, 0, n);
  // Slices a multiple of 16 columns wide (the kernels' register blocking).
  const int unit = (n + 16 * parts - 1) / (16 * parts) * 16;
  parallelFor(parts, [&](int p) {
    const int n0 = std::min(n, p * unit), n1 = std::min(n, (p + 1) * unit);
    if (n0 < n1) sgemmColumns(ta, tb, m, n, k, a, b, c, n0, n1);
  });
}
