// Kernels for the adapter rows of a multi-adapter batch that are too few to be worth a GEMM (decode: one row
// per request). They read each adapter's A and B once for up to kSmallGroupRows rows, so the cost of a row is
// streaming its adapter (r·in + out·r floats), which is what 64 distinct adapters in one batch come down to.
//   shrink[c] = x_c·Aᵀ (r dot products of length in);  out_c += s·shrink[c]·Bᵀ (8 outputs at a time, each a dot
//   product of length r, reduced across the 8 vectors with hadd).
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstddef>

namespace lorakit {

constexpr size_t kSmallGroupRows = 4;

// Σ a[i]·b[i]; b streams from memory (an adapter's A), so it is prefetched 4 KiB ahead.
inline float dotProduct(const float* a, const float* b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    _mm_prefetch(reinterpret_cast<const char*>(b + i + 1024), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + i + 1024 + 16), _MM_HINT_T0);
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  float sum = _mm_cvtss_f32(h);
  for (; i < n; i++) sum += a[i] * b[i];
  return sum;
}

// shrink[c·r + j] = x_c · A[j] for c < count.
inline void shrinkRows(const float* const* xRows, size_t count, const float* loraA, size_t rank, size_t in,
                       float* shrink) {
  for (size_t j = 0; j < rank; j++) {
    for (size_t c = 0; c < count; c++) shrink[c * rank + j] = dotProduct(xRows[c], loraA + j * in, in);
  }
}

// Sums each of 8 vectors across its lanes: result lane i = Σ v[i].
inline __m256 reduce8(const __m256 v[8]) {
  __m256 t0 = _mm256_hadd_ps(v[0], v[1]), t1 = _mm256_hadd_ps(v[2], v[3]);
  __m256 t2 = _mm256_hadd_ps(v[4], v[5]), t3 = _mm256_hadd_ps(v[6], v[7]);
  __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

// out_c[o] += scale · Σ_j shrink[c·r + j]·B[o·r + j] for c < count and o in [columnBegin, columnEnd).
// columnBegin must be a multiple of 8: outputs go 8 at a time from there, and a last group of fewer than 8
// one at a time — so an output's rounding depends on its column only, not on the range it was computed in.
inline void expandRows(const float* shrink, size_t count, float scale, const float* loraB, size_t rank,
                       size_t columnBegin, size_t columnEnd, float* const* outRows) {
  const size_t fullChunks = rank / 8, tail = rank % 8;
  alignas(32) int tailMask[8];
  for (size_t i = 0; i < 8; i++) tailMask[i] = i < tail ? -1 : 0;
  const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(tailMask));
  const __m256 scaleVector = _mm256_set1_ps(scale);
  size_t o = columnBegin;
  for (; o + 8 <= columnEnd; o += 8) {
    const float* block = loraB + o * rank;
    // B streams from memory: prefetch 4 KiB ahead (the hardware prefetchers stop at every page boundary).
    for (size_t line = 0; line < 8 * rank; line += 16) _mm_prefetch(reinterpret_cast<const char*>(block + 1024 + line), _MM_HINT_T0);
    for (size_t c = 0; c < count; c++) {
      const float* s = shrink + c * rank;
      __m256 acc[8];
      for (size_t i = 0; i < 8; i++) acc[i] = _mm256_setzero_ps();
      for (size_t chunk = 0; chunk < fullChunks; chunk++) {
        __m256 sv = _mm256_loadu_ps(s + chunk * 8);
        for (size_t i = 0; i < 8; i++) acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(block + i * rank + chunk * 8), sv, acc[i]);
      }
      if (tail) {
        __m256 sv = _mm256_maskload_ps(s + fullChunks * 8, mask);
        for (size_t i = 0; i < 8; i++) {
          acc[i] = _mm256_fmadd_ps(_mm256_maskload_ps(block + i * rank + fullChunks * 8, mask), sv, acc[i]);
        }
      }
      float* target = outRows[c] + o;
      _mm256_storeu_ps(target, _mm256_fmadd_ps(reduce8(acc), scaleVector, _mm256_loadu_ps(target)));
    }
  }
  for (; o < columnEnd; o++) {
    for (size_t c = 0; c < count; c++) {
      float sum = 0.0f;
      for (size_t j = 0; j < rank; j++) sum = std::fma(shrink[c * rank + j], loraB[o * rank + j], sum);
      outRows[c][o] = std::fma(sum, scale, outRows[c][o]);
    }
  }
}

}  // namespace lorakit
