// Stride-2 convolutions with kernels of 4–6 taps a side (ZF's conv2: 5×5, stride 2) as 3×3
// stride-1 convolutions on the space-to-depth image, where Winograd applies: each 2×2 block of
// input pixels becomes one pixel of 4·C channels, the kernel is padded to 6×6 with zeros and cut
// into 3×3 taps over those channels. ZF's conv2 does 2.8× fewer multiplications that way.
#pragma once
#include "conv.h"

bool spaceToDepthApplies(const ConvGeometry& g);

// The same contracts as convForward / convInputGrad / convFilterGrad (conv.h).
void spaceToDepthForward(const ConvGeometry& g, const float* x, const float* w, float* y);
void spaceToDepthInputGrad(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void spaceToDepthFilterGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw);
