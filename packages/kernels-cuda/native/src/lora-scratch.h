// Per-calling-thread scratch buffers for the LoRA ops (the shrink when the caller keeps none, dropout(x), dy·B …).
// They grow to the largest size asked for and are then reused, so a training loop does not allocate (or page-fault
// fresh memory) on every call. Each slot is one buffer; ops use distinct slots for buffers alive at the same time.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace lorakit {

enum class ScratchSlot { Shrink = 0, Dropped = 1, Gradient = 2, Gather = 3, Count = 4 };

inline float* loraScratch(ScratchSlot slot, size_t floats) {
  struct Deleter {
    void operator()(float* pointer) const { std::free(pointer); }
  };
  thread_local std::unique_ptr<float, Deleter> buffers[static_cast<int>(ScratchSlot::Count)];
  thread_local size_t sizes[static_cast<int>(ScratchSlot::Count)] = {};
  const int index = static_cast<int>(slot);
  if (sizes[index] < floats || !buffers[index]) {
    size_t bytes = ((floats * sizeof(float) + 4095) / 4096 + 1) * 4096;
    buffers[index].reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    if (!buffers[index]) throw std::bad_alloc();
    sizes[index] = bytes / sizeof(float);
  }
  return buffers[index].get();
}

}  // namespace lorakit
