// A CPU emulation of the small part of CUDA these kernels use, so the same kernel source can be compiled by g++
// and tested on machines without a GPU (CI). Each thread of a block is a fiber (ucontext) on one OS thread;
// __syncthreads and warp shuffles are barriers that the scheduler resolves, blocks run one after another, so
// `static` locals behave as __shared__ memory. A barrier that can never complete (a __syncthreads inside a
// divergent branch) is reported as a launch error instead of hanging. Slow: for small test shapes only.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

// ---- CUDA keywords ----
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint3 {
  unsigned int x, y, z;
};

namespace lk_emu {
const uint3& thread_index();
const uint3& block_index();
const dim3& block_dim();
const dim3& grid_dim();
void sync_block();
/** Exchanges one 8-byte value with the lane `source_lane` of the calling warp (a warp-wide barrier). */
uint64_t warp_exchange(uint64_t value, int source_lane);
int lane_id();
void* dynamic_shared();
void launch(dim3 grid, dim3 block, size_t shared_bytes, const std::function<void()>& body);
/**
 * Runs a block's threads last-to-first between barriers instead of first-to-last. A kernel that reads what
 * another thread wrote without a barrier in between gets a different answer in one of the two orders, so tests
 * run both to find a missing __syncthreads (which a GPU would expose only sometimes).
 */
void set_reverse_order(bool reverse);
}  // namespace lk_emu

#define threadIdx (::lk_emu::thread_index())
#define blockIdx (::lk_emu::block_index())
#define blockDim (::lk_emu::block_dim())
#define gridDim (::lk_emu::grid_dim())
#define warpSize 32

inline void __syncthreads() { ::lk_emu::sync_block(); }

template <typename T>
T lk_emu_exchange(T value, int source_lane) {
  static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = ::lk_emu::warp_exchange(bits, source_lane);
  T result;
  std::memcpy(&result, &bits, sizeof(T));
  return result;
}
template <typename T>
T __shfl_xor_sync(unsigned, T value, int lane_mask) {
  return lk_emu_exchange(value, ::lk_emu::lane_id() ^ lane_mask);
}
template <typename T>
T __shfl_sync(unsigned, T value, int source_lane) {
  return lk_emu_exchange(value, source_lane);
}

// Fibers switch only at barriers, so a read-modify-write is atomic here.
inline float atomicAdd(float* address, float value) {
  float old = *address;
  *address = old + value;
  return old;
}
inline double atomicAdd(double* address, double value) {
  double old = *address;
  *address = old + value;
  return old;
}

inline float rsqrtf(float value) { return 1.0f / std::sqrt(value); }

// ---- the runtime API subset the host code uses ----
enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorLaunchFailure = 719,
};
enum cudaMemcpyKind {
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
};
using cudaStream_t = void*;
struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  int major;
  int minor;
  int multiProcessorCount;
};

cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* properties, int device);
cudaError_t cudaMalloc(void** pointer, size_t bytes);
cudaError_t cudaFree(void* pointer);
cudaError_t cudaMemcpy(void* destination, const void* source, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* destination, const void* source, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream = nullptr);
cudaError_t cudaMemsetAsync(void* pointer, int value, size_t bytes, cudaStream_t stream = nullptr);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaGetLastError();
const char* cudaGetErrorString(cudaError_t error);
cudaError_t cudaRuntimeGetVersion(int* version);
cudaError_t cudaDriverGetVersion(int* version);
