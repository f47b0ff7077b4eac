// Static op registration: each .cc file registers its own native functions, and addon.cc's Init exports every
// registered one under its name, so adding an op never touches a central file.
//
// Usage, in any .cc file compiled into the addon (the build globs native/src/*.cc):
//
//   #include "registry.h"
//   #include "napi-args.h"
//
//   static Napi::Value RmsNorm(const Napi::CallbackInfo& info) {
//     // read and length-check the arguments with napi-args.h, compute, return info.Env().Undefined()
//   }
//   LORAKIT_NATIVE_OP("rmsNorm", RmsNorm)
//
// Then type it in src/native/native-module.ts. Errors: throw lorakit::throwError(...) / Napi::Error (C++ exceptions
// are enabled, node-addon-api turns them into JS exceptions). Threads: see thread-pool.h.
#pragma once

#include <napi.h>

#include <vector>

namespace lorakit {

using NativeFunction = Napi::Value (*)(const Napi::CallbackInfo&);

struct NativeOp {
  const char* name;
  NativeFunction function;
};

// A function-local static, so it exists before any registrar in any translation unit runs.
inline std::vector<NativeOp>& nativeOps() {
  static std::vector<NativeOp> ops;
  return ops;
}

struct NativeOpRegistrar {
  NativeOpRegistrar(const char* name, NativeFunction function) { nativeOps().push_back({name, function}); }
};

}  // namespace lorakit

#define LORAKIT_NATIVE_OP_JOIN2(a, b) a##b
#define LORAKIT_NATIVE_OP_JOIN(a, b) LORAKIT_NATIVE_OP_JOIN2(a, b)
// Registers `function` (a Napi::Value(const Napi::CallbackInfo&)) as export `name` of the addon.
#define LORAKIT_NATIVE_OP(name, function)                                                    \
  static const ::lorakit::NativeOpRegistrar LORAKIT_NATIVE_OP_JOIN(lorakitNativeOp_, __LINE__)( \
      name, function);
