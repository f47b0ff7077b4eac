// Packing for the GEMM; see matmul-pack.h for the panel layouts. The two layouts that need a transpose on the way
// (A stored row-major, B stored as PyTorch weights [n, k]) go 8×8 blocks at a time through AVX shuffles.
#include "matmul-pack.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>

#include "matmul-kernel.h"

namespace lorakit {

namespace {

// Transposes 8 vectors in place: r[i][j] ← r[j][i].
inline void transpose8x8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Calls visit(segment, kInSegment, count, outK) for each part of [k0, k0 + kc) that a segment covers.
template <typename Visit>
void forEachSegmentPart(const GemmOperand& operand, size_t k0, size_t kc, Visit&& visit) {
  size_t segmentStart = 0;
  for (int s = 0; s < operand.count; s++) {
    const GemmSegment& segment = operand.segments[s];
    size_t begin = std::max(k0, segmentStart), end = std::min(k0 + kc, segmentStart + segment.k);
    if (begin < end) visit(segment, begin - segmentStart, end - begin, begin - k0);
    segmentStart += segment.k;
  }
}

// A stored [m, ld]: each panel is a 6 × count block of rows, transposed into [k][6].
void packARows(const GemmSegment& s, size_t row0, size_t mc, size_t kStart, size_t count, float* out, size_t kc,
               size_t outK) {
  const __m256 scale = _mm256_set1_ps(s.scale);
  const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
  for (size_t panel = 0; panel * kGemmMr < mc; panel++) {
    size_t rows = std::min(kGemmMr, mc - panel * kGemmMr);
    const float* source[kGemmMr];
    for (size_t i = 0; i < kGemmMr; i++) source[i] = s.data + (row0 + panel * kGemmMr + std::min(i, rows - 1)) * s.ld + kStart;
    float* destination = out + panel * kc * kGemmMr + outK * kGemmMr;
    size_t k = 0;
    for (; k + 8 <= count; k += 8) {
      __m256 r[8];
      for (size_t i = 0; i < kGemmMr; i++) {
        r[i] = i < rows ? _mm256_mul_ps(_mm256_loadu_ps(source[i] + k), scale) : _mm256_setzero_ps();
      }
      r[6] = _mm256_setzero_ps();
      r[7] = _mm256_setzero_ps();
      transpose8x8(r);
      for (size_t j = 0; j < 8; j++) _mm256_maskstore_ps(destination + (k + j) * kGemmMr, six, r[j]);
    }
    for (; k < count; k++) {
      for (size_t i = 0; i < kGemmMr; i++) destination[k * kGemmMr + i] = i < rows ? source[i][k] * s.scale : 0.0f;
    }
  }
}

// A stored [k, ld] (transposed): each k contributes 6 contiguous values per panel (one masked load and store).
void packAColumns(const GemmSegment& s, size_t row0, size_t mc, size_t kStart, size_t count, float* out, size_t kc,
                  size_t outK) {
  const __m256 scale = _mm256_set1_ps(s.scale);
  for (size_t panel = 0; panel * kGemmMr < mc; panel++) {
    size_t rows = std::min(kGemmMr, mc - panel * kGemmMr);
    alignas(32) int lanes[8];
    for (size_t i = 0; i < 8; i++) lanes[i] = i < rows ? -1 : 0;
    const __m256i load = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    float* destination = out + panel * kc * kGemmMr + outK * kGemmMr;
    const float* source = s.data + kStart * s.ld + row0 + panel * kGemmMr;
    for (size_t k = 0; k < count; k++) {
      __m256 values = _mm256_mul_ps(_mm256_maskload_ps(source + k * s.ld, load), scale);
      _mm256_maskstore_ps(destination + k * kGemmMr, six, values);
    }
  }
}

// B stored [k, ld]: each k contributes `width` contiguous values per panel. Rows of B outer, panels inner, so B
// is read one row (one page) at a time: panels outer would touch kc pages per panel, and for a 2048-wide B of
// 16 MiB those page walks cost a quarter of the GEMM's time.
void packBRows(const GemmSegment& s, size_t kStart, size_t count, size_t column0, size_t nc, float* out, size_t kc,
               size_t outK, size_t width) {
  const __m256 scale = _mm256_set1_ps(s.scale);
  const size_t fullPanels = nc / width, tail = nc % width;
  for (size_t k = 0; k < count; k++) {
    const float* row = s.data + (kStart + k) * s.ld + column0;
    float* destination = out + (outK + k) * width;
    for (size_t panel = 0; panel < fullPanels; panel++) {
      for (size_t part = 0; part < width; part += 8) {
        _mm256_store_ps(destination + panel * kc * width + part, _mm256_mul_ps(_mm256_loadu_ps(row + panel * width + part), scale));
      }
    }
    if (tail) {
      float* last = destination + fullPanels * kc * width;
      for (size_t j = 0; j < width; j++) last[j] = j < tail ? row[fullPanels * width + j] * s.scale : 0.0f;
    }
  }
}

// B stored [n, ld] (PyTorch weight layout): `width` rows of the stored matrix become one panel, 8×8 at a time.
void packBColumns(const GemmSegment& s, size_t kStart, size_t count, size_t column0, size_t nc, float* out, size_t kc,
                  size_t outK, size_t width) {
  const __m256 scale = _mm256_set1_ps(s.scale);
  for (size_t panel = 0; panel * width < nc; panel++) {
    size_t columns = std::min(width, nc - panel * width);
    float* destination = out + panel * kc * width + outK * width;
    const float* source[kMaxPanelWidth];
    for (size_t j = 0; j < width; j++) {
      source[j] = s.data + (column0 + panel * width + std::min(j, columns - 1)) * s.ld + kStart;
    }
    size_t k = 0;
    for (; k + 8 <= count; k += 8) {
      for (size_t group = 0; group < width; group += 8) {
        __m256 r[8];
        for (size_t j = 0; j < 8; j++) {
          size_t column = group + j;
          r[j] = column < columns ? _mm256_mul_ps(_mm256_loadu_ps(source[column] + k), scale) : _mm256_setzero_ps();
        }
        transpose8x8(r);
        for (size_t i = 0; i < 8; i++) _mm256_store_ps(destination + (k + i) * width + group, r[i]);
      }
    }
    for (; k < count; k++) {
      for (size_t j = 0; j < width; j++) destination[k * width + j] = j < columns ? source[j][k] * s.scale : 0.0f;
    }
  }
}

}  // namespace

void packA(const GemmOperand& a, size_t row0, size_t mc, size_t k0, size_t kc, float* out) {
  forEachSegmentPart(a, k0, kc, [&](const GemmSegment& segment, size_t kStart, size_t count, size_t outK) {
    if (segment.transposed) {
      packAColumns(segment, row0, mc, kStart, count, out, kc, outK);
    } else {
      packARows(segment, row0, mc, kStart, count, out, kc, outK);
    }
  });
}

void packB(const GemmOperand& b, size_t k0, size_t kc, size_t column0, size_t nc, float* out, size_t width) {
  forEachSegmentPart(b, k0, kc, [&](const GemmSegment& segment, size_t kStart, size_t count, size_t outK) {
    if (segment.transposed) {
      packBColumns(segment, kStart, count, column0, nc, out, kc, outK, width);
    } else {
      packBRows(segment, kStart, count, column0, nc, out, kc, outK, width);
    }
  });
}

float* packScratch(int which, size_t floats) {
  struct Deleter {
    void operator()(float* pointer) const { std::free(pointer); }
  };
  thread_local std::unique_ptr<float, Deleter> buffers[2];
  thread_local size_t sizes[2] = {0, 0};
  if (sizes[which] < floats) {
    size_t bytes = ((floats * sizeof(float) + 4095) / 4096) * 4096;
    buffers[which].reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    if (!buffers[which]) throw std::bad_alloc();
    sizes[which] = bytes / sizeof(float);
  }
  return buffers[which].get();
}

}  // namespace lorakit
