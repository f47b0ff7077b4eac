// The few-rows GEMM path: C = alpha·A·Bᵀ (+ beta·C + bias) when A is stored row-major [m, k] and B in PyTorch's
// weight layout [n, k] — a linear layer on a small batch (decode, multi-adapter serving). Both operands are already
// contiguous along K, so nothing is packed: packing a 2048×2048 weight costs about as much as multiplying it by
// 64 rows, and far more than multiplying it by a few.
//
// AVX2: tiles of 4 rows of A × 3 rows of B keep 12 ymm accumulators (each the 8-lane partial dot product of one
// output) running along K: per 8 values of K, 7 loads feed 12 FMAs. AVX-512 (matmul-dot-avx512.cc): tiles of
// 4 × 4, 16 zmm accumulators, 8 loads per 16 FMAs over 16 values of K.
//
// Every output is reduced the same way (lanes in a fixed order) whatever tile it falls in, and K segments are
// accumulated in order with the segment's scale applied to A's values (as packing does), so the result does not
// depend on the tile split or the thread count.
#include <immintrin.h>

#include <algorithm>

#include "matmul-kernel.h"
#include "matmul.h"
#include "thread-pool.h"

namespace lorakit {

namespace {

constexpr size_t kTileRows = 4;
constexpr size_t kTileColumns = 3;
// Rows of A per block: m·k floats up to ~1 MiB stay in L2 next to the current rows of B.
constexpr size_t kRowBlockFloats = 256 * 1024;

inline float reduceLanes(__m256 v) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

// acc[i][j] += Σ_k scale·a_i[k]·b_j[k] over one K segment (rows ≤ 4, columns ≤ 3: the compiler unrolls both).
template <size_t Rows, size_t Columns>
inline void tileSegment(const float* const* a, const float* const* b, size_t k, float scale, __m256 (&acc)[4][3]) {
  const __m256 scaleVector = _mm256_set1_ps(scale);
  const bool scaled = scale != 1.0f;
  size_t p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 bv[Columns];
    for (size_t j = 0; j < Columns; j++) bv[j] = _mm256_loadu_ps(b[j] + p);
    for (size_t i = 0; i < Rows; i++) {
      __m256 av = _mm256_loadu_ps(a[i] + p);
      if (scaled) av = _mm256_mul_ps(av, scaleVector);
      for (size_t j = 0; j < Columns; j++) acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  if (p < k) {
    alignas(32) int lanes[8];
    for (size_t lane = 0; lane < 8; lane++) lanes[lane] = p + lane < k ? -1 : 0;
    const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
    __m256 bv[Columns];
    for (size_t j = 0; j < Columns; j++) bv[j] = _mm256_maskload_ps(b[j] + p, mask);
    for (size_t i = 0; i < Rows; i++) {
      __m256 av = _mm256_maskload_ps(a[i] + p, mask);
      if (scaled) av = _mm256_mul_ps(av, scaleVector);
      for (size_t j = 0; j < Columns; j++) acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
}

template <size_t Rows, size_t Columns>
void tile(const GemmProblem& p, size_t row, size_t column) {
  __m256 acc[4][3];
  for (auto& accRow : acc)
    for (auto& value : accRow) value = _mm256_setzero_ps();
  for (int s = 0; s < p.a.count; s++) {
    const GemmSegment& sa = p.a.segments[s];
    const GemmSegment& sb = p.b.segments[s];
    const float* a[Rows];
    const float* b[Columns];
    for (size_t i = 0; i < Rows; i++) a[i] = sa.data + (row + i) * sa.ld;
    for (size_t j = 0; j < Columns; j++) b[j] = sb.data + (column + j) * sb.ld;
    tileSegment<Rows, Columns>(a, b, sa.k, sa.scale * sb.scale, acc);
  }
  const WriteBack w{p.alpha, p.beta, p.bias ? p.bias + column : nullptr};
  for (size_t i = 0; i < Rows; i++) {
    float* c = p.c + (row + i) * p.ldc + column;
    for (size_t j = 0; j < Columns; j++) {
      c[j] = writeBackElement(reduceLanes(acc[i][j]), w.beta == 0.0f ? 0.0f : c[j], w.bias ? w.bias[j] : 0.0f, w);
    }
  }
}

template <size_t Columns>
void tileRows(const GemmProblem& p, size_t row, size_t rows, size_t column) {
  switch (rows) {
    case 4: tile<4, Columns>(p, row, column); break;
    case 3: tile<3, Columns>(p, row, column); break;
    case 2: tile<2, Columns>(p, row, column); break;
    default: tile<1, Columns>(p, row, column); break;
  }
}

}  // namespace

// C rows [row0, row1) × columns [column0, column1). When those columns' rows of B fit in L2, a tile of A's rows
// stays in L1 while B streams past it (narrow C, such as a LoRA shrink); otherwise blocks of A's rows stay in L2
// while each tile's 3 rows of B sit in L1.
void dotBlockAvx2(const GemmProblem& p, size_t row0, size_t row1, size_t column0, size_t column1) {
  const size_t k = p.a.totalK();
  auto run = [&](size_t row, size_t rows, size_t column) {
    const size_t columns = std::min(kTileColumns, column1 - column);
    if (columns == 3) tileRows<3>(p, row, rows, column);
    else if (columns == 2) tileRows<2>(p, row, rows, column);
    else tileRows<1>(p, row, rows, column);
  };
  if ((column1 - column0) * k <= kRowBlockFloats / 2) {
    for (size_t row = row0; row < row1; row += kTileRows) {
      for (size_t column = column0; column < column1; column += kTileColumns) run(row, std::min(kTileRows, row1 - row), column);
    }
    return;
  }
  const size_t blockRows = std::max<size_t>(kTileRows, kRowBlockFloats / std::max<size_t>(k, 1) / kTileRows * kTileRows);
  for (size_t block = row0; block < row1; block += blockRows) {
    const size_t blockEnd = std::min(row1, block + blockRows);
    for (size_t column = column0; column < column1; column += kTileColumns) {
      for (size_t row = block; row < blockEnd; row += kTileRows) run(row, std::min(kTileRows, blockEnd - row), column);
    }
  }
}

bool gemmDotApplies(const GemmProblem& p) {
  if (p.a.count != p.b.count || p.a.count == 0) return false;
  for (int s = 0; s < p.a.count; s++) {
    if (p.a.segments[s].transposed || !p.b.segments[s].transposed || p.a.segments[s].k != p.b.segments[s].k) return false;
  }
  return true;
}

void gemmDot(const GemmProblem& p, int threads, bool avx512) {
  if (p.m == 0 || p.n == 0) return;
  auto block = [&](size_t row0, size_t row1, size_t column0, size_t column1) {
    if (avx512) dotBlockAvx512(p, row0, row1, column0, column1);
    else dotBlockAvx2(p, row0, row1, column0, column1);
  };
  // Columns when there are enough for every thread (each reads its share of B once), else rows. Every output is
  // computed the same way in any block, so the split does not change results.
  const bool byColumns = p.n >= 16 * static_cast<size_t>(std::max(threads, 1)) || p.m < 8;
  const size_t extent = byColumns ? p.n : p.m, unit = byColumns ? 4 : kTileRows;
  const size_t units = (extent + unit - 1) / unit;
  const size_t parts = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), units);
  if (parts <= 1) {
    block(0, p.m, 0, p.n);
    return;
  }
  parallelRegion(static_cast<int>(parts), [&](int index, int count) {
    const size_t begin = std::min(extent, units * static_cast<size_t>(index) / static_cast<size_t>(count) * unit);
    const size_t end = std::min(extent, units * (static_cast<size_t>(index) + 1) / static_cast<size_t>(count) * unit);
    if (begin >= end) return;
    if (byColumns) block(0, p.m, begin, end);
    else block(begin, end, 0, p.n);
  });
}

}  // namespace lorakit
