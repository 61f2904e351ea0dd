// Winograd minimal filtering (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2015) for the 3×3 stride-1 convolutions that make up most of VGG16 and ZF's upper layers:
// F(4×4, 3×3) for the forward pass and the input gradient, F(3×3, 4×4) for the filter gradient.
// Each 6×6 input tile costs 36 multiply-adds per (input, output) channel pair instead of 144;
// the products are 36 SGEMMs over channels, the transforms run along NHWC's contiguous channels.
#pragma once
#include "conv.h"

// 3×3 kernel, stride 1, paddings of at most 2 (the input gradient runs as a forward pass with the
// complementary padding), and channels wide enough for the transforms to be amortised.
bool winogradApplies(const ConvGeometry& g);

// The same contracts as convForward / convInputGrad / convFilterGrad (conv.h).
void winogradForward(const ConvGeometry& g, const float* x, const float* w, float* y);
void winogradInputGrad(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void winogradFilterGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw);

// Whether convForward / convInputGrad / convFilterGrad take the Winograd path where it applies
// (on by default; off gives the im2col path, for tests and comparisons). Returns the old setting.
bool setWinogradEnabled(bool on);
bool winogradEnabled();
