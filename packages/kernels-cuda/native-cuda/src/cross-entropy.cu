// Fused softmax cross-entropy, one block per row: max, Σ exp(l − max), lse = max + log Σ, loss = lse − l[target]
// (0 for ignored rows), and optionally dLogits = gradScale·(softmax − onehot) written over the row. Every read
// of the row (the target logit included) happens before the first write, so dLogits may be the logits.
#include <algorithm>

#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

constexpr int kThreads = 512;

__global__ void __launch_bounds__(kThreads) cross_entropy_kernel(const float* logits, const int32_t* targets, float* losses,
                                                                 float* d_logits, int tokens, int vocabulary,
                                                                 int ignore_index, float grad_scale) {
  for (int t = blockIdx.x; t < tokens; t += gridDim.x) {
    const int target = targets[t];
    const size_t base = static_cast<size_t>(t) * vocabulary;
    if (target == ignore_index) {
      if (threadIdx.x == 0) losses[t] = 0.0f;
      if (d_logits) {
        for (int j = threadIdx.x; j < vocabulary; j += blockDim.x) d_logits[base + j] = 0.0f;
      }
      continue;  // the same for the whole block
    }
    const float* row = logits + base;
    float maximum = -INFINITY;
    for (int j = threadIdx.x; j < vocabulary; j += blockDim.x) maximum = fmaxf(maximum, row[j]);
    maximum = block_max(maximum);
    float sum = 0.0f;
    for (int j = threadIdx.x; j < vocabulary; j += blockDim.x) sum += expf(row[j] - maximum);
    sum = block_sum(sum);
    const float lse = maximum + logf(sum);
    const float target_logit = row[target];
    __syncthreads();  // every thread has read row[target] before any thread overwrites it
    if (threadIdx.x == 0) losses[t] = lse - target_logit;
    if (d_logits) {
      for (int j = threadIdx.x; j < vocabulary; j += blockDim.x) {
        const float probability = expf(row[j] - lse);
        d_logits[base + j] = grad_scale * (j == target ? probability - 1.0f : probability);
      }
    }
    __syncthreads();
  }
}

}  // namespace

void cross_entropy(const float* logits, const int32_t* device_targets, float* losses, float* d_logits, int tokens,
                   int vocabulary, int ignore_index, float grad_scale) {
  if (tokens == 0) return;
  launch(cross_entropy_kernel, dim3(std::min(tokens, 65535)), dim3(kThreads), 0, logits, device_targets, losses, d_logits,
         tokens, vocabulary, ignore_index, grad_scale);
  check_launch("crossEntropy");
}

}  // namespace lk
