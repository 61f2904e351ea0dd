// Row-major SGEMM c[m, n] = op(a) · op(b) for the fully connected layers' products.
#pragma once
#include <cstdint>

void sgemm(bool transA, bool transB, int m, int n, int k, const float* a, const float* b, float* c);
