// Greedy non-maximum suppression over boxes visited in a given order (ops/boxes.ts nmsInOrder,
// the same strip index and float64 arithmetic, so the same kept boxes).
#pragma once
#include <cstdint>

// boxes: x1 y1 x2 y2 per box (finite); order: the n box indices to visit; writes the kept
// indices in visiting order into kept (room for maxOutput) and returns their count.
int32_t nmsInOrder(const float* boxes, const int32_t* order, int32_t n, double threshold, int32_t maxOutput, int32_t* kept);
