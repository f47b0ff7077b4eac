// AdamW (torch.optim.AdamW's order, fp64 per element like the reference):
//   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − stepSize·m / (√v/√(1−β2^t) + eps)
// with stepSize = lr/(1−β1^t); and Σx² accumulated in fp64 into one device double per call.
#include <algorithm>

#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

__global__ void adamw_kernel(float* param, const float* grad, float* m, float* v, size_t size, double beta1, double beta2,
                             double eps, double step_size, double second_correction_root, double decay) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < size; i += static_cast<size_t>(blockDim.x) * gridDim.x) {
    const double g = grad[i];
    const double first = beta1 * m[i] + (1.0 - beta1) * g;
    const double second = beta2 * v[i] + (1.0 - beta2) * g * g;
    m[i] = static_cast<float>(first);
    v[i] = static_cast<float>(second);
    param[i] = static_cast<float>(param[i] * decay - step_size * first / (sqrt(second) / second_correction_root + eps));
  }
}

__global__ void __launch_bounds__(256) sum_of_squares_kernel(double* accumulator, const float* x, size_t size) {
  double sum = 0.0;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < size; i += static_cast<size_t>(blockDim.x) * gridDim.x) {
    const double value = x[i];
    sum += value * value;
  }
  sum = block_sum(sum);
  if (threadIdx.x == 0) atomicAdd(accumulator, sum);
}

}  // namespace

void adamw(float* param, const float* grad, float* m, float* v, size_t size, const AdamWStep& step) {
  if (size == 0) return;
  launch(adamw_kernel, dim3(blocks_for(size, 256)), dim3(256), 0, param, grad, m, v, size, step.beta1, step.beta2, step.eps,
         step.step_size, step.second_correction_root, step.decay);
  check_launch("adamw");
}

void sum_of_squares(double* device_accumulator, const float* x, size_t size) {
  if (size == 0) return;
  launch(sum_of_squares_kernel, dim3(std::min(blocks_for(size, 256), 1024u)), dim3(256), 0, device_accumulator, x, size);
  check_launch("sumOfSquares");
}

}  // namespace lk
