// The thread-count setting behind thread-pool.h, and its JS exports (threadCount / setThreadCount).
#include "thread-pool.h"

#include <atomic>

#include "napi-args.h"
#include "registry.h"

namespace lorakit {

namespace {
int defaultThreadCount() {
#ifdef _OPENMP
  return std::max(1, omp_get_num_procs());
#else
  return 1;
#endif
}
std::atomic<int> currentThreadCount{defaultThreadCount()};
}  // namespace

int threadCount() { return currentThreadCount.load(std::memory_order_relaxed); }

int setThreadCount(int count) {
  currentThreadCount.store(std::max(1, count), std::memory_order_relaxed);
  return threadCount();
}

static Napi::Value ThreadCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threadCount()); }

static Napi::Value SetThreadCount(const Napi::CallbackInfo& info) {
  size_t count = sizeArg(info, 0, "setThreadCount", "count");
  return Napi::Number::New(info.Env(), setThreadCount(static_cast<int>(std::min<size_t>(count, 1024))));
}

LORAKIT_NATIVE_OP("threadCount", ThreadCount)
LORAKIT_NATIVE_OP("setThreadCount", SetThreadCount)

}  // namespace lorakit
