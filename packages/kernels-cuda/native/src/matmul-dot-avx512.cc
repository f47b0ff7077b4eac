// The unpacked (few-rows / narrow) GEMM path with AVX-512: C = alpha·A·Bᵀ (+ beta·C + bias), A row-major [m, k],
// B in weight layout [n, k]. Tiles of 4 rows of A × 4 rows of B keep 16 zmm accumulators along K: per 16 values
// of K, 8 loads feed 16 FMAs. Same blocking and write-back as matmul-dot.cc (its AVX2 twin); only the functions
// here carry target("avx512f"), and they are internal to this file, so nothing compiled for AVX-512 can be picked
// by the linker for an AVX2 caller.
#include <immintrin.h>

#include <algorithm>

#include "matmul-kernel.h"
#include "matmul.h"

namespace lorakit {

namespace {

constexpr size_t kRows = 4;
constexpr size_t kColumns = 4;
constexpr size_t kRowBlockFloats = 256 * 1024;

template <size_t Rows, size_t Columns>
__attribute__((target("avx512f"))) void segmentTile(const float* const* a, const float* const* b, size_t k, float scale,
                                                    __m512 (&acc)[kRows][kColumns]) {
  const __m512 scaleVector = _mm512_set1_ps(scale);
  const bool scaled = scale != 1.0f;
  size_t p = 0;
  for (; p + 16 <= k; p += 16) {
    __m512 bv[Columns];
    for (size_t j = 0; j < Columns; j++) bv[j] = _mm512_loadu_ps(b[j] + p);
    for (size_t i = 0; i < Rows; i++) {
      __m512 av = _mm512_loadu_ps(a[i] + p);
      if (scaled) av = _mm512_mul_ps(av, scaleVector);
      for (size_t j = 0; j < Columns; j++) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  if (p < k) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (k - p)) - 1u);
    __m512 bv[Columns];
    for (size_t j = 0; j < Columns; j++) bv[j] = _mm512_maskz_loadu_ps(mask, b[j] + p);
    for (size_t i = 0; i < Rows; i++) {
      __m512 av = _mm512_maskz_loadu_ps(mask, a[i] + p);
      if (scaled) av = _mm512_mul_ps(av, scaleVector);
      for (size_t j = 0; j < Columns; j++) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
}

template <size_t Rows, size_t Columns>
__attribute__((target("avx512f"))) void tile(const GemmProblem& p, size_t row, size_t column) {
  __m512 acc[kRows][kColumns];
  for (auto& accRow : acc)
    for (auto& value : accRow) value = _mm512_setzero_ps();
  for (int s = 0; s < p.a.count; s++) {
    const GemmSegment& sa = p.a.segments[s];
    const GemmSegment& sb = p.b.segments[s];
    const float* a[Rows];
    const float* b[Columns];
    for (size_t i = 0; i < Rows; i++) a[i] = sa.data + (row + i) * sa.ld;
    for (size_t j = 0; j < Columns; j++) b[j] = sb.data + (column + j) * sb.ld;
    segmentTile<Rows, Columns>(a, b, sa.k, sa.scale * sb.scale, acc);
  }
  const WriteBack w{p.alpha, p.beta, p.bias ? p.bias + column : nullptr};
  for (size_t i = 0; i < Rows; i++) {
    float* c = p.c + (row + i) * p.ldc + column;
    for (size_t j = 0; j < Columns; j++) {
      c[j] = writeBackElement(_mm512_reduce_add_ps(acc[i][j]), w.beta == 0.0f ? 0.0f : c[j], w.bias ? w.bias[j] : 0.0f, w);
    }
  }
}

template <size_t Columns>
__attribute__((target("avx512f"))) void tileRows(const GemmProblem& p, size_t row, size_t rows, size_t column) {
  switch (rows) {
    case 4: tile<4, Columns>(p, row, column); break;
    case 3: tile<3, Columns>(p, row, column); break;
    case 2: tile<2, Columns>(p, row, column); break;
    default: tile<1, Columns>(p, row, column); break;
  }
}

__attribute__((target("avx512f"))) void run(const GemmProblem& p, size_t row, size_t rows, size_t column, size_t columnEnd) {
  switch (std::min(kColumns, columnEnd - column)) {
    case 4: tileRows<4>(p, row, rows, column); break;
    case 3: tileRows<3>(p, row, rows, column); break;
    case 2: tileRows<2>(p, row, rows, column); break;
    default: tileRows<1>(p, row, rows, column); break;
  }
}

}  // namespace

// The loop order of dotBlockAvx2 (matmul-dot.cc).
void dotBlockAvx512(const GemmProblem& p, size_t row0, size_t row1, size_t column0, size_t column1) {
  const size_t k = p.a.totalK();
  if ((column1 - column0) * k <= kRowBlockFloats / 2) {
    for (size_t row = row0; row < row1; row += kRows) {
      for (size_t column = column0; column < column1; column += kColumns) run(p, row, std::min(kRows, row1 - row), column, column1);
    }
    return;
  }
  const size_t blockRows = std::max<size_t>(kRows, kRowBlockFloats / std::max<size_t>(k, 1) / kRows * kRows);
  for (size_t block = row0; block < row1; block += blockRows) {
    const size_t blockEnd = std::min(row1, block + blockRows);
    for (size_t column = column0; column < column1; column += kColumns) {
      for (size_t row = block; row < blockEnd; row += kRows) run(p, row, std::min(kRows, blockEnd - row), column, column1);
    }
  }
}

}  // namespace lorakit
