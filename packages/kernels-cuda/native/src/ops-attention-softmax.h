// The online-softmax step shared by the attention forward and decode kernels (flash-attention style): a row of
// raw scores for one key block becomes probabilities relative to the running maximum m, and the running sum l
// and output are rescaled by alpha = exp(m_old − m_new) when the maximum grows. After the last block,
// out = O / l and logsumexp = m + log l.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops-simd.h"

namespace lorakit::attention {

struct RowState {
  float maximum = -std::numeric_limits<float>::infinity();
  double sum = 0;
};

// scores[0, paddedCount): raw q·k for one row; columns ≥ valid are masked out (causal mask, block padding).
// Overwrites scores with exp(scale·score − m_new) (0 where masked) and returns alpha for rescaling the output row.
inline float softmaxStep(float* scores, size_t paddedCount, size_t valid, float scale, RowState& state) {
  const __m256 negativeInfinity = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const __m256 lanes = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 validCount = _mm256_set1_ps(static_cast<float>(valid));
  __m256 scaleVector = _mm256_set1_ps(scale);
  __m256 maximum = negativeInfinity;
  for (size_t j = 0; j < paddedCount; j += 8) {
    __m256 masked = _mm256_cmp_ps(_mm256_add_ps(lanes, _mm256_set1_ps(static_cast<float>(j))), validCount, _CMP_GE_OQ);
    __m256 value = _mm256_blendv_ps(_mm256_mul_ps(_mm256_loadu_ps(scores + j), scaleVector), negativeInfinity, masked);
    _mm256_storeu_ps(scores + j, value);
    maximum = _mm256_max_ps(maximum, value);
  }
  float newMaximum = std::max(state.maximum, simd::horizontalMax(maximum));
  if (newMaximum == -std::numeric_limits<float>::infinity()) {
    for (size_t j = 0; j < paddedCount; j++) scores[j] = 0;
    return 1.0f;
  }
  float alpha = state.maximum == -std::numeric_limits<float>::infinity()
                    ? 0.0f
                    : static_cast<float>(std::exp(static_cast<double>(state.maximum) - newMaximum));
  __m256 shift = _mm256_set1_ps(newMaximum);
  __m256 total = _mm256_setzero_ps();
  for (size_t j = 0; j < paddedCount; j += 8) {
    __m256 p = simd::exp(_mm256_sub_ps(_mm256_loadu_ps(scores + j), shift));
    _mm256_storeu_ps(scores + j, p);
    total = _mm256_add_ps(total, p);
  }
  state.sum = state.sum * alpha + simd::horizontalSum(total);
  state.maximum = newMaximum;
  return alpha;
}

inline void scaleRow(float* row, size_t count, float factor) {
  __m256 f = _mm256_set1_ps(factor);
  for (size_t j = 0; j < count; j += 8) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), f));
}

}  // namespace lorakit::attention
