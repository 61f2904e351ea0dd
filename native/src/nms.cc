// No fused multiply-adds: the window bounds and IoUs must round as JavaScript's double
// arithmetic does in ops/boxes.ts (same kept boxes, bit for bit).
#pragma GCC optimize("fp-contract=off")
#include "nms.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace {

double windowSlack(double a1, double a2) { return 1e-7 * (std::fabs(a1) + std::fabs(a2) + 1); }
double windowStart(double a1, double a2, double t) {
  const double w = a2 - a1 + 1;
  return t > 0 ? a1 + t * w - w / t - windowSlack(a1, a2) : -INFINITY;
}
double windowEnd(double a1, double a2, double t) { return a2 + 1 - t * (a2 - a1 + 1) + windowSlack(a1, a2); }

int32_t lowerBound(const std::vector<double>& xs, double v, int32_t lo, int32_t hi) {
  while (lo < hi) {
    const int32_t mid = int32_t((uint32_t(lo) + uint32_t(hi)) >> 1);
    if (xs[size_t(mid)] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

}  // namespace

// ops/boxes.ts explains the strip index; this is the same loop in the same order.
int32_t nmsInOrder(const float* boxes, const int32_t* order, int32_t n, double t, int32_t maxOutput, int32_t* kept) {
  if (n == 0) return 0;
  double minY = INFINITY, maxY = -INFINITY, sumH = 0;
  for (int32_t k = 0; k < n; ++k) {
    const float* b = boxes + 4 * int64_t(order[k]);
    const double by1 = b[1], by2 = b[3];
    minY = std::min(minY, by1);
    maxY = std::max(maxY, by1);
    sumH += std::fabs(by2 - by1 + 1);
  }
  const double stripHeight = std::max({sumH / n / 4, (maxY - minY) / n, 1e-6});
  const int32_t numStrips = int32_t(std::floor((maxY - minY) / stripHeight)) + 1;
  const auto stripOf = [&](double y) {
    const double s = std::floor((y - minY) / stripHeight);  // clamped as a double: y may be ±∞
    return int32_t(std::min(double(numStrips - 1), std::max(0.0, s)));
  };
  const size_t count = static_cast<size_t>(n);
  std::vector<int32_t> strip(count, 0), bySlot(count);
  std::vector<double> keyX(count);
  for (int32_t k = 0; k < n; ++k) {
    strip[size_t(k)] = stripOf(boxes[4 * int64_t(order[k]) + 1]);
    keyX[size_t(k)] = boxes[4 * int64_t(order[k])];
  }
  std::iota(bySlot.begin(), bySlot.end(), 0);
  std::sort(bySlot.begin(), bySlot.end(), [&](int32_t a, int32_t b) {
    if (strip[size_t(a)] != strip[size_t(b)]) return strip[size_t(a)] < strip[size_t(b)];
    if (keyX[size_t(a)] != keyX[size_t(b)]) return keyX[size_t(a)] < keyX[size_t(b)];
    return a < b;
  });
  std::vector<int32_t> stripStart(size_t(numStrips) + 1, 0);
  for (int32_t k = 0; k < n; ++k) stripStart[size_t(strip[size_t(k)]) + 1]++;
  for (int32_t i = 0; i < numStrips; ++i) stripStart[size_t(i) + 1] += stripStart[size_t(i)];
  std::vector<double> x1(count), y1(count), x2(count), y2(count), area(count);
  std::vector<int32_t> slotOf(count);
  for (int32_t p = 0; p < n; ++p) {
    const int32_t k = bySlot[size_t(p)];
    const float* b = boxes + 4 * int64_t(order[k]);
    x1[size_t(p)] = b[0];
    y1[size_t(p)] = b[1];
    x2[size_t(p)] = b[2];
    y2[size_t(p)] = b[3];
    area[size_t(p)] = (x2[size_t(p)] - x1[size_t(p)] + 1) * (y2[size_t(p)] - y1[size_t(p)] + 1);
    slotOf[size_t(k)] = p;
  }
  std::vector<uint8_t> done(count, 0);
  const int32_t limit = std::min(n, maxOutput);
  int32_t numKept = 0;
  for (int32_t k = 0; k < n && numKept < limit; ++k) {
    const size_t s = size_t(slotOf[size_t(k)]);
    if (done[s]) continue;
    done[s] = 1;
    kept[numKept++] = order[k];
    const double ix1 = x1[s], iy1 = y1[s], ix2 = x2[s], iy2 = y2[s], iarea = area[s];
    const double xlo = windowStart(ix1, ix2, t), xhi = windowEnd(ix1, ix2, t);
    const int32_t lastStrip = stripOf(windowEnd(iy1, iy2, t));
    for (int32_t st = stripOf(windowStart(iy1, iy2, t)); st <= lastStrip; ++st) {
      const int32_t end = stripStart[size_t(st) + 1];
      for (int32_t p = lowerBound(x1, xlo, stripStart[size_t(st)], end); p < end && x1[size_t(p)] < xhi; ++p) {
        const size_t q = size_t(p);
        if (done[q]) continue;
        const double iw = std::min(ix2, x2[q]) - std::max(ix1, x1[q]) + 1;
        if (iw <= 0) continue;
        const double ih = std::min(iy2, y2[q]) - std::max(iy1, y1[q]) + 1;
        if (ih <= 0) continue;
        const double inter = iw * ih;
        if (inter / (iarea + area[q] - inter) > t) done[q] = 1;
      }
    }
  }
  return numKept;
}
