// RMSNorm over the last dimension (one block per row): y = x·rstd·w, rstd = 1/√(mean(x²) + eps).
// Backward: dx_j = rstd·w_j·dy_j − rstd³/H·x_j·Σ_i dy_i·w_i·x_i;  dw_j = Σ_rows dy_j·x_j·rstd (column_sums).
#include <algorithm>

#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) rms_norm_kernel(float* out, float* rstd, const float* x, const float* weight,
                                                            int rows, int hidden, float eps) {
  for (int row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* x_row = x + static_cast<size_t>(row) * hidden;
    float sum = 0.0f;
    for (int h = threadIdx.x; h < hidden; h += blockDim.x) sum += x_row[h] * x_row[h];
    sum = block_sum(sum);
    const float inverse = 1.0f / sqrtf(sum / static_cast<float>(hidden) + eps);
    float* out_row = out + static_cast<size_t>(row) * hidden;
    for (int h = threadIdx.x; h < hidden; h += blockDim.x) out_row[h] = x_row[h] * inverse * weight[h];
    if (rstd && threadIdx.x == 0) rstd[row] = inverse;
  }
}

__global__ void __launch_bounds__(kThreads) rms_norm_backward_kernel(float* dx, const float* dy, const float* x,
                                                                     const float* weight, const float* rstd, int rows,
                                                                     int hidden) {
  for (int row = blockIdx.x; row < rows; row += gridDim.x) {
    const size_t base = static_cast<size_t>(row) * hidden;
    float dot = 0.0f;
    for (int h = threadIdx.x; h < hidden; h += blockDim.x) dot += dy[base + h] * weight[h] * x[base + h];
    dot = block_sum(dot);
    const float inverse = rstd[row];
    const float correction = inverse * inverse * inverse / static_cast<float>(hidden) * dot;
    for (int h = threadIdx.x; h < hidden; h += blockDim.x) dx[base + h] = inverse * weight[h] * dy[base + h] - correction * x[base + h];
  }
}

}  // namespace

void rms_norm(float* out, float* rstd, const float* x, const float* weight, int rows, int hidden, float eps) {
  if (rows == 0) return;
  launch(rms_norm_kernel, dim3(std::min(rows, 65535)), dim3(kThreads), 0, out, rstd, x, weight, rows, hidden, eps);
  check_launch("rmsNorm");
}

void rms_norm_backward(float* dx, float* d_weight, const float* dy, const float* x, const float* weight, const float* rstd,
                       int rows, int hidden, bool accumulate) {
  if (rows > 0) {
    launch(rms_norm_backward_kernel, dim3(std::min(rows, 65535)), dim3(kThreads), 0, dx, dy, x, weight, rstd, rows, hidden);
    check_launch("rmsNormBackward");
  }
  if (d_weight) column_sums(d_weight, dy, x, rstd, rows, hidden, accumulate);
}

}  // namespace lk
