// Node-API bindings of the ops (kernels.h). Shapes, dtypes and aliasing are validated in TypeScript first; here
// every buffer is checked against the element count its sizes imply and every host index array against its
// range, so no call can read or write outside its buffers whatever the JS side passes.
#include <cmath>
#include <string>

#include "device-memory.h"
#include "kernels.h"
#include "napi-helpers.h"

namespace lk {
namespace {

size_t product(std::initializer_list<int> sizes) {
  size_t result = 1;
  for (int size : sizes) {
    if (size < 0) throw std::runtime_error("negative size (native check)");
    result *= static_cast<size_t>(size);
  }
  return result;
}

size_t element_bytes(DType dtype) { return dtype == DType::F32 ? 4 : 2; }

DType dtype_of(Arguments& arguments, size_t index) {
  const int code = arguments.integer(index, "dtype");
  if (code < 0 || code > 2) throw std::runtime_error("unknown dtype code " + std::to_string(code) + " (native check)");
  return static_cast<DType>(code);
}

DropoutParameters dropout_of(Arguments& arguments, size_t index) {
  const double probability = arguments.number(index, "dropoutProbability");
  const double seed = arguments.number(index + 1, "dropoutSeed");
  if (!(probability >= 0 && probability < 1) || !(seed >= 0 && seed <= 4294967295.0) || seed != std::floor(seed)) {
    throw std::runtime_error("dropout probability must be in [0, 1) and the seed a uint32 (native check)");
  }
  return {probability, static_cast<uint32_t>(seed)};
}

napi_value matmul(Arguments& a) {
  const DType dtype = dtype_of(a, 3);
  const int batch = a.integer(4, "batch"), m = a.integer(5, "m"), n = a.integer(6, "n"), k = a.integer(7, "k");
  const double a_stride = a.number(8, "aBatchStride"), b_stride = a.number(9, "bBatchStride");
  if ((a_stride != 0 && a_stride != 1.0 * m * k) || (b_stride != 0 && b_stride != 1.0 * k * n)) {
    throw std::runtime_error("matmul: batch strides must be 0 or the matrix size (native check)");
  }
  const size_t bytes = element_bytes(dtype);
  const DeviceBuffer *out = a.buffer(0, "out"), *left = a.buffer(1, "a"), *right = a.buffer(2, "b");
  require_size("matmul", "out", out, product({batch, m, n}), bytes);
  require_size("matmul", "a", left, a_stride ? product({batch, m, k}) : product({m, k}), bytes);
  require_size("matmul", "b", right, b_stride ? product({batch, k, n}) : product({k, n}), bytes);
  gemm(dtype, a.boolean(10, "transposeA"), a.boolean(11, "transposeB"), batch, m, n, k, static_cast<float>(a.number(12, "alpha")),
       left->pointer, static_cast<long long>(a_stride), right->pointer, static_cast<long long>(b_stride),
       static_cast<float>(a.number(13, "beta")), out->pointer);
  return nullptr;
}

napi_value lora_linear_forward_binding(Arguments& a) {
  const char* op = "loraLinearForward";
  LoraLinearForward p{};
  p.tokens = a.integer(7, "tokens");
  p.in_features = a.integer(8, "inFeatures");
  p.out_features = a.integer(9, "outFeatures");
  p.rank = a.integer(10, "rank");
  const int t = p.tokens, in = p.in_features, out = p.out_features, r = p.rank;
  p.x = device<const float>(op, "x", a.buffer(0, "x"), product({t, in}));
  p.weight = device<const float>(op, "weight", a.buffer(1, "weight"), product({out, in}));
  p.bias = device<const float>(op, "bias", a.optional_buffer(2, "bias"), product({out}));
  p.lora_a = device<const float>(op, "loraA", r ? a.buffer(3, "loraA") : nullptr, product({r, in}));
  p.lora_b = device<const float>(op, "loraB", r ? a.buffer(4, "loraB") : nullptr, product({out, r}));
  p.out = device<float>(op, "out", a.buffer(5, "out"), product({t, out}));
  p.shrink = device<float>(op, "shrink", r ? a.optional_buffer(6, "shrink") : nullptr, product({t, r}));
  p.scale = static_cast<float>(a.number(11, "scale"));
  p.dropout = dropout_of(a, 12);
  lora_linear_forward(p);
  return nullptr;
}

napi_value lora_linear_backward_binding(Arguments& a) {
  const char* op = "loraLinearBackward";
  LoraLinearBackward p{};
  p.tokens = a.integer(11, "tokens");
  p.in_features = a.integer(12, "inFeatures");
  p.out_features = a.integer(13, "outFeatures");
  p.rank = a.integer(14, "rank");
  const int t = p.tokens, in = p.in_features, out = p.out_features, r = p.rank;
  p.dy = device<const float>(op, "dy", a.buffer(0, "dy"), product({t, out}));
  p.x = device<const float>(op, "x", a.buffer(1, "x"), product({t, in}));
  p.weight = device<const float>(op, "weight", a.buffer(2, "weight"), product({out, in}));
  p.lora_a = device<const float>(op, "loraA", r ? a.buffer(3, "loraA") : nullptr, product({r, in}));
  p.lora_b = device<const float>(op, "loraB", r ? a.buffer(4, "loraB") : nullptr, product({out, r}));
  p.shrink = device<const float>(op, "shrink", r ? a.optional_buffer(5, "shrink") : nullptr, product({t, r}));
  p.dx = device<float>(op, "dx", a.optional_buffer(6, "dx"), product({t, in}));
  p.d_a = device<float>(op, "dA", r ? a.optional_buffer(7, "dA") : nullptr, product({r, in}));
  p.d_b = device<float>(op, "dB", r ? a.optional_buffer(8, "dB") : nullptr, product({out, r}));
  p.d_weight = device<float>(op, "dWeight", a.optional_buffer(9, "dWeight"), product({out, in}));
  p.d_bias = device<float>(op, "dBias", a.optional_buffer(10, "dBias"), product({out}));
  p.scale = static_cast<float>(a.number(15, "scale"));
  p.dropout = dropout_of(a, 16);
  p.accumulate = a.boolean(18, "accumulate");
  lora_linear_backward(p);
  return nullptr;
}

/** Arguments 0–7 of both multi-adapter forms: x, weight, bias, out, loraAs, loraBs, ranks, scales; sizes at `sizes`. */
LoraMultiForward multi_arguments(Arguments& a, const char* op, size_t sizes) {
  LoraMultiForward p{};
  p.tokens = a.integer(sizes, "tokens");
  p.in_features = a.integer(sizes + 1, "inFeatures");
  p.out_features = a.integer(sizes + 2, "outFeatures");
  const int t = p.tokens, in = p.in_features, out = p.out_features;
  p.x = device<const float>(op, "x", a.buffer(0, "x"), product({t, in}));
  p.weight = device<const float>(op, "weight", a.buffer(1, "weight"), product({out, in}));
  p.bias = device<const float>(op, "bias", a.optional_buffer(2, "bias"), product({out}));
  p.out = device<float>(op, "out", a.buffer(3, "out"), product({t, out}));
  const std::vector<DeviceBuffer*> lora_as = a.buffer_array(4, "loraAs"), lora_bs = a.buffer_array(5, "loraBs");
  if (lora_bs.size() != lora_as.size()) throw std::runtime_error(std::string(op) + ": loraAs and loraBs differ in length (native check)");
  const int32_t* ranks = a.int32_array(6, "ranks", lora_as.size());
  const float* scales = a.float32_array(7, "scales", lora_as.size());
  for (size_t i = 0; i < lora_as.size(); i++) {
    const int r = ranks[i];
    p.adapters.push_back({device<const float>(op, "loraA", lora_as[i], product({r, in})),
                          device<const float>(op, "loraB", lora_bs[i], product({out, r})), r, scales[i]});
  }
  return p;
}

napi_value lora_multi_forward_binding(Arguments& a) {
  const char* op = "loraMultiForward";
  LoraMultiForward p = multi_arguments(a, op, 9);
  const int32_t* rows = a.int32_array(8, "rowAdapter", static_cast<size_t>(p.tokens));
  require_range(op, "rowAdapter", rows, static_cast<size_t>(p.tokens), 0, static_cast<long long>(p.adapters.size()), -1);
  lora_multi_forward(p, rows);
  return nullptr;
}

napi_value lora_segmented_forward_binding(Arguments& a) {
  const char* op = "loraSegmentedForward";
  LoraMultiForward p = multi_arguments(a, op, 11);
  size_t bytes = 0;
  a.typed_bytes(8, "starts", &bytes);
  const size_t count = bytes / 4;
  const int32_t* starts = a.int32_array(8, "starts", count);
  const int32_t* lengths = a.int32_array(9, "lengths", count);
  const int32_t* adapters = a.int32_array(10, "adapters", count);
  require_range(op, "adapters", adapters, count, 0, static_cast<long long>(p.adapters.size()), -1);
  for (size_t s = 0; s < count; s++) {
    if (starts[s] < 0 || lengths[s] < 0 || static_cast<long long>(starts[s]) + lengths[s] > p.tokens) {
      throw std::runtime_error(std::string(op) + ": segment " + std::to_string(s) + " lies outside the rows (native check)");
    }
  }
  lora_segmented_forward(p, starts, lengths, adapters, static_cast<int>(count));
  return nullptr;
}

napi_value merge_binding(Arguments& a) {
  const char* op = "merge";
  const int out = a.integer(3, "outFeatures"), in = a.integer(4, "inFeatures"), r = a.integer(5, "rank");
  float* weight = device<float>(op, "weight", a.buffer(0, "weight"), product({out, in}));
  const float* lora_a = device<const float>(op, "loraA", a.buffer(1, "loraA"), product({r, in}));
  const float* lora_b = device<const float>(op, "loraB", a.buffer(2, "loraB"), product({out, r}));
  const float scale = static_cast<float>(a.number(6, "scale"));
  if (a.boolean(7, "fanInFanOut")) {
    gemm(DType::F32, true, true, 1, in, out, r, scale, lora_a, 0, lora_b, 0, 1.0f, weight);  // W [in,out] += s·Aᵀ·Bᵀ
  } else {
    gemm(DType::F32, false, false, 1, out, in, r, scale, lora_b, 0, lora_a, 0, 1.0f, weight);  // W [out,in] += s·B·A
  }
  return nullptr;
}

napi_value cast_binding(Arguments& a) {
  const DType out_dtype = dtype_of(a, 1), x_dtype = dtype_of(a, 3);
  const double size = a.number(4, "size");
  if (!(size >= 0)) throw std::runtime_error("cast: bad size (native check)");
  const size_t count = static_cast<size_t>(size);
  DeviceBuffer *out = a.buffer(0, "out"), *x = a.buffer(2, "x");
  require_size("cast", "out", out, count, element_bytes(out_dtype));
  require_size("cast", "x", x, count, element_bytes(x_dtype));
  cast(out->pointer, out_dtype, x->pointer, x_dtype, count);
  return nullptr;
}

}  // namespace

void register_more_ops(napi_env env, napi_value exports);

void register_ops(napi_env env, napi_value exports) {
  export_function(env, exports, "matmul", bind<matmul>);
  export_function(env, exports, "loraLinearForward", bind<lora_linear_forward_binding>);
  export_function(env, exports, "loraLinearBackward", bind<lora_linear_backward_binding>);
  export_function(env, exports, "loraMultiForward", bind<lora_multi_forward_binding>);
  export_function(env, exports, "loraSegmentedForward", bind<lora_segmented_forward_binding>);
  export_function(env, exports, "merge", bind<merge_binding>);
  export_function(env, exports, "cast", bind<cast_binding>);
  register_more_ops(env, exports);
}

}  // namespace lk
