// Embedding lookup out[t] = table[ids[t]] (one block per row), and its gradient, the scatter-add
// dTable[ids[t]] += dy[t] with float atomics (rows repeating a token add up in any order: not bit-reproducible,
// within fp32 rounding of the reference's fp64 sum).
#include <algorithm>

#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

__global__ void embedding_kernel(float* out, const float* table, const int32_t* ids, int tokens, int hidden) {
  for (int t = blockIdx.x; t < tokens; t += gridDim.x) {
    const float* source = table + static_cast<size_t>(ids[t]) * hidden;
    float* target = out + static_cast<size_t>(t) * hidden;
    for (int h = threadIdx.x; h < hidden; h += blockDim.x) target[h] = source[h];
  }
}

__global__ void embedding_backward_kernel(float* d_table, const float* dy, const int32_t* ids, int tokens, int hidden) {
  for (int t = blockIdx.x; t < tokens; t += gridDim.x) {
    float* target = d_table + static_cast<size_t>(ids[t]) * hidden;
    const float* source = dy + static_cast<size_t>(t) * hidden;
    for (int h = threadIdx.x; h < hidden; h += blockDim.x) atomicAdd(&target[h], source[h]);
  }
}

}  // namespace

void embedding(float* out, const float* table, const int32_t* device_ids, int tokens, int hidden) {
  if (tokens == 0 || hidden == 0) return;
  launch(embedding_kernel, dim3(std::min(tokens, 65535)), dim3(256), 0, out, table, device_ids, tokens, hidden);
  check_launch("embedding");
}

void embedding_backward(float* d_table, const float* dy, const int32_t* device_ids, int tokens, int vocabulary, int hidden,
                        bool accumulate) {
  if (!accumulate) {
    check_cuda(cudaMemsetAsync(d_table, 0, static_cast<size_t>(vocabulary) * hidden * sizeof(float), nullptr), "embeddingBackward");
  }
  if (tokens == 0 || hidden == 0) return;
  launch(embedding_backward_kernel, dim3(std::min(tokens, 65535)), dim3(256), 0, d_table, dy, device_ids, tokens, hidden);
  check_launch("embeddingBackward");
}

}  // namespace lk
