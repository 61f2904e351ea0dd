// Node-API entry points: each takes a geometry (Int32Array of 13) and Float32Arrays, which may
// be views of the wasm heap, checks their lengths against the geometry and runs synchronously.
#include <node_api.h>

#include <cblas.h>

#include <cstdint>
#include <string>

#include "conv.h"

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

namespace {

bool fail(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return false;
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

size_t inputSize(const ConvGeometry& g) { return size_t(g.n) * g.h * g.w * g.c; }
size_t filterSize(const ConvGeometry& g) { return size_t(g.kh) * g.kw * g.c * g.cout; }
size_t outputSize(const ConvGeometry& g) { return size_t(g.n) * g.outH * g.outW * g.cout; }

enum class Op { Forward, FilterGrad, InputGrad };

template <Op op>
napi_value conv(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 4) {
    fail(env, "expected (geometry, a, b, out)");
    return nullptr;
  }
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
napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 8) {
    fail(env, "expected (m, n, k, transA, transB, a, b, c)");
    return nullptr;
  }
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
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a, ta ? m : k, b, tb ? k : n, 0.f, c, n);
  return nullptr;
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

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"convForward", nullptr, conv<Op::Forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convFilterGrad", nullptr, conv<Op::FilterGrad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convInputGrad", nullptr, conv<Op::InputGrad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
