// AVX2/FMA helpers shared by the non-GEMM ops (ops-*.cc): a vectorised exp, horizontal reductions, and a
// fixed-block fp64 sum whose result does not depend on the thread count.
//
// exp: e^x = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln 2 split in two constants (Cody–Waite), e^r by a
// degree-6 polynomial (the classic single-precision minimax coefficients); about 1 ulp on [−87.3, 88.7].
// Below −87.3 the result is 0 (no denormals), above 88.7 it is +inf, and NaN stays NaN.
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace lorakit::simd {

inline __m256 exp(__m256 x) {
  const __m256 high = _mm256_set1_ps(88.7228394f);
  const __m256 low = _mm256_set1_ps(-87.3365479f);
  __m256 overflow = _mm256_cmp_ps(x, high, _CMP_GT_OQ);
  __m256 underflow = _mm256_cmp_ps(x, low, _CMP_LT_OQ);
  // max/min return their second operand when either is NaN: written this way round, NaN passes through.
  __m256 clamped = _mm256_min_ps(_mm256_set1_ps(88.3762626647949f), _mm256_max_ps(low, x));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(clamped, _mm256_set1_ps(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  n = _mm256_min_ps(n, _mm256_set1_ps(127.0f));  // keeps 2^n a normal float; r grows to ≤ 0.7 near the top
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), clamped);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  __m256 r2 = _mm256_mul_ps(r, r);
  __m256 y = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  // 2^n through the exponent field; n is in [−126, 127].
  __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  y = _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(), underflow);
  return _mm256_blendv_ps(y, _mm256_set1_ps(std::numeric_limits<float>::infinity()), overflow);
}

// The scalar form of the same function, for tails, so a row's values do not depend on where its tail starts.
inline float exp(float x) {
  alignas(32) float lanes[8] = {x, 0, 0, 0, 0, 0, 0, 0};
  _mm256_store_ps(lanes, exp(_mm256_load_ps(lanes)));
  return lanes[0];
}

inline float horizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float horizontalMax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline double horizontalSum(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

// Σ a[i]·b[i] in fp64 (b = a gives Σ a²), in a fixed order for a given n.
inline double dotDouble(const float* a, const float* b, size_t n) {
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 va = _mm256_loadu_ps(a + i), vb = _mm256_loadu_ps(b + i);
    __m256d aLow = _mm256_cvtps_pd(_mm256_castps256_ps128(va)), bLow = _mm256_cvtps_pd(_mm256_castps256_ps128(vb));
    __m256d aHigh = _mm256_cvtps_pd(_mm256_extractf128_ps(va, 1));
    __m256d bHigh = _mm256_cvtps_pd(_mm256_extractf128_ps(vb, 1));
    acc0 = _mm256_fmadd_pd(aLow, bLow, acc0);
    acc1 = _mm256_fmadd_pd(aHigh, bHigh, acc1);
  }
  double sum = horizontalSum(_mm256_add_pd(acc0, acc1));
  for (; i < n; i++) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return sum;
}

}  // namespace lorakit::simd
