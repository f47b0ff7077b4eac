// Node-API (C) plumbing for the CUDA addon: device buffers as type-tagged externals, argument readers that throw
// std::runtime_error on a wrong type or an undersized buffer ("(native check)"), and bind(), which turns a C++
// function into a JS one under one process-wide lock (worker threads share the device, the cache and cuBLAS).
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace lk {

/** One device allocation owned by a JS CudaTensor; `bytes` is the size asked for (the cache key is derived). */
struct DeviceBuffer {
  void* pointer;
  size_t bytes;
  bool freed;
};

class Arguments {
 public:
  Arguments(napi_env env, napi_callback_info info);
  napi_env env() const { return env_; }
  size_t count() const { return values_.size(); }

  DeviceBuffer* buffer(size_t index, const char* name) const;
  /** A buffer, or nullptr for JS null/undefined. */
  DeviceBuffer* optional_buffer(size_t index, const char* name) const;
  double number(size_t index, const char* name) const;
  int integer(size_t index, const char* name) const;
  bool boolean(size_t index, const char* name) const;
  std::string string(size_t index, const char* name) const;
  /** Raw bytes of any typed array. */
  void* typed_bytes(size_t index, const char* name, size_t* byte_length) const;
  const int32_t* int32_array(size_t index, const char* name, size_t expected_length) const;
  const float* float32_array(size_t index, const char* name, size_t expected_length) const;
  std::vector<DeviceBuffer*> buffer_array(size_t index, const char* name) const;
  std::vector<double> number_array(size_t index, const char* name) const;

 private:
  napi_value at(size_t index, const char* name) const;
  napi_env env_;
  std::vector<napi_value> values_;
};

/** Throws unless `buffer` is alive and holds `elements` values of `element_bytes` each. */
void require_size(const char* op, const char* name, const DeviceBuffer* buffer, size_t elements, size_t element_bytes = 4);
/** The buffer's device pointer after require_size (nullptr for a null buffer). */
template <typename T>
T* device(const char* op, const char* name, const DeviceBuffer* buffer, size_t elements) {
  if (!buffer) return nullptr;
  require_size(op, name, buffer, elements, sizeof(T) == 1 ? 1 : sizeof(T));
  return static_cast<T*>(buffer->pointer);
}
/** Throws unless every value is in [low, high) or equals `allowed`. */
void require_range(const char* op, const char* name, const int32_t* values, size_t count, long long low, long long high,
                   long long allowed = -(1LL << 40));

napi_value make_buffer(napi_env env, DeviceBuffer* buffer);
napi_value make_number(napi_env env, double value);
napi_value make_boolean(napi_env env, bool value);
napi_value make_string(napi_env env, const std::string& value);
napi_value make_undefined(napi_env env);
void set_property(napi_env env, napi_value object, const char* key, napi_value value);

std::recursive_mutex& device_mutex();

using Binding = napi_value (*)(Arguments&);
template <Binding F>
napi_value bind(napi_env env, napi_callback_info info) {
  try {
    std::lock_guard<std::recursive_mutex> lock(device_mutex());
    Arguments arguments(env, info);
    napi_value result = F(arguments);
    return result ? result : make_undefined(env);
  } catch (const std::exception& error) {
    napi_throw_error(env, nullptr, error.what());
    return nullptr;
  }
}

void export_function(napi_env env, napi_value exports, const char* name, napi_callback function);

}  // namespace lk
