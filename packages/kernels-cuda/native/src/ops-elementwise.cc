// Element-wise ops and the global gradient norm:
//   siluMul:          out = silu(g)·u, silu(g) = g·σ(g), σ(g) = 1/(1 + e^−g)
//   siluMulBackward:  dUp = dy·silu(g),  dGate = dy·u·σ(g)·(1 + g·(1 − σ(g)))
//   scale:            x ← factor·x (fp64 product, rounded once)
//   add:              out = a + b (out may alias a or b: each element is read before it is written)
//   sumOfSquares:     Σ x² over several arrays in fp64, summed per fixed block of 4096 elements and then in block
//                     order, so the result is the same for any thread count; NaN and ±inf propagate.
#include <string>
#include <vector>

#include "napi-args.h"
#include "ops-simd.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

constexpr size_t kElementGrain = 16384;

inline __m256 sigmoid(__m256 g) {
  __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, simd::exp(_mm256_sub_ps(_mm256_setzero_ps(), g))));
}

// Runs vector(i) on 8-element groups and scalarTail(i) on the rest; the tail goes through the same maths by
// padding into an 8-lane buffer, so every element gets the same rounding wherever it sits.
template <typename VectorBody>
void forEachVector(size_t n, VectorBody&& body) {
  parallelFor((n + 7) / 8, kElementGrain / 8, [&](size_t begin, size_t end) {
    for (size_t group = begin; group < end; group++) body(group * 8, n - group * 8 >= 8 ? 8 : n - group * 8);
  });
}

// Loads `count` (≤ 8) floats, zero padding.
inline __m256 loadPartial(const float* p, size_t count) {
  if (count == 8) return _mm256_loadu_ps(p);
  alignas(32) float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < count; i++) lanes[i] = p[i];
  return _mm256_load_ps(lanes);
}

inline void storePartial(float* p, __m256 v, size_t count) {
  if (count == 8) {
    _mm256_storeu_ps(p, v);
    return;
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  for (size_t i = 0; i < count; i++) p[i] = lanes[i];
}

Napi::Value SiluMul(const Napi::CallbackInfo& info) {
  const char* op = "siluMul";
  size_t n = sizeArg(info, 3, op, "size");
  float* out = floatArray(info, 0, op, "out", n);
  const float* gate = floatArray(info, 1, op, "gate", n);
  const float* up = floatArray(info, 2, op, "up", n);
  forEachVector(n, [&](size_t i, size_t count) {
    __m256 g = loadPartial(gate + i, count);
    __m256 u = loadPartial(up + i, count);
    storePartial(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sigmoid(g)), u), count);
  });
  return info.Env().Undefined();
}

Napi::Value SiluMulBackward(const Napi::CallbackInfo& info) {
  const char* op = "siluMulBackward";
  size_t n = sizeArg(info, 5, op, "size");
  float* dGate = floatArray(info, 0, op, "dGate", n);
  float* dUp = floatArray(info, 1, op, "dUp", n);
  const float* dy = floatArray(info, 2, op, "dy", n);
  const float* gate = floatArray(info, 3, op, "gate", n);
  const float* up = floatArray(info, 4, op, "up", n);
  forEachVector(n, [&](size_t i, size_t count) {
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 g = loadPartial(gate + i, count);
    __m256 u = loadPartial(up + i, count);
    __m256 d = loadPartial(dy + i, count);
    __m256 s = sigmoid(g);
    __m256 silu = _mm256_mul_ps(g, s);
    __m256 slope = _mm256_mul_ps(s, _mm256_fmadd_ps(g, _mm256_sub_ps(one, s), one));
    storePartial(dUp + i, _mm256_mul_ps(d, silu), count);
    storePartial(dGate + i, _mm256_mul_ps(_mm256_mul_ps(d, u), slope), count);
  });
  return info.Env().Undefined();
}

Napi::Value Scale(const Napi::CallbackInfo& info) {
  const char* op = "scale";
  size_t n = sizeArg(info, 2, op, "size");
  float* x = floatArray(info, 0, op, "x", n);
  // The factor stays fp64 (a clipping ratio is rarely an f32 value); each product is rounded once, as in the
  // reference.
  __m256d factor = _mm256_set1_pd(numberArg(info, 1, op, "factor"));
  forEachVector(n, [&](size_t i, size_t count) {
    __m256 v = loadPartial(x + i, count);
    __m128 low = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), factor));
    __m128 high = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), factor));
    storePartial(x + i, _mm256_insertf128_ps(_mm256_castps128_ps256(low), high, 1), count);
  });
  return info.Env().Undefined();
}

Napi::Value Add(const Napi::CallbackInfo& info) {
  const char* op = "add";
  size_t n = sizeArg(info, 3, op, "size");
  float* out = floatArray(info, 0, op, "out", n);
  const float* a = floatArray(info, 1, op, "a", n);
  const float* b = floatArray(info, 2, op, "b", n);
  forEachVector(n, [&](size_t i, size_t count) {
    storePartial(out + i, _mm256_add_ps(loadPartial(a + i, count), loadPartial(b + i, count)), count);
  });
  return info.Env().Undefined();
}

constexpr size_t kSumBlock = 4096;

Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  const char* op = "sumOfSquares";
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throwError(env, "sumOfSquares: tensors must be an array of Float32Array (native check)");
  Napi::Array list = info[0].As<Napi::Array>();
  struct Block {
    const float* data;
    size_t length;
  };
  std::vector<Block> blocks;
  for (uint32_t t = 0; t < list.Length(); t++) {
    Napi::Value value = list.Get(t);
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throwError(env, std::string(op) + ": tensors[" + std::to_string(t) + "] must be a Float32Array (native check)");
    }
    auto array = value.As<Napi::Float32Array>();
    const float* data = array.Data();
    size_t length = array.ElementLength();
    for (size_t start = 0; start < length; start += kSumBlock) {
      blocks.push_back({data + start, std::min(kSumBlock, length - start)});
    }
  }
  std::vector<double> partial(blocks.size());
  parallelFor(blocks.size(), 16, [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; b++) partial[b] = simd::dotDouble(blocks[b].data, blocks[b].data, blocks[b].length);
  });
  double sum = 0;
  for (double value : partial) sum += value;
  return Napi::Number::New(env, sum);
}

}  // namespace

LORAKIT_NATIVE_OP("siluMul", SiluMul)
LORAKIT_NATIVE_OP("siluMulBackward", SiluMulBackward)
LORAKIT_NATIVE_OP("scale", Scale)
LORAKIT_NATIVE_OP("add", Add)
LORAKIT_NATIVE_OP("sumOfSquares", SumOfSquares)

}  // namespace lorakit
