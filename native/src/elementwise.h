// Element-wise loops and per-column sums over row-major float arrays: the conv epilogue, bias
// gradients, per-worker partial sums and ReLU's gradient.
#pragma once
#include <cstdint>

// out[c] = Σ_rows x[row, c] (a bias gradient), accumulated in double.
void columnSum(const float* x, int64_t rows, int32_t cols, float* out);

// y[row, c] = max(y[row, c] + bias[c], 0) in place (bias may be null; relu optional): the
// fused conv's epilogue.
void biasActivation(float* y, int64_t rows, int32_t cols, const float* bias, bool relu);

// a += b (per-worker partial sums added up).
void addInto(float* a, const float* b, int64_t n);

// dx = y > 0 ? dy : 0, with y = relu(x): ReLU's gradient from its output, split over the workers.
void reluGrad(const float* y, const float* dy, float* dx, int64_t n);
