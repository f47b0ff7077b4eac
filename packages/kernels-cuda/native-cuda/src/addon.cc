// The CUDA addon's module: device discovery (never throws: a machine without a driver or GPU gets a reason
// string), cuBLAS loading, buffers (allocate / free / upload / download / copy / fill) and memory statistics.
// The ops are bound in addon-ops.cc. Typed for TypeScript in src/cuda/cuda-module.ts.
#include <string>

#include "cublas-loader.h"
#include "device-memory.h"
#include "kernels.h"
#include "napi-helpers.h"

namespace lk {

void register_ops(napi_env env, napi_value exports);

namespace {

bool device_ready = false;

std::string describe_error(cudaError_t error) {
  return std::string(cudaGetErrorString(error)) + ", CUDA error " + std::to_string(static_cast<int>(error));
}

napi_value device_info(Arguments& arguments) {
  napi_env env = arguments.env();
  napi_value info;
  napi_create_object(env, &info);
  int count = 0, runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  const cudaError_t error = cudaGetDeviceCount(&count);
  std::string reason;
  if (error != cudaSuccess) {
    // 35 (driver missing or older than the runtime) and 100 (no device) are what a GPU-less machine reports.
    reason = "no CUDA driver or GPU (cudaGetDeviceCount: " + describe_error(error) + ")";
    cudaGetLastError();
  } else if (count == 0) {
    reason = "no CUDA GPU (cudaGetDeviceCount found 0 devices)";
  }
  cudaDeviceProp properties{};
  if (reason.empty()) {
    const cudaError_t set = cudaSetDevice(0);
    const cudaError_t read = set == cudaSuccess ? cudaGetDeviceProperties(&properties, 0) : set;
    if (read != cudaSuccess) reason = "the CUDA device cannot be opened (" + describe_error(read) + ")";
  }
  device_ready = reason.empty();
#if defined(LORAKIT_CUDA_EMULATION)
  const bool emulated = true;
#else
  const bool emulated = false;
#endif
  set_property(env, info, "available", make_boolean(env, device_ready));
  set_property(env, info, "reason", make_string(env, reason));
  set_property(env, info, "errorCode", make_number(env, static_cast<int>(error)));
  set_property(env, info, "deviceCount", make_number(env, count));
  set_property(env, info, "name", make_string(env, device_ready ? properties.name : ""));
  set_property(env, info, "computeCapability",
               make_string(env, device_ready ? std::to_string(properties.major) + "." + std::to_string(properties.minor) : ""));
  set_property(env, info, "multiprocessors", make_number(env, device_ready ? properties.multiProcessorCount : 0));
  set_property(env, info, "totalMemoryBytes", make_number(env, device_ready ? static_cast<double>(properties.totalGlobalMem) : 0));
  set_property(env, info, "runtimeVersion", make_number(env, runtime));
  set_property(env, info, "driverVersion", make_number(env, driver));
  set_property(env, info, "emulated", make_boolean(env, emulated));
  return info;
}

void require_device() {
  if (!device_ready) throw std::runtime_error("the CUDA device is not initialised (call deviceInfo first; native check)");
}

napi_value load_cublas(Arguments& arguments) {
  require_device();
  cublas_load(arguments.string(0, "cublasPath"));
  return make_string(arguments.env(), cublas_description());
}

napi_value set_cublas_enabled(Arguments& arguments) {
  cublas_set_enabled(arguments.boolean(0, "enabled"));
  return nullptr;
}

napi_value allocate(Arguments& arguments) {
  require_device();
  const double bytes = arguments.number(0, "bytes");
  if (!(bytes >= 0) || bytes > 1e15) throw std::runtime_error("allocate: bad size (native check)");
  const size_t size = static_cast<size_t>(bytes);
  auto* buffer = new DeviceBuffer{nullptr, size, false};
  try {
    buffer->pointer = device_allocate(size);
  } catch (...) {
    delete buffer;
    throw;
  }
  return make_buffer(arguments.env(), buffer);
}

napi_value free_buffer(Arguments& arguments) {
  DeviceBuffer* buffer = arguments.optional_buffer(0, "buffer");
  if (buffer) {  // freeing twice is a no-op: optional_buffer refuses a freed one, so guard by hand
    buffer->freed = true;
    device_release(buffer->pointer, buffer->bytes);
  }
  return nullptr;
}

napi_value upload(Arguments& arguments) {
  DeviceBuffer* buffer = arguments.buffer(0, "buffer");
  size_t bytes = 0;
  void* data = arguments.typed_bytes(1, "values", &bytes);
  require_size("upload", "buffer", buffer, bytes, 1);
  if (bytes) check_cuda(cudaMemcpy(buffer->pointer, data, bytes, cudaMemcpyHostToDevice), "upload");
  return nullptr;
}

napi_value download(Arguments& arguments) {
  DeviceBuffer* buffer = arguments.buffer(0, "buffer");
  size_t bytes = 0;
  void* data = arguments.typed_bytes(1, "values", &bytes);
  require_size("download", "buffer", buffer, bytes, 1);
  // cudaMemcpy waits for queued work, so an error of an earlier kernel surfaces here.
  if (bytes) check_cuda(cudaMemcpy(data, buffer->pointer, bytes, cudaMemcpyDeviceToHost), "download");
  return nullptr;
}

napi_value copy(Arguments& arguments) {
  DeviceBuffer* destination = arguments.buffer(0, "destination");
  DeviceBuffer* source = arguments.buffer(1, "source");
  const double bytes = arguments.number(2, "bytes");
  if (!(bytes >= 0)) throw std::runtime_error("copy: bad size (native check)");
  const size_t size = static_cast<size_t>(bytes);
  require_size("copy", "destination", destination, size, 1);
  require_size("copy", "source", source, size, 1);
  if (size) check_cuda(cudaMemcpyAsync(destination->pointer, source->pointer, size, cudaMemcpyDeviceToDevice, nullptr), "copy");
  return nullptr;
}

napi_value fill_buffer(Arguments& arguments) {
  DeviceBuffer* buffer = arguments.buffer(0, "buffer");
  const double count = arguments.number(1, "count");
  const int element_bytes = arguments.integer(2, "elementBytes");
  const double pattern = arguments.number(3, "bitPattern");
  if (!(count >= 0) || (element_bytes != 2 && element_bytes != 4) || !(pattern >= 0 && pattern <= 4294967295.0)) {
    throw std::runtime_error("fill: bad arguments (native check)");
  }
  require_size("fill", "buffer", buffer, static_cast<size_t>(count), static_cast<size_t>(element_bytes));
  fill(buffer->pointer, static_cast<uint32_t>(pattern), element_bytes, static_cast<size_t>(count));
  return nullptr;
}

napi_value synchronize(Arguments&) {
  check_cuda(cudaDeviceSynchronize(), "synchronize");
  return nullptr;
}

napi_value memory(Arguments& arguments) {
  napi_env env = arguments.env();
  const MemoryStats stats = memory_stats();
  napi_value result;
  napi_create_object(env, &result);
  set_property(env, result, "inUseBytes", make_number(env, static_cast<double>(stats.in_use_bytes)));
  set_property(env, result, "cachedBytes", make_number(env, static_cast<double>(stats.cached_bytes)));
  set_property(env, result, "deviceAllocations", make_number(env, static_cast<double>(stats.device_allocations)));
  set_property(env, result, "cacheHits", make_number(env, static_cast<double>(stats.cache_hits)));
  return result;
}

#if defined(LORAKIT_CUDA_EMULATION)
napi_value set_emulation_order(Arguments& arguments) {
  lk_emu::set_reverse_order(arguments.boolean(0, "reverse"));
  return nullptr;
}
#endif

napi_value release(Arguments&) {
  release_cache();
  return nullptr;
}

}  // namespace
}  // namespace lk

NAPI_MODULE_INIT() {
  using namespace lk;
  try {
    export_function(env, exports, "deviceInfo", bind<device_info>);
    export_function(env, exports, "loadCublas", bind<load_cublas>);
    export_function(env, exports, "setCublasEnabled", bind<set_cublas_enabled>);
    export_function(env, exports, "allocate", bind<allocate>);
    export_function(env, exports, "free", bind<free_buffer>);
    export_function(env, exports, "upload", bind<upload>);
    export_function(env, exports, "download", bind<download>);
    export_function(env, exports, "copy", bind<copy>);
    export_function(env, exports, "fill", bind<fill_buffer>);
    export_function(env, exports, "synchronize", bind<synchronize>);
    export_function(env, exports, "memoryStats", bind<memory>);
    export_function(env, exports, "releaseCache", bind<release>);
#if defined(LORAKIT_CUDA_EMULATION)
    export_function(env, exports, "setEmulationOrder", bind<set_emulation_order>);
#endif
    register_ops(env, exports);
  } catch (const std::exception& error) {
    napi_throw_error(env, nullptr, error.what());
    return nullptr;
  }
  return exports;
}
