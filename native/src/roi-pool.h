// Fast R-CNN's RoI max pooling over one NHWC feature map, both ways.
#pragma once
#include <cstdint>
struct RoiPoolGeometry {
  int32_t height, width, channels;  // one feature map, H×W×C
  int32_t rois, pooledHeight, pooledWidth;
  double spatialScale;
};

// values[r, py, px, c] = max over the bin of features[h, w, c]; argmax = the flat feature
// index of the first maximum (−1 for an empty bin, whose value is 0; NaN if the bin held only
// NaN). Caffe's roi_pooling_layer, as roi-pool.ts. argmax may be null (inference).
void roiPoolForward(const RoiPoolGeometry& g, const float* features, const float* rois, float* values, int32_t* argmax);
// dx (zeroed first) += dy routed to argmax.
void roiPoolBackward(const float* dy, const int32_t* argmax, int64_t n, float* dx, int64_t dxSize);
