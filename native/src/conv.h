// Convolution on NHWC tensors through SGEMM (OpenBLAS): forward, filter gradient and input
// gradient, the three kernels a training step spends its time in.
#pragma once
#include <cstdint>

struct ConvGeometry {
  int32_t n, h, w, c;          // input [N, H, W, C]
  int32_t kh, kw;              // filter [kh, kw, C, cout] (tfjs' HWIO)
  int32_t sh, sw;              // strides
  int32_t padTop, padLeft;     // zeros before the first row / column (the rest follows from out)
  int32_t outH, outW, cout;    // output [N, outH, outW, cout]
};

// y = conv(x, w)
void convForward(const ConvGeometry& g, const float* x, const float* w, float* y);
// dw = Σ_n im2col(x_n)ᵀ · dy_n
void convFilterGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw);
// dx = col2im(dy · wᵀ)
void convInputGrad(const ConvGeometry& g, const float* dy, const float* w, float* dx);
