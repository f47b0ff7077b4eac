// Many adapters in one batch, each at its own rank with an fp32 intermediate:
//   out[t] = x[t]·Wᵀ + b + s_a·(x[t]·A_aᵀ)·B_aᵀ,  a = the row's adapter (−1: base only).
// Gather form (decode): one warp per (row, rank index) computes shrink[t, j] = x[t]·A_a[j] for j < r_a only (the
// other warps of a padded [T, max r] grid return at once), then one block per (row, 256 outputs) adds
// s_a·Σ_j shrink[t, j]·B_a[o, j]. Segmented form (prefill): a segment of at least kSegmentGemmRows rows runs
// as two GEMMs on its rows; shorter segments go through the gather kernels.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

constexpr int kSegmentGemmRows = 32;

__global__ void __launch_bounds__(256) gather_shrink_kernel(const float* x, float* shrink, int max_rank, int tokens,
                                                            int in_features, const AdapterEntry* table,
                                                            const int32_t* row_adapter) {
  const long long warp = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x & 31;
  if (warp >= static_cast<long long>(tokens) * max_rank) return;
  const int row = static_cast<int>(warp / max_rank), j = static_cast<int>(warp % max_rank);
  const int adapter = row_adapter[row];
  if (adapter < 0) return;
  const AdapterEntry entry = table[adapter];
  if (j >= entry.rank) return;
  const float* x_row = x + static_cast<size_t>(row) * in_features;
  const float* a_row = entry.lora_a + static_cast<size_t>(j) * in_features;
  float sum = 0.0f;
  for (int c = lane; c < in_features; c += 32) sum += x_row[c] * a_row[c];
  sum = warp_sum(sum);
  if (lane == 0) shrink[static_cast<size_t>(row) * max_rank + j] = sum;
}

__global__ void __launch_bounds__(256) gather_expand_kernel(const float* shrink, int max_rank, float* out, int tokens,
                                                            int out_features, const AdapterEntry* table,
                                                            const int32_t* row_adapter) {
  LK_DYNAMIC_SHARED(float, scaled);
  const int o = blockIdx.x * blockDim.x + threadIdx.x;
  for (int row = blockIdx.y; row < tokens; row += gridDim.y) {
    const int adapter = row_adapter[row];
    if (adapter < 0) continue;  // the same for the whole block, so no thread skips a barrier alone
    const AdapterEntry entry = table[adapter];
    for (int j = threadIdx.x; j < entry.rank; j += blockDim.x) scaled[j] = entry.scale * shrink[static_cast<size_t>(row) * max_rank + j];
    __syncthreads();
    if (o < out_features) {
      const float* b_row = entry.lora_b + static_cast<size_t>(o) * entry.rank;
      float sum = 0.0f;
      for (int j = 0; j < entry.rank; j++) sum += scaled[j] * b_row[j];
      out[static_cast<size_t>(row) * out_features + o] += sum;
    }
    __syncthreads();  // `scaled` is rewritten for the next row
  }
}

void gather_shrink(const float* x, float* shrink, int max_rank, int tokens, int in_features,
                   const AdapterEntry* device_table, const int32_t* device_row_adapter) {
  const size_t warps = static_cast<size_t>(tokens) * max_rank;
  if (warps == 0) return;
  launch(gather_shrink_kernel, dim3(static_cast<unsigned>((warps * 32 + 255) / 256)), dim3(256), 0, x, shrink, max_rank,
         tokens, in_features, device_table, device_row_adapter);
  check_launch("lora gather shrink");
}

void gather_expand(const float* shrink, int max_rank, float* out, int tokens, int out_features,
                   const AdapterEntry* device_table, const int32_t* device_row_adapter) {
  if (tokens == 0 || out_features == 0) return;
  const dim3 grid(static_cast<unsigned>((out_features + 255) / 256), static_cast<unsigned>(std::min(tokens, 65535)));
  launch(gather_expand_kernel, grid, dim3(256), max_rank * sizeof(float), shrink, max_rank, out, tokens, out_features,
         device_table, device_row_adapter);
  check_launch("lora gather expand");
}

int largest_rank(const std::vector<AdapterEntry>& adapters) {
  int rank = 0;
  for (const AdapterEntry& entry : adapters) rank = std::max(rank, entry.rank);
  return rank;
}

/** Runs the gather kernels for the rows whose host_rows entry is ≥ 0. */
void gather(const LoraMultiForward& p, const int32_t* host_rows) {
  const int max_rank = largest_rank(p.adapters);
  if (max_rank == 0 || p.tokens == 0) return;
  Scratch table(p.adapters.size() * sizeof(AdapterEntry));
  check_cuda(cudaMemcpyAsync(table.as<AdapterEntry>(), p.adapters.data(), p.adapters.size() * sizeof(AdapterEntry),
                             cudaMemcpyHostToDevice, nullptr),
             "copying the adapter table");
  DeviceIndices rows(host_rows, static_cast<size_t>(p.tokens));
  Scratch shrink(static_cast<size_t>(p.tokens) * max_rank * sizeof(float));
  gather_shrink(p.x, shrink.as<float>(), max_rank, p.tokens, p.in_features, table.as<const AdapterEntry>(), rows.get());
  gather_expand(shrink.as<const float>(), max_rank, p.out, p.tokens, p.out_features, table.as<const AdapterEntry>(), rows.get());
}

void base_layer(const LoraMultiForward& p) {
  gemm(DType::F32, false, true, 1, p.tokens, p.out_features, p.in_features, 1.0f, p.x, 0, p.weight, 0, 0.0f, p.out);
  if (p.bias) add_bias_rows(p.out, p.bias, p.tokens, p.out_features);
}

}  // namespace

void lora_multi_forward(const LoraMultiForward& p, const int32_t* row_adapter) {
  base_layer(p);
  gather(p, row_adapter);
}

void lora_segmented_forward(const LoraMultiForward& p, const int32_t* starts, const int32_t* lengths, const int32_t* adapters,
                            int segment_count) {
  base_layer(p);
  std::vector<int32_t> short_rows(static_cast<size_t>(p.tokens), -1);
  bool any_short = false;
  for (int s = 0; s < segment_count; s++) {
    const int adapter = adapters[s], start = starts[s], length = lengths[s];
    if (adapter < 0 || length == 0) continue;
    const AdapterEntry& entry = p.adapters[static_cast<size_t>(adapter)];
    if (entry.rank == 0) continue;
    if (length < kSegmentGemmRows) {
      std::fill(short_rows.begin() + start, short_rows.begin() + start + length, adapter);
      any_short = true;
      continue;
    }
    Scratch shrink(static_cast<size_t>(length) * entry.rank * sizeof(float));
    const float* x = p.x + static_cast<size_t>(start) * p.in_features;
    float* out = p.out + static_cast<size_t>(start) * p.out_features;
    gemm(DType::F32, false, true, 1, length, entry.rank, p.in_features, 1.0f, x, 0, entry.lora_a, 0, 0.0f, shrink.as<float>());
    gemm(DType::F32, false, true, 1, length, p.out_features, entry.rank, entry.scale, shrink.as<float>(), 0, entry.lora_b, 0,
         1.0f, out);
  }
  if (any_short) gather(p, short_rows.data());
}

}  // namespace lk
