// Row-major batched GEMM: out = alpha·op(a)·op(b) + beta·out (beta = 0 never reads out), through cuBLAS when it
// is loaded, else this file's tiled kernel: 64×64 output tiles, 16-deep k slices staged in shared memory, 256
// threads each accumulating a 4×4 sub-tile in fp32. The own kernel also applies LoRA's dropout mask to one
// operand (a or b, as loaded) or to the product (before beta·out is added), so the LoRA ops never materialise x̃.
#include <stdexcept>

#include "cublas-loader.h"
#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

constexpr int kTile = 64, kDepth = 16, kThreads = 256;

template <typename T>
__global__ void __launch_bounds__(kThreads)
    gemm_kernel(const T* a, const T* b, T* out, int m, int n, int k, long long a_stride, long long b_stride, bool transpose_a,
                bool transpose_b, float alpha, float beta, int dropout_on, Dropout dropout) {
  __shared__ float a_tile[kDepth][kTile + 4];  // [kk][row]
  __shared__ float b_tile[kDepth][kTile + 4];  // [kk][column]
  const long long batch = blockIdx.z;
  a += batch * a_stride;
  b += batch * b_stride;
  out += batch * static_cast<long long>(m) * n;
  const int row0 = blockIdx.y * kTile, column0 = blockIdx.x * kTile;
  const int thread = threadIdx.x, tx = thread % 16, ty = thread / 16;
  float accumulator[4][4] = {};
  for (int k0 = 0; k0 < k; k0 += kDepth) {
    // Consecutive threads read consecutive addresses of whichever layout the operand is stored in.
    for (int e = thread; e < kTile * kDepth; e += kThreads) {
      const int row = transpose_a ? e % kTile : e / kDepth, kk = transpose_a ? e / kTile : e % kDepth;
      const int global_row = row0 + row, global_k = k0 + kk;
      float value = 0.0f;
      if (global_row < m && global_k < k) {
        const size_t index = transpose_a ? static_cast<size_t>(global_k) * m + global_row : static_cast<size_t>(global_row) * k + global_k;
        value = to_float(a[index]);
        if (dropout_on == static_cast<int>(DropoutOn::A)) value *= dropout.factor(index);
      }
      a_tile[kk][row] = value;
    }
    for (int e = thread; e < kTile * kDepth; e += kThreads) {
      const int column = transpose_b ? e / kDepth : e % kTile, kk = transpose_b ? e % kDepth : e / kTile;
      const int global_column = column0 + column, global_k = k0 + kk;
      float value = 0.0f;
      if (global_column < n && global_k < k) {
        const size_t index =
            transpose_b ? static_cast<size_t>(global_column) * k + global_k : static_cast<size_t>(global_k) * n + global_column;
        value = to_float(b[index]);
        if (dropout_on == static_cast<int>(DropoutOn::B)) value *= dropout.factor(index);
      }
      b_tile[kk][column] = value;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kDepth; kk++) {
      float a_values[4], b_values[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a_values[i] = a_tile[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b_values[j] = b_tile[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) accumulator[i][j] += a_values[i] * b_values[j];
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int row = row0 + ty + 16 * i;
    if (row >= m) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int column = column0 + tx + 16 * j;
      if (column >= n) continue;
      const size_t index = static_cast<size_t>(row) * n + column;
      float value = alpha * accumulator[i][j];
      if (dropout_on == static_cast<int>(DropoutOn::Out)) value *= dropout.factor(index);
      if (beta != 0.0f) value += beta * to_float(out[index]);
      out[index] = from_float<T>(value);
    }
  }
}

Dropout make_dropout(DropoutParameters parameters) {
  Dropout dropout;
  dropout.probability = parameters.probability;
  dropout.hashed_seed = lowbias32(parameters.seed);
  dropout.keep_scale = parameters.probability > 0 ? static_cast<float>(1.0 / (1.0 - parameters.probability)) : 1.0f;
  return dropout;
}

}  // namespace

void gemm_own(DType dtype, bool transpose_a, bool transpose_b, int batch, int m, int n, int k, float alpha, const void* a,
              long long a_batch_stride, const void* b, long long b_batch_stride, float beta, void* out, DropoutOn dropout_on,
              DropoutParameters dropout) {
  if (batch == 0 || m == 0 || n == 0) return;
  if (batch > 65535) throw std::runtime_error("matmul: batch " + std::to_string(batch) + " exceeds 65535");
  const dim3 grid((n + kTile - 1) / kTile, (m + kTile - 1) / kTile, batch);
  const Dropout mask = make_dropout(dropout);
  const int on = static_cast<int>(dropout.probability > 0 ? dropout_on : DropoutOn::None);
  if (dtype == DType::F32) {
    launch(gemm_kernel<float>, grid, dim3(kThreads), 0, static_cast<const float*>(a), static_cast<const float*>(b),
           static_cast<float*>(out), m, n, k, a_batch_stride, b_batch_stride, transpose_a, transpose_b, alpha, beta, on, mask);
  } else if (dtype == DType::BF16) {
    launch(gemm_kernel<bf16>, grid, dim3(kThreads), 0, static_cast<const bf16*>(a), static_cast<const bf16*>(b),
           static_cast<bf16*>(out), m, n, k, a_batch_stride, b_batch_stride, transpose_a, transpose_b, alpha, beta, on, mask);
  } else {
    throw std::runtime_error("matmul: f16 is not supported (cast to f32 or bf16)");
  }
  check_launch("matmul kernel");
}

void gemm(DType dtype, bool transpose_a, bool transpose_b, int batch, int m, int n, int k, float alpha, const void* a,
          long long a_batch_stride, const void* b, long long b_batch_stride, float beta, void* out, DropoutOn dropout_on,
          DropoutParameters dropout) {
  if (batch == 0 || m == 0 || n == 0) return;
  const bool masked = dropout_on != DropoutOn::None && dropout.probability > 0;
  // k = 0 (out = beta·out) would give cuBLAS a leading dimension of 0, which it rejects.
  if (!masked && k > 0 && cublas_gemm(dtype, transpose_a, transpose_b, batch, m, n, k, alpha, a, a_batch_stride, b, b_batch_stride,
                             beta, out)) {
    return;
  }
  gemm_own(dtype, transpose_a, transpose_b, batch, m, n, k, alpha, a, a_batch_stride, b, b_batch_stride, beta, out, dropout_on,
           dropout);
}

}  // namespace lk
