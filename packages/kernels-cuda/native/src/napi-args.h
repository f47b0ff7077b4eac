// Argument helpers for native ops. The TypeScript side validates shapes, dtypes and ownership first; these helpers
// still check each typed array's kind and length, so a bug on the TypeScript side is a JS Error, never an
// out-of-bounds read or write ("the native side checks what the TypeScript side cannot").
//
//   float* x = lorakit::floatArray(info, 0, "rmsNorm", "x", rows * columns);   // exact length required
//   float* b = lorakit::optionalFloatArray(info, 3, "loraLinearForward", "bias", out);  // nullptr if undefined/null
//   const int32_t* ids = lorakit::intArray(info, 2, "embedding", "ids", tokens);
//   size_t rows = lorakit::sizeArg(info, 1, "rmsNorm", "rows");                 // non-negative integer
//   double eps = lorakit::numberArg(info, 4, "rmsNorm", "eps");
//   lorakit::throwError(info.Env(), "rmsNorm: rstd has 3 entries, expected 4");  // never returns
#pragma once

#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lorakit {

[[noreturn]] inline void throwError(Napi::Env env, const std::string& message) {
  throw Napi::Error::New(env, message);
}

// Throws unless actual == expected: "<op>: <name> has <actual> elements, expected <expected>".
inline void requireLength(Napi::Env env, const char* op, const char* name, size_t actual, size_t expected) {
  if (actual != expected) {
    throwError(env, std::string(op) + ": " + name + " has " + std::to_string(actual) + " elements, expected " +
                        std::to_string(expected) + " (native check)");
  }
}

namespace detail {
template <typename Element, napi_typedarray_type Kind>
Element* typedArray(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name, size_t expected,
                    bool optional, const char* kindName) {
  Napi::Env env = info.Env();
  Napi::Value value = info[index];
  if (optional && (value.IsUndefined() || value.IsNull())) return nullptr;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != Kind) {
    throwError(env, std::string(op) + ": " + name + " must be a " + kindName + " (native check)");
  }
  auto array = value.As<Napi::TypedArrayOf<Element>>();
  requireLength(env, op, name, array.ElementLength(), expected);
  return array.Data();
}
}  // namespace detail

inline float* floatArray(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name,
                         size_t expected) {
  return detail::typedArray<float, napi_float32_array>(info, index, op, name, expected, false, "Float32Array");
}
inline float* optionalFloatArray(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name,
                                 size_t expected) {
  return detail::typedArray<float, napi_float32_array>(info, index, op, name, expected, true, "Float32Array");
}
inline int32_t* intArray(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name,
                         size_t expected) {
  return detail::typedArray<int32_t, napi_int32_array>(info, index, op, name, expected, false, "Int32Array");
}
inline uint16_t* uint16Array(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name,
                             size_t expected) {
  return detail::typedArray<uint16_t, napi_uint16_array>(info, index, op, name, expected, false, "Uint16Array");
}

// The length of a Float32Array argument, for ops whose sizes follow from it (still checks the kind).
inline size_t floatArrayLength(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throwError(info.Env(), std::string(op) + ": " + name + " must be a Float32Array (native check)");
  }
  return value.As<Napi::Float32Array>().ElementLength();
}

inline double numberArg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) throwError(info.Env(), std::string(op) + ": " + name + " must be a number (native check)");
  return value.As<Napi::Number>().DoubleValue();
}

// A non-negative integer that fits a size (dimensions, counts).
inline size_t sizeArg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name) {
  double value = numberArg(info, index, op, name);
  if (!(value >= 0) || value != std::floor(value) || value > 9007199254740991.0) {
    throwError(info.Env(), std::string(op) + ": " + name + " must be a non-negative integer (native check)");
  }
  return static_cast<size_t>(value);
}

inline bool boolArg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* name) {
  Napi::Value value = info[index];
  if (value.IsUndefined()) return false;
  if (!value.IsBoolean()) throwError(info.Env(), std::string(op) + ": " + name + " must be a boolean (native check)");
  return value.As<Napi::Boolean>().Value();
}

}  // namespace lorakit
