// Small dense products for the attention kernels (ops-attention.cc, ops-decode-attention.cc), on blocks that
// sit in L1/L2: C[M×N] (+)= A[M×K]·B[K×N], where A is read through strides (A(r, k) = A[r·rowStride +
// k·columnStride], so Aᵀ costs nothing) and B, C are row-major with N a multiple of 8. Register tiles of up to
// 6 rows × 16 columns (12 accumulators, 2 loads of B per 12 FMAs), the usual AVX2 shape.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstring>

namespace lorakit::tiles {

struct StridedMatrix {
  const float* data;
  size_t rowStride;
  size_t columnStride;
};

template <int Rows, int Vectors>
inline void tile(StridedMatrix a, size_t k, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate) {
  __m256 acc[Rows][Vectors];
  for (int r = 0; r < Rows; r++) {
    for (int v = 0; v < Vectors; v++) {
      acc[r][v] = accumulate ? _mm256_loadu_ps(c + r * ldc + v * 8) : _mm256_setzero_ps();
    }
  }
  for (size_t p = 0; p < k; p++) {
    __m256 bv[Vectors];
    for (int v = 0; v < Vectors; v++) bv[v] = _mm256_loadu_ps(b + p * ldb + v * 8);
    const float* column = a.data + p * a.columnStride;
    for (int r = 0; r < Rows; r++) {
      __m256 av = _mm256_broadcast_ss(column + r * a.rowStride);
      for (int v = 0; v < Vectors; v++) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < Rows; r++) {
    for (int v = 0; v < Vectors; v++) _mm256_storeu_ps(c + r * ldc + v * 8, acc[r][v]);
  }
}

template <int Rows>
inline void rowTiles(StridedMatrix a, size_t n, size_t k, const float* b, size_t ldb, float* c, size_t ldc,
                     bool accumulate) {
  size_t j = 0;
  for (; j + 16 <= n; j += 16) tile<Rows, 2>(a, k, b + j, ldb, c + j, ldc, accumulate);
  if (j < n) tile<Rows, 1>(a, k, b + j, ldb, c + j, ldc, accumulate);
}

// C (+)= A·B with n % 8 == 0. With k == 0 and !accumulate, C is zeroed.
inline void multiply(size_t m, size_t n, size_t k, StridedMatrix a, const float* b, size_t ldb, float* c, size_t ldc,
                     bool accumulate) {
  for (size_t i = 0; i < m; i += 6) {
    StridedMatrix rows{a.data + i * a.rowStride, a.rowStride, a.columnStride};
    float* cRows = c + i * ldc;
    switch (m - i >= 6 ? 6 : m - i) {
      case 6: rowTiles<6>(rows, n, k, b, ldb, cRows, ldc, accumulate); break;
      case 5: rowTiles<5>(rows, n, k, b, ldb, cRows, ldc, accumulate); break;
      case 4: rowTiles<4>(rows, n, k, b, ldb, cRows, ldc, accumulate); break;
      case 3: rowTiles<3>(rows, n, k, b, ldb, cRows, ldc, accumulate); break;
      case 2: rowTiles<2>(rows, n, k, b, ldb, cRows, ldc, accumulate); break;
      default: rowTiles<1>(rows, n, k, b, ldb, cRows, ldc, accumulate); break;
    }
  }
}

inline StridedMatrix rowMajor(const float* data, size_t ld) { return {data, ld, 1}; }
inline StridedMatrix transposed(const float* data, size_t ld) { return {data, 1, ld}; }

// Copies `rows` rows of `width` floats (source rows `sourceStride` apart) into rows of `paddedWidth`, zero-filling
// the padding and rows up to `paddedRows`.
inline void packRows(float* target, size_t paddedRows, size_t paddedWidth, const float* source, size_t rows,
                     size_t width, size_t sourceStride) {
  for (size_t r = 0; r < paddedRows; r++) {
    float* row = target + r * paddedWidth;
    if (r < rows) {
      std::memcpy(row, source + r * sourceStride, width * sizeof(float));
      std::memset(row + width, 0, (paddedWidth - width) * sizeof(float));
    } else {
      std::memset(row, 0, paddedWidth * sizeof(float));
    }
  }
}

// The transpose of packRows: target[d][r] = source[r][d], target is [paddedWidth][paddedRows], zero-padded.
inline void packTransposed(float* target, size_t paddedRows, size_t paddedWidth, const float* source, size_t rows,
                           size_t width, size_t sourceStride) {
  std::memset(target, 0, paddedRows * paddedWidth * sizeof(float));
  for (size_t r = 0; r < rows; r++) {
    const float* row = source + r * sourceStride;
    for (size_t d = 0; d < width; d++) target[d * paddedRows + r] = row[d];
  }
}

inline size_t roundUp8(size_t value) { return (value + 7) & ~size_t{7}; }

}  // namespace lorakit::tiles
