// The momentum SGD update over whole parameter arrays (ZF: 58 M parameters, VGG16: 134 M).
#pragma once
#include <cstdint>

// v ← μ·v + rate·g + decay·w, w ← w − v; in double like the JavaScript loop it replaces
// (sgd.ts), so both give the same bits.
void sgdMomentum(float* w, const float* g, float* v, int64_t n, double mu, double rate, double decay);
