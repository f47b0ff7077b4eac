// The addon's entry point: exports every op registered with LORAKIT_NATIVE_OP (see registry.h), plus
// cpuFeatures(), which the loader checks before using any op (the kernels are compiled with -mavx2 -mfma).
#include <string>

#include "registry.h"

namespace {

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object features = Napi::Object::New(env);
  __builtin_cpu_init();
  features.Set("avx2", Napi::Boolean::New(env, __builtin_cpu_supports("avx2")));
  features.Set("fma", Napi::Boolean::New(env, __builtin_cpu_supports("fma")));
  features.Set("avx512f", Napi::Boolean::New(env, __builtin_cpu_supports("avx512f")));
#ifdef _OPENMP
  features.Set("openmp", Napi::Boolean::New(env, true));
#else
  features.Set("openmp", Napi::Boolean::New(env, false));
#endif
  return features;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
  for (const lorakit::NativeOp& op : lorakit::nativeOps()) {
    exports.Set(op.name, Napi::Function::New(env, op.function, op.name));
  }
  return exports;
}

}  // namespace

NODE_API_MODULE(lorakit_cpu, Init)
