// Node-API entry points: each takes a geometry (Int32Array of 13) and Float32Arrays, which may
// be views of the wasm heap, checks their lengths against the geometry and runs synchronously.
#include <node_api.h>

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "nms.h"
#include "norm.h"
#include "pool.h"
#include "roi-pool.h"
#include "sgd.h"
#include "winograd.h"

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

namespace {

bool fail(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return false;
}

// The call's arguments into argv when there are exactly N of them, else a TypeError naming the
// expected ones (`usage`).
template <size_t N>
bool arguments(napi_env env, napi_callback_info info, napi_value (&argv)[N], const char* usage) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != N) return fail(env, std::string("expected ") + usage);
  return true;
}

template <typename T>
bool typedArray(napi_env env, napi_value v, napi_typedarray_type want, T** data, size_t* length, const char* what) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return fail(env, std::string(what) + ": expected a typed array");
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, nullptr, nullptr) != napi_ok) return fail(env, std::string(what) + ": unreadable");
  if (type != want) return fail(env, std::string(what) + (want == napi_float32_array ? ": expected a Float32Array" : ": expected an Int32Array"));
  *data = static_cast<T*>(raw);
  return true;
}

bool geometry(napi_env env, napi_value v, ConvGeometry* g) {
  int32_t* d = nullptr;
  size_t n = 0;
  if (!typedArray(env, v, napi_int32_array, &d, &n, "geometry")) return false;
  if (n != 13) return fail(env, "geometry: expected 13 values [n,h,w,c,kh,kw,sh,sw,padTop,padLeft,outH,outW,cout]");
  *g = ConvGeometry{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12]};
  for (size_t i = 0; i < 13; ++i)
    if (d[i] < (i == 8 || i == 9 ? 0 : 1)) return fail(env, "geometry: value " + std::to_string(i) + " out of range");
  return true;
}

bool floats(napi_env env, napi_value v, float** data, size_t want, const char* what) {
  size_t n = 0;
  if (!typedArray(env, v, napi_float32_array, data, &n, what)) return false;
  if (n != want) return fail(env, std::string(what) + ": expected " + std::to_string(want) + " floats, got " + std::to_string(n));
  return true;
}

// A typed array of `type` holding exactly `want` elements.
template <typename T>
bool exact(napi_env env, napi_value v, napi_typedarray_type type, T** data, size_t want, const char* what) {
  size_t n = 0;
  if (!typedArray(env, v, type, data, &n, what)) return false;
  if (n != want) return fail(env, std::string(what) + ": expected " + std::to_string(want) + " elements, got " + std::to_string(n));
  return true;
}

int32_t intArg(napi_env env, napi_value v) {
  int32_t out = 0;
  napi_get_value_int32(env, v, &out);
  return out;
}

size_t inputSize(const ConvGeometry& g) { return size_t(g.n) * g.h * g.w * g.c; }
size_t filterSize(const ConvGeometry& g) { return size_t(g.kh) * g.kw * g.c * g.cout; }
size_t outputSize(const ConvGeometry& g) { return size_t(g.n) * g.outH * g.outW * g.cout; }

enum class Op { Forward, FilterGrad, InputGrad };

template <Op op>
napi_value conv(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!arguments(env, info, argv, "(geometry, a, b, out)")) return nullptr;
  ConvGeometry g;
  if (!geometry(env, argv[0], &g)) return nullptr;
  float *a = nullptr, *b = nullptr, *out = nullptr;
  bool ok = false;
  if (op == Op::Forward)
    ok = floats(env, argv[1], &a, inputSize(g), "x") && floats(env, argv[2], &b, filterSize(g), "filter") && floats(env, argv[3], &out, outputSize(g), "y");
  else if (op == Op::FilterGrad)
    ok = floats(env, argv[1], &a, inputSize(g), "x") && floats(env, argv[2], &b, outputSize(g), "dy") && floats(env, argv[3], &out, filterSize(g), "dw");
  else
    ok = floats(env, argv[1], &a, outputSize(g), "dy") && floats(env, argv[2], &b, filterSize(g), "filter") && floats(env, argv[3], &out, inputSize(g), "dx");
  if (!ok) return nullptr;
  if (op == Op::Forward) convForward(g, a, b, out);
  else if (op == Op::FilterGrad) convFilterGrad(g, a, b, out);
  else convInputGrad(g, a, b, out);
  return nullptr;
}

// sgemm(m, n, k, transA, transB, a, b, c): c[m,n] = op(a)·op(b), row-major.
napi_value sgemmFn(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!arguments(env, info, argv, "(m, n, k, transA, transB, a, b, c)")) return nullptr;
  int32_t m, n, k;
  bool ta, tb;
  napi_get_value_int32(env, argv[0], &m);
  napi_get_value_int32(env, argv[1], &n);
  napi_get_value_int32(env, argv[2], &k);
  napi_get_value_bool(env, argv[3], &ta);
  napi_get_value_bool(env, argv[4], &tb);
  if (m < 1 || n < 1 || k < 1) {
    fail(env, "sgemm: m, n, k must be positive");
    return nullptr;
  }
  float *a, *b, *c;
  if (!floats(env, argv[5], &a, size_t(m) * k, "a") || !floats(env, argv[6], &b, size_t(k) * n, "b") || !floats(env, argv[7], &c, size_t(m) * n, "c"))
    return nullptr;
  sgemm(ta, tb, m, n, k, a, b, c);
  return nullptr;
}

// maxPoolGrad(geometry[12], x, dy, dx): [n,h,w,c,kh,kw,sh,sw,padTop,padLeft,outH,outW].
napi_value maxPoolGradFn(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t* d = nullptr;
  size_t n = 0;
  if (!arguments(env, info, argv, "(geometry, x, dy, dx)") || !typedArray(env, argv[0], napi_int32_array, &d, &n, "geometry")) return nullptr;
  if (n != 12) {
    fail(env, "geometry: expected 12 values [n,h,w,c,kh,kw,sh,sw,padTop,padLeft,outH,outW]");
    return nullptr;
  }
  for (size_t i = 0; i < 12; ++i)
    if (d[i] < (i == 8 || i == 9 ? 0 : 1)) {
      fail(env, "geometry: value " + std::to_string(i) + " out of range");
      return nullptr;
    }
  PoolGeometry g{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
  const size_t in = size_t(g.n) * g.h * g.w * g.c, out = size_t(g.n) * g.outH * g.outW * g.c;
  float *x, *dy, *dx;
  if (!floats(env, argv[1], &x, in, "x") || !floats(env, argv[2], &dy, out, "dy") || !floats(env, argv[3], &dx, in, "dx")) return nullptr;
  maxPoolGrad(g, x, dy, dx);
  return nullptr;
}

// lrn(shape[5] = [n,h,w,c,size], alpha, beta, x, y) and lrnGrad(shape, alpha, beta, x, dy, dx).
template <bool grad>
napi_value lrn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t* d = nullptr;
  size_t n = 0;
  if (argc != (grad ? 6u : 5u)) {
    fail(env, grad ? "expected (shape, alpha, beta, x, dy, dx)" : "expected (shape, alpha, beta, x, y)");
    return nullptr;
  }
  if (!typedArray(env, argv[0], napi_int32_array, &d, &n, "shape")) return nullptr;
  if (n != 5 || d[0] < 1 || d[1] < 1 || d[2] < 1 || d[3] < 1 || d[4] < 1 || d[4] % 2 == 0) {
    fail(env, "shape: expected [n, h, w, c, size] with an odd window size");
    return nullptr;
  }
  double alpha, beta;
  napi_get_value_double(env, argv[1], &alpha);
  napi_get_value_double(env, argv[2], &beta);
  const size_t size = size_t(d[0]) * d[1] * d[2] * d[3];
  float *x, *a, *b = nullptr;
  if (!floats(env, argv[3], &x, size, "x") || !floats(env, argv[4], &a, size, grad ? "dy" : "y")) return nullptr;
  if (grad && !floats(env, argv[5], &b, size, "dx")) return nullptr;
  if (grad) lrnBackward(d[0], d[1], d[2], d[3], d[4], float(alpha), float(beta), x, a, b);
  else lrnForward(d[0], d[1], d[2], d[3], d[4], float(alpha), float(beta), x, a);
  return nullptr;
}

// GroupNorm's dims Int32Array [n, hw, c, groups], checked.
struct GroupDims {
  int32_t n, hw, c, groups;
  size_t size() const { return size_t(n) * hw * c; }
  size_t stats() const { return size_t(n) * groups; }
};

bool groupDims(napi_env env, napi_value v, GroupDims* g) {
  int32_t* d;
  if (!exact(env, v, napi_int32_array, &d, 4, "dims")) return false;
  *g = GroupDims{d[0], d[1], d[2], d[3]};
  if (g->n < 1 || g->hw < 1 || g->c < 1 || g->groups < 1 || g->c % g->groups != 0) return fail(env, "dims: expected positive [n, hw, c, groups] with groups dividing c");
  return true;
}

// groupNorm(dims, x, gamma, beta, y, mean Float64Array, rstd Float64Array, relu)
napi_value groupNormFn(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  GroupDims g;
  if (!arguments(env, info, argv, "(dims, x, gamma, beta, y, mean, rstd, relu)")) return nullptr;
  if (!groupDims(env, argv[0], &g)) return nullptr;
  const int32_t n = g.n, hw = g.hw, c = g.c, groups = g.groups;
  const size_t size = g.size();
  float *x, *gamma, *beta, *y;
  double *mean, *rstd;
  if (!exact(env, argv[1], napi_float32_array, &x, size, "x") || !exact(env, argv[2], napi_float32_array, &gamma, c, "gamma") ||
      !exact(env, argv[3], napi_float32_array, &beta, c, "beta") || !exact(env, argv[4], napi_float32_array, &y, size, "y") ||
      !exact(env, argv[5], napi_float64_array, &mean, g.stats(), "mean") || !exact(env, argv[6], napi_float64_array, &rstd, g.stats(), "rstd"))
    return nullptr;
  bool relu = false;
  if (napi_get_value_bool(env, argv[7], &relu) != napi_ok) {
    fail(env, "relu: expected a boolean");
    return nullptr;
  }
  groupNormForward(x, n, hw, c, groups, gamma, beta, relu, y, mean, rstd);
  return nullptr;
}

// groupNormReluPool(dims [n, h, w, c, groups], x, gamma, beta, y): inference's GroupNorm → ReLU → 2×2/2 max pool.
napi_value groupNormReluPoolFn(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!arguments(env, info, argv, "(dims, x, gamma, beta, y)")) return nullptr;
  int32_t* d;
  if (!exact(env, argv[0], napi_int32_array, &d, 5, "dims")) return nullptr;
  const int32_t n = d[0], h = d[1], w = d[2], c = d[3], groups = d[4];
  if (n < 1 || h < 2 || w < 2 || c < 1 || groups < 1 || c % groups != 0)
    return fail(env, "dims: expected [n, h, w, c, groups] with h, w ≥ 2 and groups dividing c"), nullptr;
  const size_t in = size_t(n) * h * w * c, out = size_t(n) * ((h - 2) / 2 + 1) * ((w - 2) / 2 + 1) * c;
  float *x, *gamma, *beta, *y;
  if (!exact(env, argv[1], napi_float32_array, &x, in, "x") || !exact(env, argv[2], napi_float32_array, &gamma, size_t(c), "gamma") ||
      !exact(env, argv[3], napi_float32_array, &beta, size_t(c), "beta") || !exact(env, argv[4], napi_float32_array, &y, out, "y"))
    return nullptr;
  groupNormReluPool(x, n, h, w, c, groups, gamma, beta, y);
  return nullptr;
}

// groupNormGrad(dims, dy, x, gamma, mean, rstd, dx, dGamma, dBeta)
napi_value groupNormGradFn(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  GroupDims g;
  if (!arguments(env, info, argv, "(dims, dy, x, gamma, mean, rstd, dx, dGamma, dBeta)")) return nullptr;
  if (!groupDims(env, argv[0], &g)) return nullptr;
  const int32_t n = g.n, hw = g.hw, c = g.c, groups = g.groups;
  const size_t size = g.size();
  float *dy, *x, *gamma, *dx, *dGamma, *dBeta;
  double *mean, *rstd;
  if (!exact(env, argv[1], napi_float32_array, &dy, size, "dy") || !exact(env, argv[2], napi_float32_array, &x, size, "x") ||
      !exact(env, argv[3], napi_float32_array, &gamma, c, "gamma") || !exact(env, argv[4], napi_float64_array, &mean, g.stats(), "mean") ||
      !exact(env, argv[5], napi_float64_array, &rstd, g.stats(), "rstd") || !exact(env, argv[6], napi_float32_array, &dx, size, "dx") ||
      !exact(env, argv[7], napi_float32_array, &dGamma, c, "dGamma") || !exact(env, argv[8], napi_float32_array, &dBeta, c, "dBeta"))
    return nullptr;
  groupNormBackward(dy, x, n, hw, c, groups, gamma, mean, rstd, dx, dGamma, dBeta);
  return nullptr;
}

// tapsGather(channels, tapStart, pixel, weight, features, out) / tapsScatter(channels, tapStart, pixel, weight, dy, dx)
template <bool scatter>
napi_value taps(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!arguments(env, info, argv, "(channels, tapStart, pixel, weight, in, out)")) return nullptr;
  const int32_t channels = intArg(env, argv[0]);
  int32_t *start, *pixel;
  float *weight, *in, *out;
  size_t starts = 0, taps = 0, inLen = 0, outLen = 0;
  if (channels < 1) {
    fail(env, "channels: expected a positive integer");
    return nullptr;
  }
  if (!typedArray(env, argv[1], napi_int32_array, &start, &starts, "tapStart") || starts < 1) return nullptr;
  const int32_t cells = int32_t(starts - 1);
  if (!typedArray(env, argv[2], napi_int32_array, &pixel, &taps, "pixel")) return nullptr;
  if (!exact(env, argv[3], napi_float32_array, &weight, taps, "weight")) return nullptr;
  if (!typedArray(env, argv[4], napi_float32_array, &in, &inLen, scatter ? "dy" : "features")) return nullptr;
  if (!typedArray(env, argv[5], napi_float32_array, &out, &outLen, scatter ? "dx" : "out")) return nullptr;
  const size_t cellValues = size_t(cells) * channels;
  if ((scatter ? inLen : outLen) != cellValues || size_t(start[cells]) > taps) {
    fail(env, "taps: array sizes do not match the cells");
    return nullptr;
  }
  const size_t pixels = (scatter ? outLen : inLen) / channels;
  for (int32_t t = 0; t < start[cells]; ++t)
    if (pixel[t] < 0 || size_t(pixel[t]) >= pixels) {
      fail(env, "pixel: index outside the feature map");
      return nullptr;
    }
  if (scatter) tapsScatter(in, channels, cells, start, pixel, weight, out, int64_t(outLen));
  else tapsGather(in, channels, cells, start, pixel, weight, out);
  return nullptr;
}

// An optional argument left out (null or undefined).
bool absent(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

// A Float32Array `v` read as rows × cols, cols from `colsArg` (a positive integer dividing its length).
bool matrix(napi_env env, napi_value v, napi_value colsArg, const char* what, float** data, int64_t* rows, int32_t* cols) {
  *cols = intArg(env, colsArg);
  if (*cols < 1) return fail(env, "cols: expected a positive integer");
  size_t n = 0;
  if (!typedArray(env, v, napi_float32_array, data, &n, what)) return false;
  if (n % size_t(*cols) != 0) return fail(env, std::string(what) + ": length is not a multiple of cols");
  *rows = int64_t(n / size_t(*cols));
  return true;
}

// columnSum(x, cols, out): out[c] = Σ_rows x[row, c].
napi_value columnSumFn(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!arguments(env, info, argv, "(x, cols, out)")) return nullptr;
  float *x, *out;
  int32_t cols = 0;
  int64_t rows = 0;
  if (!matrix(env, argv[0], argv[1], "x", &x, &rows, &cols) || !exact(env, argv[2], napi_float32_array, &out, size_t(cols), "out")) return nullptr;
  columnSum(x, rows, cols, out);
  return nullptr;
}

// biasActivation(y, cols, bias | null, relu)
napi_value biasActivationFn(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!arguments(env, info, argv, "(y, cols, bias | null, relu)")) return nullptr;
  float *y, *bias = nullptr;
  int32_t cols = 0;
  int64_t rows = 0;
  bool relu = false;
  if (!matrix(env, argv[0], argv[1], "y", &y, &rows, &cols)) return nullptr;
  if (!absent(env, argv[2]) && !exact(env, argv[2], napi_float32_array, &bias, size_t(cols), "bias")) return nullptr;
  napi_get_value_bool(env, argv[3], &relu);
  biasActivation(y, rows, cols, bias, relu);
  return nullptr;
}

// argv[0..2] as three Float32Arrays of one length n, named in errors.
bool threeOfOneLength(napi_env env, const napi_value* argv, const char* const (&names)[3], float* (&out)[3], size_t* n) {
  return typedArray(env, argv[0], napi_float32_array, &out[0], n, names[0]) && exact(env, argv[1], napi_float32_array, &out[1], *n, names[1]) &&
         exact(env, argv[2], napi_float32_array, &out[2], *n, names[2]);
}

// reluGrad(y, dy, dx): dx = y > 0 ? dy : 0 (y a ReLU's output).
napi_value reluGradFn(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  float* a[3];
  size_t n = 0;
  if (!arguments(env, info, argv, "(y, dy, dx)") || !threeOfOneLength(env, argv, {"y", "dy", "dx"}, a, &n)) return nullptr;
  reluGrad(a[0], a[1], a[2], int64_t(n));
  return nullptr;
}

double doubleArg(napi_env env, napi_value v) {
  double out = 0;
  napi_get_value_double(env, v, &out);
  return out;
}

// nms(boxes, order, threshold, maxOutput, kept) → count: greedy NMS visiting `order` (nms.h).
napi_value nmsFn(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!arguments(env, info, argv, "(boxes, order, threshold, maxOutput, kept)")) return nullptr;
  float* boxes;
  int32_t *order, *kept;
  size_t boxValues = 0, n = 0, room = 0;
  if (!typedArray(env, argv[0], napi_float32_array, &boxes, &boxValues, "boxes") || !typedArray(env, argv[1], napi_int32_array, &order, &n, "order") ||
      !typedArray(env, argv[4], napi_int32_array, &kept, &room, "kept"))
    return nullptr;
  const double threshold = doubleArg(env, argv[2]);
  const int32_t maxOutput = intArg(env, argv[3]);
  if (boxValues % 4 != 0) return fail(env, "boxes: length is not a multiple of 4"), nullptr;
  if (!(threshold >= 0 && threshold <= 1)) return fail(env, "threshold: expected an IoU in [0, 1]"), nullptr;
  if (maxOutput < 0 || room < std::min(n, size_t(maxOutput))) return fail(env, "kept: shorter than min(order.length, maxOutput)"), nullptr;
  for (size_t k = 0; k < n; ++k)
    if (order[k] < 0 || size_t(order[k]) >= boxValues / 4) return fail(env, "order: index " + std::to_string(order[k]) + " outside the boxes"), nullptr;
  napi_value r;
  napi_create_int32(env, nmsInOrder(boxes, order, int32_t(n), threshold, maxOutput, kept), &r);
  return r;
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 1;
  if (argc == 1) napi_get_value_int32(env, argv[0], &n);
  openblas_set_num_threads(n < 1 ? 1 : n);
  napi_value r;
  napi_create_int32(env, openblas_get_num_threads(), &r);
  return r;
}

// sgdMomentum(w, g, v, mu, rate, decay): one momentum step in place on w and v.
napi_value sgdMomentumFn(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  float* a[3];
  size_t n = 0;
  if (!arguments(env, info, argv, "(w, g, v, mu, rate, decay)") || !threeOfOneLength(env, argv, {"w", "g", "v"}, a, &n)) return nullptr;
  sgdMomentum(a[0], a[1], a[2], int64_t(n), doubleArg(env, argv[3]), doubleArg(env, argv[4]), doubleArg(env, argv[5]));
  return nullptr;
}

// roiPool(dims [height, width, channels, rois, pooledHeight, pooledWidth], spatialScale, features, rois, values, argmax | null)
napi_value roiPoolFn(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!arguments(env, info, argv, "(dims, spatialScale, features, rois, values, argmax)")) return nullptr;
  int32_t* d = nullptr;
  if (!exact(env, argv[0], napi_int32_array, &d, 6, "dims")) return nullptr;
  for (int i = 0; i < 6; ++i)
    if (d[i] < (i == 3 ? 0 : 1)) {
      fail(env, "dims: value " + std::to_string(i) + " out of range");
      return nullptr;
    }
  const RoiPoolGeometry g{d[0], d[1], d[2], d[3], d[4], d[5], doubleArg(env, argv[1])};
  const size_t out = size_t(g.rois) * g.pooledHeight * g.pooledWidth * g.channels;
  if (int64_t(g.height) * g.width * g.channels > INT32_MAX) {
    fail(env, "dims: feature map too large for int32 argmax");
    return nullptr;
  }
  float *features, *rois, *values;
  int32_t* argmax;
  if (!exact(env, argv[2], napi_float32_array, &features, size_t(g.height) * g.width * g.channels, "features") ||
      !exact(env, argv[3], napi_float32_array, &rois, size_t(g.rois) * 4, "rois") || !exact(env, argv[4], napi_float32_array, &values, out, "values"))
    return nullptr;
  argmax = nullptr;
  if (!absent(env, argv[5]) && !exact(env, argv[5], napi_int32_array, &argmax, out, "argmax")) return nullptr;
  roiPoolForward(g, features, rois, values, argmax);
  return nullptr;
}

// roiPoolGrad(dy, argmax, dx): dx = 0, then dx[argmax[i]] += dy[i].
napi_value roiPoolGradFn(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!arguments(env, info, argv, "(dy, argmax, dx)")) return nullptr;
  float *dy, *dx;
  int32_t* argmax;
  size_t n = 0, dxSize = 0;
  if (!typedArray(env, argv[0], napi_float32_array, &dy, &n, "dy") || !exact(env, argv[1], napi_int32_array, &argmax, n, "argmax") ||
      !typedArray(env, argv[2], napi_float32_array, &dx, &dxSize, "dx"))
    return nullptr;
  roiPoolBackward(dy, argmax, int64_t(n), dx, int64_t(dxSize));
  return nullptr;
}

// setWinograd(on): whether 3×3 stride-1 convolutions take the Winograd path; returns the old setting.
napi_value setWinograd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool on = true;
  if (argc == 1 && napi_get_value_bool(env, argv[0], &on) != napi_ok) {
    fail(env, "expected (on: boolean)");
    return nullptr;
  }
  napi_value r;
  napi_get_boolean(env, setWinogradEnabled(on), &r);
  return r;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"convForward", nullptr, conv<Op::Forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convFilterGrad", nullptr, conv<Op::FilterGrad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convInputGrad", nullptr, conv<Op::InputGrad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, sgemmFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, maxPoolGradFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrn", nullptr, lrn<false>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrnGrad", nullptr, lrn<true>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groupNorm", nullptr, groupNormFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groupNormReluPool", nullptr, groupNormReluPoolFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groupNormGrad", nullptr, groupNormGradFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tapsGather", nullptr, taps<false>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tapsScatter", nullptr, taps<true>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"columnSum", nullptr, columnSumFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivation", nullptr, biasActivationFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, reluGradFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdMomentum", nullptr, sgdMomentumFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"roiPool", nullptr, roiPoolFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"roiPoolGrad", nullptr, roiPoolGradFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nms", nullptr, nmsFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setWinograd", nullptr, setWinograd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
