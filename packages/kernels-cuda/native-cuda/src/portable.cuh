// What every kernel file includes: CUDA itself under nvcc, the CPU emulation (emulation/cuda-emulation.h)
// under g++, plus the helpers both share: launch(), warp and block reductions, and the exact f32 ↔ f16/bf16
// conversions (bit for bit those of @lorakit/core's numberToF16 / numberToBf16, NaN payloads included).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#define LK_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#else
#include "emulation/cuda-emulation.h"
#define LK_DYNAMIC_SHARED(type, name) type* name = static_cast<type*>(::lk_emu::dynamic_shared())
#endif

#define LK_HD __host__ __device__ __forceinline__
#define LK_D __device__ __forceinline__

namespace lk {

/** Launches `kernel` on the default stream; errors surface through cudaGetLastError (checked by the caller). */
template <typename... Parameters, typename... Arguments>
void launch(void (*kernel)(Parameters...), dim3 grid, dim3 block, size_t shared_bytes, Arguments... arguments) {
#if defined(__CUDACC__)
  kernel<<<grid, block, shared_bytes>>>(static_cast<Parameters>(arguments)...);
#else
  ::lk_emu::launch(grid, block, shared_bytes, [&]() { kernel(static_cast<Parameters>(arguments)...); });
#endif
}

/** Allows a kernel more than the default 48 KiB of dynamic shared memory (up to 227 KiB on sm_90). */
template <typename... Parameters>
void allow_shared_memory(void (*kernel)(Parameters...), size_t bytes) {
#if defined(__CUDACC__)
  if (bytes > 48 * 1024) cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes));
#else
  (void)kernel;
  (void)bytes;
#endif
}

inline unsigned int blocks_for(size_t count, unsigned int threads) {
  const size_t blocks = (count + threads - 1) / threads;
  // Grid-stride loops cover the rest; 65535·8 blocks keep every SM busy.
  return static_cast<unsigned int>(blocks < 65535u * 8u ? (blocks == 0 ? 1 : blocks) : 65535u * 8u);
}

LK_HD int imin(int a, int b) { return a < b ? a : b; }

LK_HD uint32_t float_bits(float value) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(value);
#else
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
#endif
}

LK_HD float bits_float(uint32_t bits) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(bits);
#else
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
#endif
}

LK_HD float bf16_to_float(uint16_t bits) { return bits_float(static_cast<uint32_t>(bits) << 16); }

/** Round to nearest even; a NaN stays a quiet NaN with its high payload bits. */
LK_HD uint16_t float_to_bf16(float value) {
  const uint32_t x = float_bits(value);
  if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu)) return static_cast<uint16_t>((x >> 16) | 0x40u);
  const uint32_t rounded = x + 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

LK_HD float f16_to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t fraction = bits & 0x3ffu;
  if (exponent == 0x1f) return bits_float(sign | 0x7f800000u | (fraction << 13));
  if (exponent != 0) return bits_float(sign | ((exponent + 112u) << 23) | (fraction << 13));
  if (fraction == 0) return bits_float(sign);
  // Subnormal half: normalise into a float.
  int shift = 0;
  while (!(fraction & 0x400u)) {
    fraction <<= 1;
    shift++;
  }
  return bits_float(sign | (static_cast<uint32_t>(113 - shift) << 23) | ((fraction & 0x3ffu) << 13));
}

/** Round to nearest even, overflow to ±Inf, NaN → sign|0x7e00 (as core's numberToF16). */
LK_HD uint16_t float_to_f16(float value) {
  const uint32_t x = float_bits(value);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int exponent = static_cast<int>((x >> 23) & 0xffu);
  uint32_t mantissa = x & 0x7fffffu;
  if (exponent == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mantissa ? 0x200u : 0u));
  const int unbiased = exponent - 127;
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
  const uint32_t rest = mantissa & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (half & 1u))) half++;
  return static_cast<uint16_t>(sign | half);
}

/** Storage types: f32 as float, bf16 as its 16-bit pattern (a distinct type so templates can tell them apart). */
struct bf16 {
  uint16_t bits;
};
LK_HD float to_float(float value) { return value; }
LK_HD float to_float(bf16 value) { return bf16_to_float(value.bits); }
template <typename T>
LK_HD T from_float(float value);
template <>
LK_HD float from_float<float>(float value) {
  return value;
}
template <>
LK_HD bf16 from_float<bf16>(float value) {
  return bf16{float_to_bf16(value)};
}

template <typename T>
LK_D T warp_sum(T value) {
  for (int offset = 16; offset > 0; offset >>= 1) value += __shfl_xor_sync(0xffffffffu, value, offset);
  return value;
}

LK_D float warp_max(float value) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float other = __shfl_xor_sync(0xffffffffu, value, offset);
    value = other > value ? other : value;
  }
  return value;
}

/** Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result. */
template <typename T>
LK_D T block_sum(T value) {
  __shared__ T partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  value = warp_sum(value);
  __syncthreads();  // a previous call may still be reading `partial`
  if (lane == 0) partial[warp] = value;
  __syncthreads();
  T total = lane < warps ? partial[lane] : T(0);
  return warp_sum(total);
}

LK_D float block_max(float value) {
  __shared__ float partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  value = warp_max(value);
  __syncthreads();
  if (lane == 0) partial[warp] = value;
  __syncthreads();
  float total = lane < warps ? partial[lane] : -INFINITY;
  return warp_max(total);
}

/** LoRA dropout's keep multiplier (src/dropout-mask.ts): lowbias32(index ⊕ lowbias32(seed)) / 2³² ≥ p. */
LK_HD uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
struct Dropout {
  double probability;  // 0: no dropout
  uint32_t hashed_seed;  // lowbias32(seed)
  float keep_scale;  // 1/(1−p)
  LK_HD float factor(uint64_t index) const {
    if (probability <= 0) return 1.0f;
    const uint32_t hash = lowbias32(static_cast<uint32_t>(index) ^ hashed_seed);
    return static_cast<double>(hash) / 4294967296.0 >= probability ? keep_scale : 0.0f;
  }
};

}  // namespace lk
