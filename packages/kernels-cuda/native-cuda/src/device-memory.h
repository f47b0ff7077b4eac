// Device memory for the addon: a caching allocator (free lists keyed by rounded size, so a training loop that
// allocates the same shapes every step stops calling cudaMalloc after the first), scratch buffers for one op,
// and the error checks that turn a CUDA error into a std::runtime_error naming the op.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime.h"

namespace lk {

/** Throws std::runtime_error("<what>: <CUDA's message> (CUDA error <code>)") unless error is cudaSuccess. */
void check_cuda(cudaError_t error, const char* what);
/** Checks the last kernel launch (cudaGetLastError). */
void check_launch(const char* what);

/** The size a request is rounded up to (its free-list key). */
size_t rounded_size(size_t bytes);
/** Device memory of at least `bytes` (a rounded size), from the cache when it holds a block of that size. */
void* device_allocate(size_t bytes);
/** Returns a block from device_allocate (with the same `bytes`) to the cache; queued work may still use it. */
void device_release(void* pointer, size_t bytes);
/** Frees every cached block (cudaFree), e.g. before another library needs the memory. */
void release_cache();

struct MemoryStats {
  size_t in_use_bytes;
  size_t cached_bytes;
  size_t device_allocations;  // cudaMalloc calls so far
  size_t cache_hits;
};
MemoryStats memory_stats();

/** Temporary device memory for the duration of one op (returned to the cache on scope exit). */
class Scratch {
 public:
  explicit Scratch(size_t bytes) : bytes_(bytes), pointer_(bytes ? device_allocate(bytes) : nullptr) {}
  ~Scratch() {
    if (pointer_) device_release(pointer_, bytes_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(pointer_);
  }

 private:
  size_t bytes_;
  void* pointer_;
};

/** Copies `count` host int32 values to a new scratch buffer on the device. */
class DeviceIndices {
 public:
  DeviceIndices(const int32_t* host, size_t count);
  const int32_t* get() const { return scratch_.as<const int32_t>(); }

 private:
  Scratch scratch_;
};

}  // namespace lk
