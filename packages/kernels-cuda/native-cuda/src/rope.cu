// Rotary position embedding in Llama's rotate_half form, in place: for i < D/2 the pair (x_i, x_{i+D/2}) of row
// r turns by angle = f32(position_r · invFreq_i) (rounded to f32 exactly as transformers and the reference do),
// with cos/sin and the rotation in fp64; direction −1 rotates back (the backward). The inverse frequencies
// (Llama-3 scaling included) come from the host, computed by the reference's ropeInverseFrequencies.
#include "device-memory.h"
#include "kernels.h"
#include "portable.cuh"

namespace lk {
namespace {

__global__ void rope_kernel(float* x, const int32_t* positions, const float* frequencies, int rows, int heads, int head_dim,
                            int direction) {
  const int half = head_dim / 2;
  const size_t pairs = static_cast<size_t>(rows) * heads * half;
  for (size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs; p += static_cast<size_t>(blockDim.x) * gridDim.x) {
    const int i = static_cast<int>(p % half);
    const size_t row_head = p / half;
    const int row = static_cast<int>(row_head / heads);
    // The product of an int and an f32 is exact in fp64; rounding it to f32 matches Math.fround(p·f).
    const float angle = static_cast<float>(static_cast<double>(positions[row]) * static_cast<double>(frequencies[i]));
    const double cosine = cos(static_cast<double>(angle));
    const double sine = direction * sin(static_cast<double>(angle));
    float* base = x + row_head * head_dim;
    const double first = base[i], second = base[i + half];
    base[i] = static_cast<float>(first * cosine - second * sine);
    base[i + half] = static_cast<float>(second * cosine + first * sine);
  }
}

}  // namespace

void rope(float* x, const int32_t* device_positions, const float* device_frequencies, int rows, int heads, int head_dim,
          int direction) {
  const size_t pairs = static_cast<size_t>(rows) * heads * (head_dim / 2);
  if (pairs == 0) return;
  launch(rope_kernel, dim3(blocks_for(pairs, 256)), dim3(256), 0, x, device_positions, device_frequencies, rows, heads, head_dim,
         direction);
  check_launch("rope");
}

}  // namespace lk
