// LoRA dropout on the native side, bit-identical in its keep decision to src/dropout-mask.ts:
//   keep(index) ⇔ lowbias32(index ⊕ lowbias32(seed)) / 2³² ≥ p, kept values scaled by 1/(1−p) (in double, as the
//   TypeScript does), dropped ones 0. index = row·inFeatures + column of x, taken mod 2³² like JS's `^`.
// The comparison runs on integers: h/2³² ≥ p ⇔ h ≥ ⌈p·2³²⌉ (p·2³² is exact in double).
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace lorakit {

inline uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

inline __m256i lowbias32(__m256i x) {
  x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 16));
  x = _mm256_mullo_epi32(x, _mm256_set1_epi32(0x7feb352d));
  x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 15));
  x = _mm256_mullo_epi32(x, _mm256_set1_epi32(static_cast<int>(0x846ca68bU)));
  x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 16));
  return x;
}

struct DropoutMask {
  bool active = false;
  uint32_t seedHash = 0;
  // keep ⇔ hash ≥ threshold; a threshold of 2³² drops everything.
  uint64_t threshold = 0;
  double factor = 1.0;

  DropoutMask() = default;
  DropoutMask(double probability, double seed) {
    if (!(probability > 0)) return;
    active = true;
    // The seed as JS's `>>> 0` sees it: the integer mod 2³².
    double wrapped = std::fmod(seed, 4294967296.0);
    if (wrapped < 0) wrapped += 4294967296.0;
    seedHash = lowbias32(static_cast<uint32_t>(wrapped));
    threshold = static_cast<uint64_t>(std::ceil(probability * 4294967296.0));
    factor = 1.0 / (1.0 - probability);
  }

  float apply(float value, uint64_t index) const {
    if (!active) return value;
    uint32_t hash = lowbias32(static_cast<uint32_t>(index) ^ seedHash);
    return hash >= threshold ? static_cast<float>(static_cast<double>(value) * factor) : value * 0.0f;
  }

  // out[i] = dropout(values[i]) for element indices index0 + i (out may equal values).
  void applyRow(const float* values, float* out, size_t count, uint64_t index0) const {
    if (!active) {
      if (out != values) for (size_t i = 0; i < count; i++) out[i] = values[i];
      return;
    }
    size_t i = 0;
    if (threshold <= 0xFFFFFFFFULL) {
      const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      const __m256i seed = _mm256_set1_epi32(static_cast<int>(seedHash));
      const __m256i limit = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(threshold)));
      const __m256d scale = _mm256_set1_pd(factor);
      for (; i + 8 <= count; i += 8) {
        __m256i index = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(index0 + i))), lanes);
        __m256i hash = lowbias32(_mm256_xor_si256(index, seed));
        // hash ≥ limit (unsigned) ⇔ max(hash, limit) = hash
        __m256 keep = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_max_epu32(hash, limit), hash));
        __m256 v = _mm256_loadu_ps(values + i);
        __m128 low = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), scale));
        __m128 high = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), scale));
        __m256 scaled = _mm256_insertf128_ps(_mm256_castps128_ps256(low), high, 1);
        // Dropped values become value·0 (so NaN and ±inf stay NaN, as x·mask does in the reference).
        _mm256_storeu_ps(out + i, _mm256_blendv_ps(_mm256_mul_ps(v, _mm256_setzero_ps()), scaled, keep));
      }
    }
    for (; i < count; i++) out[i] = apply(values[i], index0 + i);
  }
};

}  // namespace lorakit
