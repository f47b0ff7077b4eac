// Implementation of napi-helpers.h. A device buffer is an external carrying a type tag, so a foreign external
// (or any other value) passed where a tensor is expected is refused instead of being dereferenced.
#include "napi-helpers.h"

#include "device-memory.h"

namespace lk {
namespace {

// Random 128 bits identifying this addon's buffers.
const napi_type_tag kBufferTag = {0x6c6f72616b697463ULL, 0x7564616275666672ULL};

void check(napi_env env, napi_status status, const std::string& what) {
  if (status == napi_ok) return;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  throw std::runtime_error(what);
}

void finalize_buffer(napi_env, void* data, void*) {
  auto* buffer = static_cast<DeviceBuffer*>(data);
  // A tensor that was never disposed: its memory goes back to the cache when JS collects the handle.
  if (!buffer->freed) {
    std::lock_guard<std::recursive_mutex> lock(device_mutex());
    device_release(buffer->pointer, buffer->bytes);
  }
  delete buffer;
}

}  // namespace

std::recursive_mutex& device_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

Arguments::Arguments(napi_env env, napi_callback_info info) : env_(env) {
  size_t count = 0;
  check(env, napi_get_cb_info(env, info, &count, nullptr, nullptr, nullptr), "cannot read the arguments");
  values_.resize(count);
  if (count) check(env, napi_get_cb_info(env, info, &count, values_.data(), nullptr, nullptr), "cannot read the arguments");
}

napi_value Arguments::at(size_t index, const char* name) const {
  if (index >= values_.size()) throw std::runtime_error(std::string("argument ") + name + " is missing (native check)");
  return values_[index];
}

DeviceBuffer* Arguments::optional_buffer(size_t index, const char* name) const {
  napi_value value = at(index, name);
  napi_valuetype type;
  check(env_, napi_typeof(env_, value, &type), "typeof");
  if (type == napi_null || type == napi_undefined) return nullptr;
  bool tagged = false;
  if (type == napi_external) check(env_, napi_check_object_type_tag(env_, value, &kBufferTag, &tagged), "type tag");
  if (!tagged) throw std::runtime_error(std::string(name) + " is not a CUDA buffer handle (native check)");
  void* data = nullptr;
  check(env_, napi_get_value_external(env_, value, &data), "external");
  auto* buffer = static_cast<DeviceBuffer*>(data);
  if (buffer->freed) throw std::runtime_error(std::string(name) + " was used after dispose() (native check)");
  return buffer;
}

DeviceBuffer* Arguments::buffer(size_t index, const char* name) const {
  DeviceBuffer* buffer = optional_buffer(index, name);
  if (!buffer) throw std::runtime_error(std::string(name) + " is required (native check)");
  return buffer;
}

double Arguments::number(size_t index, const char* name) const {
  double value = 0;
  if (napi_get_value_double(env_, at(index, name), &value) != napi_ok) {
    throw std::runtime_error(std::string(name) + " must be a number (native check)");
  }
  return value;
}

int Arguments::integer(size_t index, const char* name) const {
  const double value = number(index, name);
  if (value != static_cast<double>(static_cast<long long>(value)) || value < -2147483648.0 || value > 2147483647.0) {
    throw std::runtime_error(std::string(name) + " = " + std::to_string(value) + " must be a 32-bit integer (native check)");
  }
  return static_cast<int>(value);
}

bool Arguments::boolean(size_t index, const char* name) const {
  bool value = false;
  if (napi_get_value_bool(env_, at(index, name), &value) != napi_ok) {
    throw std::runtime_error(std::string(name) + " must be a boolean (native check)");
  }
  return value;
}

std::string Arguments::string(size_t index, const char* name) const {
  size_t length = 0;
  napi_value value = at(index, name);
  if (napi_get_value_string_utf8(env_, value, nullptr, 0, &length) != napi_ok) {
    throw std::runtime_error(std::string(name) + " must be a string (native check)");
  }
  std::string result(length, '\0');
  check(env_, napi_get_value_string_utf8(env_, value, result.data(), length + 1, &length), "string");
  return result;
}

void* Arguments::typed_bytes(size_t index, const char* name, size_t* byte_length) const {
  napi_value value = at(index, name);
  bool is_typed = false;
  check(env_, napi_is_typedarray(env_, value, &is_typed), "typed array");
  if (!is_typed) throw std::runtime_error(std::string(name) + " must be a typed array (native check)");
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value array_buffer;
  check(env_, napi_get_typedarray_info(env_, value, &type, &length, &data, &array_buffer, &offset), "typed array");
  size_t element = 1;
  switch (type) {
    case napi_int16_array: case napi_uint16_array: element = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
    default: element = 1;
  }
  *byte_length = length * element;
  return data;
}

static const void* typed_of(napi_env env, napi_value value, napi_typedarray_type wanted, const char* name, const char* type_name,
                            size_t expected_length) {
  bool is_typed = false;
  check(env, napi_is_typedarray(env, value, &is_typed), "typed array");
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value array_buffer;
  if (is_typed) check(env, napi_get_typedarray_info(env, value, &type, &length, &data, &array_buffer, &offset), "typed array");
  if (!is_typed || type != wanted) throw std::runtime_error(std::string(name) + " must be a " + type_name + " (native check)");
  if (length != expected_length) {
    throw std::runtime_error(std::string(name) + " has " + std::to_string(length) + " entries, expected " +
                             std::to_string(expected_length) + " (native check)");
  }
  return data;
}

const int32_t* Arguments::int32_array(size_t index, const char* name, size_t expected_length) const {
  return static_cast<const int32_t*>(typed_of(env_, at(index, name), napi_int32_array, name, "Int32Array", expected_length));
}

const float* Arguments::float32_array(size_t index, const char* name, size_t expected_length) const {
  return static_cast<const float*>(typed_of(env_, at(index, name), napi_float32_array, name, "Float32Array", expected_length));
}

std::vector<DeviceBuffer*> Arguments::buffer_array(size_t index, const char* name) const {
  napi_value array = at(index, name);
  uint32_t length = 0;
  if (napi_get_array_length(env_, array, &length) != napi_ok) throw std::runtime_error(std::string(name) + " must be an array (native check)");
  std::vector<DeviceBuffer*> buffers;
  for (uint32_t i = 0; i < length; i++) {
    napi_value element;
    check(env_, napi_get_element(env_, array, i, &element), "array element");
    Arguments single = *this;
    single.values_ = {element};
    buffers.push_back(single.buffer(0, name));
  }
  return buffers;
}

std::vector<double> Arguments::number_array(size_t index, const char* name) const {
  napi_value array = at(index, name);
  uint32_t length = 0;
  if (napi_get_array_length(env_, array, &length) != napi_ok) throw std::runtime_error(std::string(name) + " must be an array (native check)");
  std::vector<double> numbers(length);
  for (uint32_t i = 0; i < length; i++) {
    napi_value element;
    check(env_, napi_get_element(env_, array, i, &element), "array element");
    if (napi_get_value_double(env_, element, &numbers[i]) != napi_ok) throw std::runtime_error(std::string(name) + " must hold numbers (native check)");
  }
  return numbers;
}

void require_size(const char* op, const char* name, const DeviceBuffer* buffer, size_t elements, size_t element_bytes) {
  if (buffer->freed) throw std::runtime_error(std::string(op) + ": " + name + " was used after dispose() (native check)");
  if (buffer->bytes < elements * element_bytes) {
    throw std::runtime_error(std::string(op) + ": " + name + " holds " + std::to_string(buffer->bytes) + " bytes, " +
                             std::to_string(elements * element_bytes) + " needed (native check)");
  }
}

void require_range(const char* op, const char* name, const int32_t* values, size_t count, long long low, long long high,
                   long long allowed) {
  for (size_t i = 0; i < count; i++) {
    const long long value = values[i];
    if ((value < low || value >= high) && value != allowed) {
      throw std::runtime_error(std::string(op) + ": " + name + "[" + std::to_string(i) + "] = " + std::to_string(value) +
                               " is out of range [" + std::to_string(low) + ", " + std::to_string(high) + ") (native check)");
    }
  }
}

napi_value make_buffer(napi_env env, DeviceBuffer* buffer) {
  napi_value value;
  if (napi_create_external(env, buffer, finalize_buffer, nullptr, &value) != napi_ok) {
    device_release(buffer->pointer, buffer->bytes);
    delete buffer;
    throw std::runtime_error("cannot create a buffer handle");
  }
  check(env, napi_type_tag_object(env, value, &kBufferTag), "type tag");
  return value;
}

napi_value make_number(napi_env env, double value) {
  napi_value result;
  check(env, napi_create_double(env, value, &result), "number");
  return result;
}

napi_value make_boolean(napi_env env, bool value) {
  napi_value result;
  check(env, napi_get_boolean(env, value, &result), "boolean");
  return result;
}

napi_value make_string(napi_env env, const std::string& value) {
  napi_value result;
  check(env, napi_create_string_utf8(env, value.c_str(), value.size(), &result), "string");
  return result;
}

napi_value make_undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

void set_property(napi_env env, napi_value object, const char* key, napi_value value) {
  check(env, napi_set_named_property(env, object, key, value), key);
}

void export_function(napi_env env, napi_value exports, const char* name, napi_callback function) {
  napi_value value;
  check(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, function, nullptr, &value), name);
  set_property(env, exports, name, value);
}

}  // namespace lk
