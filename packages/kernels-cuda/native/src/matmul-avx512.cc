// The AVX-512 GEMM micro-kernel: a 6×32 tile of C in 12 zmm accumulators (6 rows × 2 vectors of 16), the same
// shape of loop as the AVX2 6×16 kernel at twice the width. Chosen at run time (matmul.cc) on CPUs with AVX-512F;
// the addon itself is built with -mavx2 -mfma, and only the functions here carry target("avx512f"), so the
// addon still loads and runs on AVX2-only machines. They are internal to this file (no inline function shared
// with other files is compiled for AVX-512, which the linker could otherwise pick for AVX2 callers).
//
// Write-back order is the AVX2 kernel's (matmul-kernel.h): c = fma(acc, alpha, fma(beta, c_old, bias)).
#include <immintrin.h>

#include "matmul-driver.h"

namespace lorakit {

namespace {

// Block sizes (measured with dev/matmul.mjs; MC from 24 to 384 tried): a 32-wide B micro-panel of KC = 256 is
// 32 KiB (two thirds of the 48 KiB L1); MC = 48 rows; a KC × NC B block of 1 MiB stays in the 2 MiB L2.
// A 12×32 tile (24 accumulators, half the B loads per FMA) measured no faster, so the kernel stays 6×32.
constexpr GemmBlocking kBlocking512{48, 256, 1024};

__attribute__((target("avx512f"))) void kernel6x32(size_t kc, const float* __restrict a, const float* __restrict b,
                                                   float* __restrict c, size_t ldc, const WriteBack& w) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  for (size_t row = 0; row < 6; row++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + row * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + row * ldc + 16), _MM_HINT_T0);
  }
#define LORAKIT_GEMM512_STEP(offset)                       \
  {                                                        \
    __m512 b0 = _mm512_load_ps(b + (offset)*32);           \
    __m512 b1 = _mm512_load_ps(b + (offset)*32 + 16);      \
    __m512 av = _mm512_set1_ps(a[(offset)*6 + 0]);         \
    c00 = _mm512_fmadd_ps(av, b0, c00);                    \
    c01 = _mm512_fmadd_ps(av, b1, c01);                    \
    av = _mm512_set1_ps(a[(offset)*6 + 1]);                \
    c10 = _mm512_fmadd_ps(av, b0, c10);                    \
    c11 = _mm512_fmadd_ps(av, b1, c11);                    \
    av = _mm512_set1_ps(a[(offset)*6 + 2]);                \
    c20 = _mm512_fmadd_ps(av, b0, c20);                    \
    c21 = _mm512_fmadd_ps(av, b1, c21);                    \
    av = _mm512_set1_ps(a[(offset)*6 + 3]);                \
    c30 = _mm512_fmadd_ps(av, b0, c30);                    \
    c31 = _mm512_fmadd_ps(av, b1, c31);                    \
    av = _mm512_set1_ps(a[(offset)*6 + 4]);                \
    c40 = _mm512_fmadd_ps(av, b0, c40);                    \
    c41 = _mm512_fmadd_ps(av, b1, c41);                    \
    av = _mm512_set1_ps(a[(offset)*6 + 5]);                \
    c50 = _mm512_fmadd_ps(av, b0, c50);                    \
    c51 = _mm512_fmadd_ps(av, b1, c51);                    \
  }
  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 32 * 8), _MM_HINT_T0);
    LORAKIT_GEMM512_STEP(0)
    _mm_prefetch(reinterpret_cast<const char*>(b + 32 * 8 + 16), _MM_HINT_T0);
    LORAKIT_GEMM512_STEP(1)
    _mm_prefetch(reinterpret_cast<const char*>(b + 32 * 8 + 32), _MM_HINT_T0);
    LORAKIT_GEMM512_STEP(2)
    _mm_prefetch(reinterpret_cast<const char*>(b + 32 * 8 + 48), _MM_HINT_T0);
    LORAKIT_GEMM512_STEP(3)
    a += 4 * 6;
    b += 4 * 32;
  }
  for (; k < kc; k++) {
    LORAKIT_GEMM512_STEP(0)
    a += 6;
    b += 32;
  }
#undef LORAKIT_GEMM512_STEP
  const __m512 alpha = _mm512_set1_ps(w.alpha);
  const __m512 beta = _mm512_set1_ps(w.beta);
  const __m512 bias0 = w.bias ? _mm512_loadu_ps(w.bias) : _mm512_setzero_ps();
  const __m512 bias1 = w.bias ? _mm512_loadu_ps(w.bias + 16) : _mm512_setzero_ps();
  const bool readOld = w.beta != 0.0f;
#define LORAKIT_GEMM512_STORE(row, v0, v1)                                         \
  {                                                                                \
    float* target = (row);                                                         \
    __m512 addend0 = bias0, addend1 = bias1;                                       \
    if (readOld) {                                                                 \
      addend0 = _mm512_fmadd_ps(beta, _mm512_loadu_ps(target), bias0);             \
      addend1 = _mm512_fmadd_ps(beta, _mm512_loadu_ps(target + 16), bias1);        \
    }                                                                              \
    _mm512_storeu_ps(target, _mm512_fmadd_ps(v0, alpha, addend0));                 \
    _mm512_storeu_ps(target + 16, _mm512_fmadd_ps(v1, alpha, addend1));            \
  }
  LORAKIT_GEMM512_STORE(c, c00, c01)
  LORAKIT_GEMM512_STORE(c + ldc, c10, c11)
  LORAKIT_GEMM512_STORE(c + 2 * ldc, c20, c21)
  LORAKIT_GEMM512_STORE(c + 3 * ldc, c30, c31)
  LORAKIT_GEMM512_STORE(c + 4 * ldc, c40, c41)
  LORAKIT_GEMM512_STORE(c + 5 * ldc, c50, c51)
#undef LORAKIT_GEMM512_STORE
}

__attribute__((target("avx512f"))) void kernel6x32Edge(size_t kc, const float* a, const float* b, float* c,
                                                       size_t ldc, size_t mr, size_t nr, const WriteBack& w) {
  alignas(64) float tile[6 * 32];
  const WriteBack raw{1.0f, 0.0f, nullptr};
  kernel6x32(kc, a, b, tile, 32, raw);
  for (size_t i = 0; i < mr; i++) {
    for (size_t j = 0; j < nr; j++) {
      float* target = c + i * ldc + j;
      *target = writeBackElement(tile[i * 32 + j], w.beta == 0.0f ? 0.0f : *target, w.bias ? w.bias[j] : 0.0f, w);
    }
  }
}

}  // namespace

void gemmSerialAvx512(const GemmProblem& p, size_t k) { gemmLoops<32>(p, k, kBlocking512, kernel6x32, kernel6x32Edge); }

void gemmSharedBAvx512(const GemmProblem& p, size_t k, int threads) {
  gemmLoopsSharedB<32>(p, k, kBlocking512, threads, kernel6x32, kernel6x32Edge);
}

}  // namespace lorakit
