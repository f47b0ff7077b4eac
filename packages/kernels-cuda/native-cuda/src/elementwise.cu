// Elementwise and column-reduction kernels (grid-stride loops, fp32):
//   silu_mul: out = g·σ(g)·u;  backward: dU = dy·g·σ(g),  dG = dy·u·σ(g)·(1 + g·(1 − σ(g)));
//   add, scale, fill (any 2- or 4-byte pattern), cast (f32/f16/bf16, round to nearest even, as core's);
//   add_bias_rows: out[r, c] += bias[c];  column_sums: sums[c] (+)= Σ_r values[r, c]·other[r, c]·factor[r].
#include <algorithm>

#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

constexpr unsigned kThreads = 256;

#define LK_GRID_STRIDE(i, count) \
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (count); i += static_cast<size_t>(blockDim.x) * gridDim.x)

LK_D float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

__global__ void silu_mul_kernel(float* out, const float* gate, const float* up, size_t size) {
  LK_GRID_STRIDE(i, size) {
    const float g = gate[i];
    out[i] = g * sigmoid(g) * up[i];
  }
}

__global__ void silu_mul_backward_kernel(float* d_gate, float* d_up, const float* dy, const float* gate, const float* up, size_t size) {
  LK_GRID_STRIDE(i, size) {
    const float g = gate[i], s = sigmoid(g), d = dy[i];
    d_up[i] = d * g * s;
    d_gate[i] = d * up[i] * s * (1.0f + g * (1.0f - s));
  }
}

__global__ void add_kernel(float* out, const float* a, const float* b, size_t size) {
  LK_GRID_STRIDE(i, size) out[i] = a[i] + b[i];
}

__global__ void scale_kernel(float* x, float factor, size_t size) {
  LK_GRID_STRIDE(i, size) x[i] *= factor;
}

__global__ void fill32_kernel(uint32_t* x, uint32_t pattern, size_t size) {
  LK_GRID_STRIDE(i, size) x[i] = pattern;
}

__global__ void fill16_kernel(uint16_t* x, uint16_t pattern, size_t size) {
  LK_GRID_STRIDE(i, size) x[i] = pattern;
}

LK_D float load_any(const void* x, int dtype, size_t i) {
  if (dtype == static_cast<int>(DType::F32)) return static_cast<const float*>(x)[i];
  const uint16_t bits = static_cast<const uint16_t*>(x)[i];
  return dtype == static_cast<int>(DType::F16) ? f16_to_float(bits) : bf16_to_float(bits);
}

__global__ void cast_kernel(void* out, int out_dtype, const void* x, int x_dtype, size_t size) {
  LK_GRID_STRIDE(i, size) {
    const float value = load_any(x, x_dtype, i);
    if (out_dtype == static_cast<int>(DType::F32)) static_cast<float*>(out)[i] = value;
    else if (out_dtype == static_cast<int>(DType::F16)) static_cast<uint16_t*>(out)[i] = float_to_f16(value);
    else static_cast<uint16_t*>(out)[i] = float_to_bf16(value);
  }
}

__global__ void add_bias_rows_kernel(float* out, const float* bias, size_t rows, int columns) {
  LK_GRID_STRIDE(i, rows * columns) out[i] += bias[i % columns];
}

// Each thread sums one column over its share of the rows (rows blockIdx.y, +gridDim.y, …) and adds that to sums.
__global__ void column_sums_kernel(float* sums, const float* values, const float* other, const float* row_factors, int rows,
                                   int columns) {
  const int column = blockIdx.x * blockDim.x + threadIdx.x;
  if (column >= columns) return;
  float sum = 0.0f;
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    const size_t index = static_cast<size_t>(row) * columns + column;
    float value = values[index];
    if (other) value *= other[index];
    if (row_factors) value *= row_factors[row];
    sum += value;
  }
  atomicAdd(&sums[column], sum);
}

unsigned grid_for(size_t size) { return blocks_for(size, kThreads); }

}  // namespace

void silu_mul(float* out, const float* gate, const float* up, size_t size) {
  if (size == 0) return;
  launch(silu_mul_kernel, dim3(grid_for(size)), dim3(kThreads), 0, out, gate, up, size);
  check_launch("siluMul");
}

void silu_mul_backward(float* d_gate, float* d_up, const float* dy, const float* gate, const float* up, size_t size) {
  if (size == 0) return;
  launch(silu_mul_backward_kernel, dim3(grid_for(size)), dim3(kThreads), 0, d_gate, d_up, dy, gate, up, size);
  check_launch("siluMulBackward");
}

void add(float* out, const float* a, const float* b, size_t size) {
  if (size == 0) return;
  launch(add_kernel, dim3(grid_for(size)), dim3(kThreads), 0, out, a, b, size);
  check_launch("add");
}

void scale(float* x, float factor, size_t size) {
  if (size == 0) return;
  launch(scale_kernel, dim3(grid_for(size)), dim3(kThreads), 0, x, factor, size);
  check_launch("scale");
}

void fill(void* x, uint32_t bit_pattern, int element_bytes, size_t size) {
  if (size == 0) return;
  if (element_bytes == 4) {
    launch(fill32_kernel, dim3(grid_for(size)), dim3(kThreads), 0, static_cast<uint32_t*>(x), bit_pattern, size);
  } else {
    launch(fill16_kernel, dim3(grid_for(size)), dim3(kThreads), 0, static_cast<uint16_t*>(x), static_cast<uint16_t>(bit_pattern), size);
  }
  check_launch("fill");
}

void cast(void* out, DType out_dtype, const void* x, DType x_dtype, size_t size) {
  if (size == 0) return;
  launch(cast_kernel, dim3(grid_for(size)), dim3(kThreads), 0, out, static_cast<int>(out_dtype), x, static_cast<int>(x_dtype), size);
  check_launch("cast");
}

void add_bias_rows(float* out, const float* bias, int rows, int columns) {
  const size_t size = static_cast<size_t>(rows) * columns;
  if (size == 0) return;
  launch(add_bias_rows_kernel, dim3(grid_for(size)), dim3(kThreads), 0, out, bias, static_cast<size_t>(rows), columns);
  check_launch("bias");
}

void column_sums(float* sums, const float* values, const float* other, const float* row_factors, int rows, int columns,
                 bool accumulate) {
  if (columns == 0) return;
  if (!accumulate) check_cuda(cudaMemsetAsync(sums, 0, static_cast<size_t>(columns) * sizeof(float), nullptr), "column sums");
  if (rows == 0) return;
  // Enough row slices to fill the GPU, few enough that each thread still sums ≥ 32 rows.
  const unsigned slices = static_cast<unsigned>(std::max(1, std::min(1024, rows / 32)));
  launch(column_sums_kernel, dim3((columns + kThreads - 1) / kThreads, std::min(slices, 65535u)), dim3(kThreads), 0, sums, values,
         other, row_factors, rows, columns);
  check_launch("column sums");
}

}  // namespace lk
