// Forward convolution straight from the (zero-padded) image for layers on few input channels
// (the image convs: ZF's 7×7/2 conv1, VGG16's conv1_1, the small backbone's conv1), where
// im2col + SGEMM runs at ~60 % of the machine's SGEMM rate (patches of 27–147 values against
// 32–96 filters): an AVX2 register-blocked kernel instead.
#pragma once
#include "conv.h"

bool directConvApplies(const ConvGeometry& g);
void directConvForward(const ConvGeometry& g, const float* x, const float* w, float* y);
