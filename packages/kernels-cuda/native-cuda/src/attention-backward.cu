// Backward of causal grouped-query attention with the forward's out and lse (no score matrix is stored):
//   P_j = exp(scale·q_t·k_j − lse_t),  dP_j = dOut_t·v_j,  δ_t = dOut_t·out_t,  dS_j = P_j·(dP_j − δ_t),
//   dq_t = scale·Σ_j dS_j·k_j,  dk_j = scale·Σ_{h in group} Σ_{t ≥ j} dS·q_t,  dv_j = Σ_{h in group} Σ_{t ≥ j} P·dOut_t.
// Three kernels, no atomics (deterministic): δ per row; dq by query tiles (as the forward, lanes over keys);
// dk/dv by key tiles (each block owns 16 key rows of one kv head, lanes over queries, all heads of the group).
#include "attention-common.cuh"
#include "device-memory.h"
#include "kernels.h"

namespace lk {
namespace {

__global__ void delta_kernel(AttentionShape shape, const float* d_out, const float* out, float* delta) {
  const size_t rows = static_cast<size_t>(shape.batch) * shape.tokens * shape.query_heads;
  const size_t warps = static_cast<size_t>(gridDim.x) * blockDim.x / 32;
  const int lane = threadIdx.x % 32, D = shape.head_dim;
  // Whole warps stride together, so every lane of a warp takes part in each warp_sum.
  for (size_t row = (static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; row < rows; row += warps) {
    float sum = 0.0f;
    for (int d = lane; d < D; d += 32) sum += d_out[row * D + d] * out[row * D + d];
    sum = warp_sum(sum);
    // row = (b·T + t)·Hq + h  →  delta[b, h, t]
    const size_t h = row % shape.query_heads, bt = row / shape.query_heads;
    const size_t b = bt / shape.tokens, t = bt % shape.tokens;
    if (lane == 0) delta[(b * shape.query_heads + h) * shape.tokens + t] = sum;
  }
}

template <int kDimsPerLane>
__global__ void __launch_bounds__(kAttentionThreads)
    attention_dq_kernel(AttentionShape shape, const float* d_out, const float* q, const float* k, const float* v,
                        const float* lse, const float* delta, float* dq) {
  LK_DYNAMIC_SHARED(float, shared);
  const int D = shape.head_dim, P = D + 1, T = shape.tokens;
  float* q_tile = shared;  // [kQueryTile][P]
  float* do_tile = q_tile + kQueryTile * P;  // [kQueryTile][P]
  float* k_tile = do_tile + kQueryTile * P;  // [kKeyTile][P]
  float* v_tile = k_tile + kKeyTile * P;  // [kKeyTile][P]
  const int b = blockIdx.z, h = blockIdx.y, g = h / (shape.query_heads / shape.kv_heads);
  const int q0 = blockIdx.x * kQueryTile, warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  for (int e = threadIdx.x; e < kQueryTile * D; e += blockDim.x) {
    const int r = e / D, d = e % D, t = q0 + r;
    const size_t index = head_offset(b, t < T ? t : 0, h, T, shape.query_heads, D) + d;
    q_tile[r * P + d] = t < T ? q[index] : 0.0f;
    do_tile[r * P + d] = t < T ? d_out[index] : 0.0f;
  }
  float row_lse[kRowsPerWarp], row_delta[kRowsPerWarp], accumulator[kRowsPerWarp][kDimsPerLane];
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; rr++) {
    const int t = q0 + warp * kRowsPerWarp + rr;
    const size_t index = (static_cast<size_t>(b) * shape.query_heads + h) * T + (t < T ? t : 0);
    row_lse[rr] = lse[index];
    row_delta[rr] = delta[index];
#pragma unroll
    for (int i = 0; i < kDimsPerLane; i++) accumulator[rr][i] = 0.0f;
  }
  const int last_query = imin(T, q0 + kQueryTile) - 1;
  for (int k0 = 0; k0 <= last_query; k0 += kKeyTile) {
    __syncthreads();
    load_key_tile(k_tile, P, k, b, k0, g, shape);
    load_key_tile(v_tile, P, v, b, k0, g, shape);
    __syncthreads();
#pragma unroll
    for (int rr = 0; rr < kRowsPerWarp; rr++) {
      const int row = warp * kRowsPerWarp + rr, t = q0 + row;
      if (t >= T || k0 > t) continue;
      const bool valid = k0 + lane <= t;
      const float probability = valid ? expf(shape.scale * dot(q_tile + row * P, k_tile + lane * P, D) - row_lse[rr]) : 0.0f;
      const float d_score = valid ? probability * (dot(do_tile + row * P, v_tile + lane * P, D) - row_delta[rr]) : 0.0f;
      const int keys = imin(kKeyTile, t - k0 + 1);
      for (int j = 0; j < keys; j++) {
        const float dsj = __shfl_sync(0xffffffffu, d_score, j);
#pragma unroll
        for (int i = 0; i < kDimsPerLane; i++) {
          const int d = lane + 32 * i;
          if (d < D) accumulator[rr][i] += dsj * k_tile[j * P + d];
        }
      }
    }
  }
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; rr++) {
    const int t = q0 + warp * kRowsPerWarp + rr;
    if (t >= T) continue;
    float* dq_row = dq + head_offset(b, t, h, T, shape.query_heads, D);
#pragma unroll
    for (int i = 0; i < kDimsPerLane; i++) {
      const int d = lane + 32 * i;
      if (d < D) dq_row[d] = shape.scale * accumulator[rr][i];
    }
  }
}

template <int kDimsPerLane>
__global__ void __launch_bounds__(kAttentionThreads)
    attention_dkdv_kernel(AttentionShape shape, const float* d_out, const float* q, const float* k, const float* v,
                          const float* lse, const float* delta, float* dk, float* dv) {
  LK_DYNAMIC_SHARED(float, shared);
  const int D = shape.head_dim, P = D + 1, T = shape.tokens, group = shape.query_heads / shape.kv_heads;
  float* k_rows = shared;  // [kQueryTile][D]: this block's key rows
  float* v_rows = k_rows + kQueryTile * D;  // [kQueryTile][D]
  float* q_tile = v_rows + kQueryTile * D;  // [kKeyTile][P]: 32 query rows
  float* do_tile = q_tile + kKeyTile * P;  // [kKeyTile][P]
  float* lse_tile = do_tile + kKeyTile * P;  // [kKeyTile]
  float* delta_tile = lse_tile + kKeyTile;  // [kKeyTile]
  const int b = blockIdx.z, g = blockIdx.y, j0 = blockIdx.x * kQueryTile;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  for (int e = threadIdx.x; e < kQueryTile * D; e += blockDim.x) {
    const int r = e / D, d = e % D, key = j0 + r;
    const size_t index = head_offset(b, key < T ? key : 0, g, T, shape.kv_heads, D) + d;
    k_rows[e] = key < T ? k[index] : 0.0f;
    v_rows[e] = key < T ? v[index] : 0.0f;
  }
  float dk_accumulator[kRowsPerWarp][kDimsPerLane] = {}, dv_accumulator[kRowsPerWarp][kDimsPerLane] = {};
  for (int head = g * group; head < (g + 1) * group; head++) {
    const size_t row_base = (static_cast<size_t>(b) * shape.query_heads + head) * T;
    for (int q0 = j0; q0 < T; q0 += kKeyTile) {
      __syncthreads();
      for (int e = threadIdx.x; e < kKeyTile * D; e += blockDim.x) {
        const int r = e / D, d = e % D, t = q0 + r;
        const size_t index = head_offset(b, t < T ? t : 0, head, T, shape.query_heads, D) + d;
        q_tile[r * P + d] = t < T ? q[index] : 0.0f;
        do_tile[r * P + d] = t < T ? d_out[index] : 0.0f;
      }
      for (int r = threadIdx.x; r < kKeyTile; r += blockDim.x) {
        lse_tile[r] = q0 + r < T ? lse[row_base + q0 + r] : 0.0f;
        delta_tile[r] = q0 + r < T ? delta[row_base + q0 + r] : 0.0f;
      }
      __syncthreads();
      const int queries = imin(kKeyTile, T - q0);
#pragma unroll
      for (int rr = 0; rr < kRowsPerWarp; rr++) {
        const int row = warp * kRowsPerWarp + rr, key = j0 + row;
        if (key >= T || q0 + queries - 1 < key) continue;  // uniform: no query of this tile sees the key
        const int t = q0 + lane;
        const bool valid = lane < queries && t >= key;
        const float probability =
            valid ? expf(shape.scale * dot(q_tile + lane * P, k_rows + row * D, D) - lse_tile[lane]) : 0.0f;
        const float d_score = valid ? probability * (dot(do_tile + lane * P, v_rows + row * D, D) - delta_tile[lane]) : 0.0f;
        for (int jj = 0; jj < queries; jj++) {
          const float pj = __shfl_sync(0xffffffffu, probability, jj);
          const float dsj = __shfl_sync(0xffffffffu, d_score, jj);
#pragma unroll
          for (int i = 0; i < kDimsPerLane; i++) {
            const int d = lane + 32 * i;
            if (d < D) {
              dv_accumulator[rr][i] += pj * do_tile[jj * P + d];
              dk_accumulator[rr][i] += dsj * q_tile[jj * P + d];
            }
          }
        }
      }
    }
  }
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; rr++) {
    const int key = j0 + warp * kRowsPerWarp + rr;
    if (key >= T) continue;
    const size_t base = head_offset(b, key, g, T, shape.kv_heads, D);
#pragma unroll
    for (int i = 0; i < kDimsPerLane; i++) {
      const int d = lane + 32 * i;
      if (d < D) {
        dk[base + d] = shape.scale * dk_accumulator[rr][i];
        dv[base + d] = dv_accumulator[rr][i];
      }
    }
  }
}

}  // namespace

void attention_backward(const AttentionShape& shape, const float* d_out, const float* q, const float* k, const float* v,
                        const float* out, const float* log_sum_exp, float* dq, float* dk, float* dv) {
  if (shape.batch == 0 || shape.tokens == 0 || shape.query_heads == 0) return;
  check_attention_shape("attentionBackward", shape.head_dim, shape.query_heads, shape.batch);
  const size_t rows = static_cast<size_t>(shape.batch) * shape.tokens * shape.query_heads;
  Scratch delta(rows * sizeof(float));
  launch(delta_kernel, dim3(blocks_for(rows * 32, 256)), dim3(256), 0, shape, d_out, out, delta.as<float>());
  check_launch("attentionBackward delta");
  const int D = shape.head_dim, P = D + 1;
  const size_t dq_bytes = sizeof(float) * static_cast<size_t>(2 * kQueryTile + 2 * kKeyTile) * P;
  const size_t dkdv_bytes = sizeof(float) * (static_cast<size_t>(2 * kQueryTile) * D + static_cast<size_t>(2 * kKeyTile) * P + 2 * kKeyTile);
  const int tiles = (shape.tokens + kQueryTile - 1) / kQueryTile;
  dispatch_dims_per_lane(D, [&](auto dims) {
    constexpr int kDims = decltype(dims)::value;
    allow_shared_memory(attention_dq_kernel<kDims>, dq_bytes);
    launch(attention_dq_kernel<kDims>, dim3(tiles, shape.query_heads, shape.batch), dim3(kAttentionThreads), dq_bytes, shape,
           d_out, q, k, v, log_sum_exp, delta.as<const float>(), dq);
    check_launch("attentionBackward dq");
    allow_shared_memory(attention_dkdv_kernel<kDims>, dkdv_bytes);
    launch(attention_dkdv_kernel<kDims>, dim3(tiles, shape.kv_heads, shape.batch), dim3(kAttentionThreads), dkdv_bytes, shape,
           d_out, q, k, v, log_sum_exp, delta.as<const float>(), dk, dv);
    check_launch("attentionBackward dk/dv");
  });
}

}  // namespace lk
