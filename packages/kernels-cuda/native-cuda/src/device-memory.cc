// The caching allocator behind device-memory.h. Blocks are keyed by their rounded size: 512-byte steps up to
// 1 MiB, 64 KiB steps above (at most 6% waste). On cudaMalloc failure the cache is freed and the call retried once.
#include "device-memory.h"

#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace lk {
namespace {

std::mutex cache_mutex;
std::unordered_map<size_t, std::vector<void*>> free_lists;
MemoryStats stats{0, 0, 0, 0};

void free_cached_locked() {
  for (auto& [size, blocks] : free_lists) {
    for (void* block : blocks) cudaFree(block);
    stats.cached_bytes -= size * blocks.size();
  }
  free_lists.clear();
}

}  // namespace

void check_cuda(cudaError_t error, const char* what) {
  if (error == cudaSuccess) return;
  throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(error) + " (CUDA error " +
                           std::to_string(static_cast<int>(error)) + ")");
}

void check_launch(const char* what) { check_cuda(cudaGetLastError(), what); }

size_t rounded_size(size_t bytes) {
  if (bytes == 0) return 512;
  if (bytes <= (size_t(1) << 20)) return (bytes + 511) / 512 * 512;
  return (bytes + 65535) / 65536 * 65536;
}

void* device_allocate(size_t bytes) {
  const size_t size = rounded_size(bytes);
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto found = free_lists.find(size);
  if (found != free_lists.end() && !found->second.empty()) {
    void* block = found->second.back();
    found->second.pop_back();
    stats.cached_bytes -= size;
    stats.in_use_bytes += size;
    stats.cache_hits++;
    return block;
  }
  void* block = nullptr;
  cudaError_t error = cudaMalloc(&block, size);
  if (error != cudaSuccess) {
    cudaGetLastError();  // clear the allocation error before retrying
    free_cached_locked();
    error = cudaMalloc(&block, size);
  }
  check_cuda(error, ("cudaMalloc of " + std::to_string(size) + " bytes").c_str());
  stats.device_allocations++;
  stats.in_use_bytes += size;
  return block;
}

void device_release(void* pointer, size_t bytes) {
  if (!pointer) return;
  const size_t size = rounded_size(bytes);
  std::lock_guard<std::mutex> lock(cache_mutex);
  free_lists[size].push_back(pointer);
  stats.in_use_bytes -= size;
  stats.cached_bytes += size;
}

void release_cache() {
  std::lock_guard<std::mutex> lock(cache_mutex);
  free_cached_locked();
}

MemoryStats memory_stats() {
  std::lock_guard<std::mutex> lock(cache_mutex);
  return stats;
}

DeviceIndices::DeviceIndices(const int32_t* host, size_t count) : scratch_(count * sizeof(int32_t)) {
  if (count == 0) return;
  // From pageable memory the copy has staged the values before it returns, so the caller may reuse `host`.
  check_cuda(cudaMemcpyAsync(scratch_.as<int32_t>(), host, count * sizeof(int32_t), cudaMemcpyHostToDevice, nullptr),
             "copying indices to the device");
}

}  // namespace lk
