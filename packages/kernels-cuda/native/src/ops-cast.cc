// cast between f32, f16 and bf16 (f16/bf16 stored as 16-bit patterns), bit-exact with the reference, which
// converts every value through a JS number with @lorakit/core's numberToF16 / numberToBf16 / f16ToNumber /
// bf16ToNumber (round to nearest even). So this file models what V8 does to the bits on the way:
//   decode: f32 keeps its bits (a signalling NaN is quieted, bit 22 set, as V8's float→double does);
//           f16 NaN becomes the canonical NaN 0x7fc00000 (f16ToNumber returns Number.NaN), other f16 values are
//           exact; bf16 is bits << 16 (NaN quieted the same way);
//   encode: f16 as numberToF16 (NaN → sign | 0x7e00, overflow → ±inf, subnormals rounded to nearest even);
//           bf16 as numberToBf16 (NaN → upper half | 0x40, else add 0x7fff + lsb and keep the upper half).
#include <immintrin.h>

#include <cstring>
#include <string>

#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

enum class DType { F32, F16, BF16 };

inline bool isNanBits(uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x7fffffu) != 0; }
inline uint32_t quiet(uint32_t bits) { return isNanBits(bits) ? bits | 0x400000u : bits; }

inline uint32_t f16ToBits(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu, fraction = half & 0x3ffu;
  if (exponent == 0x1f) return fraction ? 0x7fc00000u : sign | 0x7f800000u;
  if (exponent != 0) return sign | ((exponent + 112) << 23) | (fraction << 13);
  if (fraction == 0) return sign;
  float value = static_cast<float>(fraction) * 5.9604644775390625e-8f;  // fraction·2^−24, exact
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return sign | bits;
}

inline uint16_t bitsToF16(uint32_t x) {
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exponent = (x >> 23) & 0xffu;
  uint32_t mantissa = x & 0x7fffffu;
  if (exponent == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mantissa ? 0x200u : 0u));
  const int unbiased = static_cast<int>(exponent) - 127;
  if (unbiased > 15) return static_cast<uint16_t>(sign | 0x7c00u);
  if (unbiased >= -14) {
    uint32_t half = (static_cast<uint32_t>(unbiased + 15) << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++;
    return static_cast<uint16_t>(sign | half);
  }
  if (unbiased < -25) return static_cast<uint16_t>(sign);
  mantissa |= 0x800000u;
  const int shift = -unbiased - 14 + 13;
  uint32_t half = mantissa >> shift;
  const uint32_t rest = mantissa & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (half & 1u))) half++;
  return static_cast<uint16_t>(sign | half);
}

inline uint16_t bitsToBf16(uint32_t x) {
  if (isNanBits(x)) return static_cast<uint16_t>(((x >> 16) | 0x40u) & 0xffffu);
  return static_cast<uint16_t>(((x + 0x7fffu + ((x >> 16) & 1u)) >> 16) & 0xffffu);
}

inline uint32_t decode(const void* data, size_t i, DType dtype) {
  if (dtype == DType::F16) return f16ToBits(static_cast<const uint16_t*>(data)[i]);
  if (dtype == DType::BF16) return quiet(static_cast<uint32_t>(static_cast<const uint16_t*>(data)[i]) << 16);
  uint32_t bits;
  std::memcpy(&bits, static_cast<const float*>(data) + i, 4);
  return quiet(bits);
}

inline void encode(void* data, size_t i, DType dtype, uint32_t bits) {
  if (dtype == DType::F16) {
    static_cast<uint16_t*>(data)[i] = bitsToF16(bits);
  } else if (dtype == DType::BF16) {
    static_cast<uint16_t*>(data)[i] = bitsToBf16(bits);
  } else {
    std::memcpy(static_cast<float*>(data) + i, &bits, 4);
  }
}

DType parseDType(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info[index].IsString()) {
    std::string value = info[index].As<Napi::String>().Utf8Value();
    if (value == "f32") return DType::F32;
    if (value == "f16") return DType::F16;
    if (value == "bf16") return DType::BF16;
  }
  throwError(info.Env(), std::string("cast: ") + name + " must be 'f32', 'f16' or 'bf16' (native check)");
}

void* storage(const Napi::CallbackInfo& info, size_t index, const char* name, DType dtype, size_t size) {
  if (dtype == DType::F32) return floatArray(info, index, "cast", name, size);
  return uint16Array(info, index, "cast", name, size);
}

// The same rules eight at a time (F16C for the f16 rounding, which is round-to-nearest-even like numberToF16 for
// every finite value; NaN lanes are then replaced by what the scalar rules give).
#define LORAKIT_CAST_TARGET __attribute__((target("avx2,f16c")))

LORAKIT_CAST_TARGET inline __m256i nanMask(__m256i bits) {
  return _mm256_cmpgt_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffffff)), _mm256_set1_epi32(0x7f800000));
}

LORAKIT_CAST_TARGET inline __m256i quiet8(__m256i bits) {
  return _mm256_or_si256(bits, _mm256_and_si256(nanMask(bits), _mm256_set1_epi32(0x400000)));
}

// Eight 32-bit values ≤ 0xffff → eight uint16 in order.
LORAKIT_CAST_TARGET inline __m128i narrow16(__m256i values) {
  __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(values, values), 0x08);
  return _mm256_castsi256_si128(packed);
}

template <DType From>
LORAKIT_CAST_TARGET inline __m256i decode8(const void* data, size_t i) {
  if constexpr (From == DType::F32) {
    return quiet8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const float*>(data) + i)));
  } else {
    __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(data) + i));
    if constexpr (From == DType::BF16) return quiet8(_mm256_slli_epi32(_mm256_cvtepu16_epi32(halves), 16));
    __m256i bits = _mm256_castps_si256(_mm256_cvtph_ps(halves));
    __m256i isNan = _mm256_cmpgt_epi32(_mm256_and_si256(_mm256_cvtepu16_epi32(halves), _mm256_set1_epi32(0x7fff)),
                                       _mm256_set1_epi32(0x7c00));
    return _mm256_blendv_epi8(bits, _mm256_set1_epi32(0x7fc00000), isNan);
  }
}

template <DType To>
LORAKIT_CAST_TARGET inline void encode8(void* data, size_t i, __m256i bits) {
  if constexpr (To == DType::F32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<float*>(data) + i), bits);
  } else {
    __m256i isNan = nanMask(bits);
    __m128i result;
    if constexpr (To == DType::BF16) {
      __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
      __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(0x7fff)), lsb), 16);
      __m256i nanValue = _mm256_or_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(0x40));
      result = narrow16(_mm256_blendv_epi8(rounded, nanValue, isNan));
    } else {
      __m128i halves = _mm256_cvtps_ph(_mm256_castsi256_ps(bits), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      __m256i nanValue = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(0x8000)),
                                         _mm256_set1_epi32(0x7e00));
      result = _mm_blendv_epi8(halves, narrow16(nanValue), narrow16(_mm256_srli_epi32(isNan, 16)));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(static_cast<uint16_t*>(data) + i), result);
  }
}

template <DType From, DType To>
LORAKIT_CAST_TARGET void convertRange(void* out, const void* x, size_t begin, size_t end) {
  size_t i = begin;
  for (; i + 8 <= end; i += 8) encode8<To>(out, i, decode8<From>(x, i));
  for (; i < end; i++) encode(out, i, To, decode(x, i, From));
}

using Converter = void (*)(void*, const void*, size_t, size_t);

template <DType From>
Converter converterTo(DType to) {
  if (to == DType::F16) return convertRange<From, DType::F16>;
  if (to == DType::BF16) return convertRange<From, DType::BF16>;
  return convertRange<From, DType::F32>;
}

// cast(out, x, size, outDtype, xDtype): out is a Float32Array for 'f32', else a Uint16Array of bit patterns.
Napi::Value Cast(const Napi::CallbackInfo& info) {
  const size_t size = sizeArg(info, 2, "cast", "size");
  const DType to = parseDType(info, 3, "outDtype"), from = parseDType(info, 4, "xDtype");
  void* out = storage(info, 0, "out", to, size);
  const void* x = storage(info, 1, "x", from, size);
  Converter convert = from == DType::F16    ? converterTo<DType::F16>(to)
                      : from == DType::BF16 ? converterTo<DType::BF16>(to)
                                            : converterTo<DType::F32>(to);
  parallelFor(size, 65536, [&](size_t begin, size_t end) { convert(out, x, begin, end); });
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("cast", Cast)

}  // namespace lorakit
