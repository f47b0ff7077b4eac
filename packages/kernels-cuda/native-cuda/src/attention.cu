// Causal grouped-query attention, forward (flash-style: scores never leave the chip), plus decode attention over
// a KV cache and the cache write. For batch b, query head h (kv head g = ⌊h/group⌋), query t:
//   s_j = scale·q_t·k_j (j ≤ t),  lse_t = log Σ_j exp(s_j),  out_t = Σ_j exp(s_j − lse_t)·v_j.
// Forward: a block of 4 warps takes 16 query rows (4 per warp) of one (b, h) and walks the keys in tiles of 32
// staged in shared memory; lane i scores key i of the tile, the running max/sum are rescaled per tile (online
// softmax), and each lane accumulates D/32 output dimensions. Layouts: q/out [B,T,Hq,D], k/v [B,T,Hkv,D],
// lse [B,Hq,T]; decode: q/out [B,Hq,D], caches [B,maxT,Hkv,D].
#include <algorithm>
#include <stdexcept>
#include <string>

#include "attention-common.cuh"
#include "device-memory.h"
#include "kernels.h"

namespace lk {
namespace {

template <int kDimsPerLane>
__global__ void __launch_bounds__(kAttentionThreads)
    attention_forward_kernel(AttentionShape shape, const float* q, const float* k, const float* v, float* out, float* lse) {
  LK_DYNAMIC_SHARED(float, shared);
  const int D = shape.head_dim, P = D + 1, T = shape.tokens;
  float* q_tile = shared;  // [kQueryTile][P], pre-multiplied by scale
  float* k_tile = q_tile + kQueryTile * P;  // [kKeyTile][P]
  float* v_tile = k_tile + kKeyTile * P;  // [kKeyTile][D]
  const int b = blockIdx.z, h = blockIdx.y, g = h / (shape.query_heads / shape.kv_heads);
  const int q0 = blockIdx.x * kQueryTile, warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  for (int e = threadIdx.x; e < kQueryTile * D; e += blockDim.x) {
    const int r = e / D, d = e % D, t = q0 + r;
    q_tile[r * P + d] = t < T ? q[head_offset(b, t, h, T, shape.query_heads, D) + d] * shape.scale : 0.0f;
  }
  float maximum[kRowsPerWarp], total[kRowsPerWarp], accumulator[kRowsPerWarp][kDimsPerLane];
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; rr++) {
    maximum[rr] = -INFINITY;
    total[rr] = 0.0f;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; i++) accumulator[rr][i] = 0.0f;
  }
  const int last_query = imin(T, q0 + kQueryTile) - 1;
  for (int k0 = 0; k0 <= last_query; k0 += kKeyTile) {
    __syncthreads();  // the previous tile is no longer read
    load_key_tile(k_tile, P, k, b, k0, g, shape);
    load_key_tile(v_tile, D, v, b, k0, g, shape);
    __syncthreads();
#pragma unroll
    for (int rr = 0; rr < kRowsPerWarp; rr++) {
      const int row = warp * kRowsPerWarp + rr, t = q0 + row;
      if (t >= T || k0 > t) continue;  // uniform across the warp
      const bool valid = k0 + lane <= t;
      const float score = valid ? dot(q_tile + row * P, k_tile + lane * P, D) : -INFINITY;
      const float new_maximum = fmaxf(maximum[rr], warp_max(score));
      const float p = valid ? expf(score - new_maximum) : 0.0f;
      const float correction = expf(maximum[rr] - new_maximum);
      total[rr] = total[rr] * correction + warp_sum(p);
#pragma unroll
      for (int i = 0; i < kDimsPerLane; i++) accumulator[rr][i] *= correction;
      const int keys = imin(kKeyTile, t - k0 + 1);
      for (int j = 0; j < keys; j++) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
        for (int i = 0; i < kDimsPerLane; i++) {
          const int d = lane + 32 * i;
          if (d < D) accumulator[rr][i] += pj * v_tile[j * D + d];
        }
      }
      maximum[rr] = new_maximum;
    }
  }
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; rr++) {
    const int t = q0 + warp * kRowsPerWarp + rr;
    if (t >= T) continue;
    float* out_row = out + head_offset(b, t, h, T, shape.query_heads, D);
#pragma unroll
    for (int i = 0; i < kDimsPerLane; i++) {
      const int d = lane + 32 * i;
      if (d < D) out_row[d] = accumulator[rr][i] / total[rr];
    }
    if (lane == 0) lse[(static_cast<size_t>(b) * shape.query_heads + h) * T + t] = maximum[rr] + logf(total[rr]);
  }
}

template <int kDimsPerLane>
__global__ void __launch_bounds__(kAttentionThreads)
    decode_attention_kernel(int max_tokens, int query_heads, int kv_heads, int D, float scale, const float* q,
                            const float* key_cache, const float* value_cache, const int32_t* lengths, float* out) {
  LK_DYNAMIC_SHARED(float, shared);
  constexpr int kWarps = kAttentionThreads / 32;
  float* q_row = shared;  // [D], pre-multiplied by scale
  float* warp_maximum = q_row + D;  // [kWarps]
  float* warp_total = warp_maximum + kWarps;  // [kWarps]
  float* warp_accumulator = warp_total + kWarps;  // [kWarps][D]
  const int b = blockIdx.y, h = blockIdx.x, g = h / (query_heads / kv_heads);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, length = lengths[b];
  for (int d = threadIdx.x; d < D; d += blockDim.x) q_row[d] = q[(static_cast<size_t>(b) * query_heads + h) * D + d] * scale;
  __syncthreads();
  float maximum = -INFINITY, total = 0.0f, accumulator[kDimsPerLane] = {};
  for (int k0 = warp * kKeyTile; k0 < length; k0 += kWarps * kKeyTile) {
    const int key = k0 + lane;
    const bool valid = key < length;
    const float* k_row = key_cache + head_offset(b, valid ? key : 0, g, max_tokens, kv_heads, D);
    const float score = valid ? dot(q_row, k_row, D) : -INFINITY;
    const float new_maximum = fmaxf(maximum, warp_max(score));
    const float p = valid ? expf(score - new_maximum) : 0.0f;
    const float correction = expf(maximum - new_maximum);
    total = total * correction + warp_sum(p);
#pragma unroll
    for (int i = 0; i < kDimsPerLane; i++) accumulator[i] *= correction;
    const int keys = imin(kKeyTile, length - k0);
    for (int j = 0; j < keys; j++) {
      const float pj = __shfl_sync(0xffffffffu, p, j);
      const float* v_row = value_cache + head_offset(b, k0 + j, g, max_tokens, kv_heads, D);
#pragma unroll
      for (int i = 0; i < kDimsPerLane; i++) {
        const int d = lane + 32 * i;
        if (d < D) accumulator[i] += pj * v_row[d];
      }
    }
    maximum = new_maximum;
  }
  if (lane == 0) {
    warp_maximum[warp] = maximum;
    warp_total[warp] = total;
  }
#pragma unroll
  for (int i = 0; i < kDimsPerLane; i++) {
    const int d = lane + 32 * i;
    if (d < D) warp_accumulator[warp * D + d] = accumulator[i];
  }
  __syncthreads();
  // Merge the warps' partial softmaxes; warp 0 always saw key 0, so the overall maximum is finite.
  float overall = -INFINITY;
  for (int w = 0; w < kWarps; w++) overall = fmaxf(overall, warp_maximum[w]);
  float denominator = 0.0f;
  for (int w = 0; w < kWarps; w++) denominator += warp_total[w] * expf(warp_maximum[w] - overall);
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    for (int w = 0; w < kWarps; w++) sum += warp_accumulator[w * D + d] * expf(warp_maximum[w] - overall);
    out[(static_cast<size_t>(b) * query_heads + h) * D + d] = sum / denominator;
  }
}

__global__ void write_kv_cache_kernel(float* key_cache, float* value_cache, const float* k, const float* v,
                                      const int32_t* offsets, int new_tokens, int max_tokens, int row_size, size_t size) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < size; i += static_cast<size_t>(blockDim.x) * gridDim.x) {
    const size_t per_batch = static_cast<size_t>(new_tokens) * row_size;
    const size_t b = i / per_batch, within = i % per_batch;
    const size_t target = (b * max_tokens + offsets[b]) * row_size + within;
    key_cache[target] = k[i];
    value_cache[target] = v[i];
  }
}

}  // namespace

void attention_forward(const AttentionShape& shape, const float* q, const float* k, const float* v, float* out,
                       float* log_sum_exp) {
  if (shape.batch == 0 || shape.tokens == 0 || shape.query_heads == 0) return;
  check_attention_shape("attention", shape.head_dim, shape.query_heads, shape.batch);
  const int P = shape.head_dim + 1;
  const size_t bytes = sizeof(float) * (static_cast<size_t>(kQueryTile + kKeyTile) * P + static_cast<size_t>(kKeyTile) * shape.head_dim);
  const dim3 grid((shape.tokens + kQueryTile - 1) / kQueryTile, shape.query_heads, shape.batch);
  dispatch_dims_per_lane(shape.head_dim, [&](auto dims) {
    constexpr int kDims = decltype(dims)::value;
    allow_shared_memory(attention_forward_kernel<kDims>, bytes);
    launch(attention_forward_kernel<kDims>, grid, dim3(kAttentionThreads), bytes, shape, q, k, v, out, log_sum_exp);
  });
  check_launch("attention");
}

void decode_attention(int batch, int max_tokens, int query_heads, int kv_heads, int head_dim, float scale, const float* q,
                      const float* key_cache, const float* value_cache, const int32_t* device_lengths, float* out) {
  if (batch == 0 || query_heads == 0) return;
  check_attention_shape("decodeAttention", head_dim, query_heads, batch);
  constexpr int kWarps = kAttentionThreads / 32;
  const size_t bytes = sizeof(float) * (static_cast<size_t>(head_dim) * (kWarps + 1) + 2 * kWarps);
  dispatch_dims_per_lane(head_dim, [&](auto dims) {
    constexpr int kDims = decltype(dims)::value;
    allow_shared_memory(decode_attention_kernel<kDims>, bytes);
    launch(decode_attention_kernel<kDims>, dim3(query_heads, batch), dim3(kAttentionThreads), bytes, max_tokens, query_heads,
           kv_heads, head_dim, scale, q, key_cache, value_cache, device_lengths, out);
  });
  check_launch("decodeAttention");
}

void write_kv_cache(float* key_cache, float* value_cache, const float* k, const float* v, const int32_t* device_offsets,
                    int batch, int new_tokens, int max_tokens, int row_size) {
  const size_t size = static_cast<size_t>(batch) * new_tokens * row_size;
  if (size == 0) return;
  launch(write_kv_cache_kernel, dim3(blocks_for(size, 256)), dim3(256), 0, key_cache, value_cache, k, v, device_offsets,
         new_tokens, max_tokens, row_size, size);
  check_launch("writeKvCache");
}

}  // namespace lk
