// Max-pool gradient and Caffe's within-channel LRN (ZF) on NHWC tensors: memory-bound loops
// that cost more in the wasm kernels than the convolutions around them.
#pragma once
#include <cstdint>

struct PoolGeometry {
  int32_t n, h, w, c;       // input [N, H, W, C]
  int32_t kh, kw, sh, sw;   // window and strides
  int32_t padTop, padLeft;  // window offset (tfjs' padInfo)
  int32_t outH, outW;       // output [N, outH, outW, C]
};

// dx = dy routed to the first maximum (row-major, strict >) of each window; the first tap of a
// window is taken as is (a NaN there keeps the gradient), as tfjs' cpu backend does.
void maxPoolGrad(const PoolGeometry& g, const float* x, const float* dy, float* dx);

// y = x · s^−β, s = 1 + α · (Σ_{size×size window} x²) / size² (zeros outside, Caffe's AVE pooling).
void lrnForward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, float* y);
// dx = dy · s^−β − 2αβ · x · (Σ_window dy · x · s^−β−1) / size²
void lrnBackward(int32_t n, int32_t h, int32_t w, int32_t c, int32_t size, float alpha, float beta, const float* x, const float* dy, float* dx);
