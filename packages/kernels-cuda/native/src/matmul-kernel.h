// The GEMM micro-kernel: a 6×16 tile of C held in 12 ymm accumulators (6 rows × 2 vectors of 8), updated over
// kc steps from a packed A micro-panel (6 values per k) and a packed B micro-panel (16 values per k). Per k step:
// 2 loads of B, 6 broadcasts of A, 12 FMAs — enough independent FMAs to hide their 4-cycle latency on both ports.
//
// Write-back, in one fixed order so a tile gives bit-identical results whether it is full or an edge tile (and
// so whatever the thread count): c = fma(acc, alpha, fma(beta, c_old, bias)), with the beta term 0 when beta = 0
// (c_old is not read: it may hold NaN) and bias 0 when absent.
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstddef>

namespace lorakit {

constexpr size_t kGemmMr = 6;
constexpr size_t kGemmNr = 16;

struct WriteBack {
  float alpha;
  float beta;
  const float* bias;  // per column of the tile (already offset), or null
};

// One element of the write-back (edge tiles), in the same order as the vector path.
inline float writeBackElement(float accumulator, float old, float bias, const WriteBack& w) {
  float addend = w.beta == 0.0f ? bias : std::fma(w.beta, old, bias);
  return std::fma(accumulator, w.alpha, addend);
}

// Computes the full 6×16 product of the packed panels into `c` (leading dimension ldc) with the write-back.
__attribute__((always_inline)) inline void microKernel6x16(size_t kc, const float* __restrict a,
                                                           const float* __restrict b, float* __restrict c,
                                                           size_t ldc, const WriteBack& w) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (size_t row = 0; row < kGemmMr; row++) _mm_prefetch(reinterpret_cast<const char*>(c + row * ldc), _MM_HINT_T0);

#define LORAKIT_GEMM_STEP(offset)                                              \
  {                                                                            \
    __m256 b0 = _mm256_load_ps(b + (offset)*16);                               \
    __m256 b1 = _mm256_load_ps(b + (offset)*16 + 8);                           \
    __m256 av = _mm256_broadcast_ss(a + (offset)*6 + 0);                       \
    c00 = _mm256_fmadd_ps(av, b0, c00);                                        \
    c01 = _mm256_fmadd_ps(av, b1, c01);                                        \
    av = _mm256_broadcast_ss(a + (offset)*6 + 1);                              \
    c10 = _mm256_fmadd_ps(av, b0, c10);                                        \
    c11 = _mm256_fmadd_ps(av, b1, c11);                                        \
    av = _mm256_broadcast_ss(a + (offset)*6 + 2);                              \
    c20 = _mm256_fmadd_ps(av, b0, c20);                                        \
    c21 = _mm256_fmadd_ps(av, b1, c21);                                        \
    av = _mm256_broadcast_ss(a + (offset)*6 + 3);                              \
    c30 = _mm256_fmadd_ps(av, b0, c30);                                        \
    c31 = _mm256_fmadd_ps(av, b1, c31);                                        \
    av = _mm256_broadcast_ss(a + (offset)*6 + 4);                              \
    c40 = _mm256_fmadd_ps(av, b0, c40);                                        \
    c41 = _mm256_fmadd_ps(av, b1, c41);                                        \
    av = _mm256_broadcast_ss(a + (offset)*6 + 5);                              \
    c50 = _mm256_fmadd_ps(av, b0, c50);                                        \
    c51 = _mm256_fmadd_ps(av, b1, c51);                                        \
  }

  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 16 * 16), _MM_HINT_T0);
    LORAKIT_GEMM_STEP(0)
    LORAKIT_GEMM_STEP(1)
    _mm_prefetch(reinterpret_cast<const char*>(b + 16 * 16 + 32), _MM_HINT_T0);
    LORAKIT_GEMM_STEP(2)
    LORAKIT_GEMM_STEP(3)
    a += 4 * 6;
    b += 4 * 16;
  }
  for (; k < kc; k++) {
    LORAKIT_GEMM_STEP(0)
    a += 6;
    b += 16;
  }
#undef LORAKIT_GEMM_STEP

  const __m256 alpha = _mm256_set1_ps(w.alpha);
  const __m256 beta = _mm256_set1_ps(w.beta);
  __m256 bias0 = w.bias ? _mm256_loadu_ps(w.bias) : _mm256_setzero_ps();
  __m256 bias1 = w.bias ? _mm256_loadu_ps(w.bias + 8) : _mm256_setzero_ps();
  auto store = [&](float* row, __m256 v0, __m256 v1) {
    __m256 addend0 = bias0, addend1 = bias1;
    if (w.beta != 0.0f) {
      addend0 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(row), bias0);
      addend1 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(row + 8), bias1);
    }
    _mm256_storeu_ps(row, _mm256_fmadd_ps(v0, alpha, addend0));
    _mm256_storeu_ps(row + 8, _mm256_fmadd_ps(v1, alpha, addend1));
  };
  store(c, c00, c01);
  store(c + ldc, c10, c11);
  store(c + 2 * ldc, c20, c21);
  store(c + 3 * ldc, c30, c31);
  store(c + 4 * ldc, c40, c41);
  store(c + 5 * ldc, c50, c51);
}

// An edge tile (mr ≤ 6 rows, nr ≤ 16 columns): the full kernel into a scratch tile, then the write-back.
inline void microKernelEdge(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t mr, size_t nr,
                            const WriteBack& w) {
  alignas(32) float tile[kGemmMr * kGemmNr];
  const WriteBack raw{1.0f, 0.0f, nullptr};
  microKernel6x16(kc, a, b, tile, kGemmNr, raw);
  for (size_t i = 0; i < mr; i++) {
    for (size_t j = 0; j < nr; j++) {
      float* target = c + i * ldc + j;
      *target = writeBackElement(tile[i * kGemmNr + j], w.beta == 0.0f ? 0.0f : *target, w.bias ? w.bias[j] : 0.0f, w);
    }
  }
}

}  // namespace lorakit
