// Tiling constants and helpers shared by the attention kernels (attention.cu, attention-backward.cu).
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels.h"
#include "portable.cuh"

namespace lk {

constexpr int kAttentionThreads = 128;  // 4 warps
constexpr int kRowsPerWarp = 4;
constexpr int kQueryTile = kRowsPerWarp * kAttentionThreads / 32;  // 16 rows per block
constexpr int kKeyTile = 32;  // one key per lane

/** Offset of element 0 of row (b, t, head) in a [B, T, H, D] tensor. */
LK_HD size_t head_offset(int b, int t, int head, int tokens, int heads, int head_dim) {
  return ((static_cast<size_t>(b) * tokens + t) * heads + head) * head_dim;
}

LK_D float dot(const float* first, const float* second, int length) {
  float sum = 0.0f;
  for (int d = 0; d < length; d++) sum += first[d] * second[d];
  return sum;
}

/** tile[j][d] (row pitch `pitch`) = source[b, k0 + j, g, d] for j < kKeyTile, zero past the last token. */
LK_D void load_key_tile(float* tile, int pitch, const float* source, int b, int k0, int g, const AttentionShape& shape) {
  const int D = shape.head_dim;
  for (int e = threadIdx.x; e < kKeyTile * D; e += blockDim.x) {
    const int j = e / D, d = e % D, key = k0 + j;
    tile[j * pitch + d] = key < shape.tokens ? source[head_offset(b, key, g, shape.tokens, shape.kv_heads, D) + d] : 0.0f;
  }
}

/** Calls body(std::integral_constant<int, N>) with N = ⌈D/32⌉ rounded up to 1, 2, 4 or 8 (D ≤ 256). */
template <typename Body>
void dispatch_dims_per_lane(int head_dim, Body body) {
  if (head_dim <= 32) body(std::integral_constant<int, 1>());
  else if (head_dim <= 64) body(std::integral_constant<int, 2>());
  else if (head_dim <= 128) body(std::integral_constant<int, 4>());
  else body(std::integral_constant<int, 8>());
}

inline void check_attention_shape(const char* op, int head_dim, int query_heads, int batch) {
  if (head_dim <= 0 || head_dim > kMaxHeadDim) {
    throw std::runtime_error(std::string(op) + ": head dimension " + std::to_string(head_dim) + " is outside [1, " +
                             std::to_string(kMaxHeadDim) + "] (native check)");
  }
  if (query_heads > 65535 || batch > 65535) throw std::runtime_error(std::string(op) + ": more than 65535 heads or sequences (native check)");
}

}  // namespace lk
