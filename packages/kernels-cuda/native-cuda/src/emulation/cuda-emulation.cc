// The CPU emulation's scheduler and runtime (see cuda-emulation.h). One launch runs its blocks in order; inside a
// block every thread is a fiber that runs until it reaches a barrier or returns. When no fiber can run, the
// scheduler releases the barrier that every live thread of the block (or of one warp) is waiting at; when none
// can be released the kernel has a divergent barrier, which is reported as cudaErrorLaunchFailure.
#include "cuda-emulation.h"

#include <sys/mman.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace lk_emu {
namespace {

enum class State { Runnable, BlockBarrier, WarpBarrier, Done };

struct Fiber {
  ucontext_t context;
  uint3 thread;
  int linear;
  State state;
  uint64_t exchange_value;
};

struct Launch {
  dim3 grid;
  dim3 block;
  uint3 block_index;
  std::vector<Fiber> fibers;
  ucontext_t scheduler;
  Fiber* current = nullptr;
  const std::function<void()>* body = nullptr;
  std::vector<unsigned char> shared;
};

constexpr size_t kStackBytes = 256 * 1024;
thread_local Launch* active = nullptr;
thread_local std::vector<void*> stacks;
thread_local cudaError_t last_error = cudaSuccess;
thread_local cudaError_t sticky_error = cudaSuccess;
bool reverse_order = false;

void* stack_for(size_t index) {
  while (stacks.size() <= index) {
    void* memory = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
      std::fprintf(stderr, "cuda emulation: cannot map a fiber stack\n");
      std::abort();
    }
    stacks.push_back(memory);
  }
  return stacks[index];
}

void fiber_entry() {
  (*active->body)();
  active->current->state = State::Done;
  // Returning resumes uc_link, the scheduler.
}

void wait(State state) {
  Fiber* me = active->current;
  me->state = state;
  swapcontext(&me->context, &active->scheduler);
}

// Releases one barrier; false when none can be released (every live thread waits, but not at a common barrier).
bool release_barrier(Launch& launch) {
  bool all_at_block_barrier = true;
  for (const Fiber& fiber : launch.fibers) {
    if (fiber.state != State::Done && fiber.state != State::BlockBarrier) all_at_block_barrier = false;
  }
  if (all_at_block_barrier) {
    for (Fiber& fiber : launch.fibers) {
      if (fiber.state == State::BlockBarrier) fiber.state = State::Runnable;
    }
    return true;
  }
  bool released = false;
  const size_t count = launch.fibers.size();
  for (size_t warp = 0; warp < count; warp += 32) {
    bool waiting = false, complete = true;
    for (size_t i = warp; i < count && i < warp + 32; i++) {
      const State state = launch.fibers[i].state;
      if (state == State::WarpBarrier) waiting = true;
      else if (state != State::Done) complete = false;
    }
    if (waiting && complete) {
      for (size_t i = warp; i < count && i < warp + 32; i++) {
        if (launch.fibers[i].state == State::WarpBarrier) launch.fibers[i].state = State::Runnable;
      }
      released = true;
    }
  }
  return released;
}

void init_fiber(Launch& launch, size_t i) {
  Fiber& fiber = launch.fibers[i];
  const unsigned linear = static_cast<unsigned>(i);
  fiber.linear = static_cast<int>(i);
  fiber.thread = {linear % launch.block.x, (linear / launch.block.x) % launch.block.y, linear / (launch.block.x * launch.block.y)};
  fiber.state = State::Runnable;
  getcontext(&fiber.context);
  fiber.context.uc_stack.ss_sp = stack_for(i);
  fiber.context.uc_stack.ss_size = kStackBytes;
  fiber.context.uc_link = &launch.scheduler;
  makecontext(&fiber.context, fiber_entry, 0);
}

// Runs one block to completion; false on a barrier deadlock.
bool run_block(Launch& launch) {
  for (size_t i = 0; i < launch.fibers.size(); i++) init_fiber(launch, i);
  for (;;) {
    bool any_live = false;
    const size_t count = launch.fibers.size();
    for (size_t step = 0; step < count; step++) {
      Fiber& fiber = launch.fibers[reverse_order ? count - 1 - step : step];
      if (fiber.state != State::Runnable) continue;
      launch.current = &fiber;
      swapcontext(&launch.scheduler, &fiber.context);
    }
    for (const Fiber& fiber : launch.fibers) any_live = any_live || fiber.state != State::Done;
    if (!any_live) return true;
    if (!release_barrier(launch)) return false;
  }
}

}  // namespace

const uint3& thread_index() { return active->current->thread; }
const uint3& block_index() { return active->block_index; }
const dim3& block_dim() { return active->block; }
const dim3& grid_dim() { return active->grid; }
int lane_id() { return active->current->linear & 31; }
void* dynamic_shared() { return active->shared.data(); }

void sync_block() { wait(State::BlockBarrier); }
void set_reverse_order(bool reverse) { reverse_order = reverse; }

uint64_t warp_exchange(uint64_t value, int source_lane) {
  Launch& launch = *active;
  Fiber* me = launch.current;
  me->exchange_value = value;
  wait(State::WarpBarrier);
  const size_t partner = static_cast<size_t>((me->linear & ~31) + (source_lane & 31));
  // A lane outside the block or one that has returned has nothing to give: keep the caller's own value.
  const uint64_t result =
      partner < launch.fibers.size() && launch.fibers[partner].state != State::Done ? launch.fibers[partner].exchange_value : value;
  wait(State::WarpBarrier);
  return result;
}

void launch(dim3 grid, dim3 block, size_t shared_bytes, const std::function<void()>& body) {
  const size_t threads = static_cast<size_t>(block.x) * block.y * block.z;
  if (threads == 0 || threads > 1024 || grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535) {
    last_error = cudaErrorInvalidValue;
    return;
  }
  Launch state;
  state.grid = grid;
  state.block = block;
  state.fibers.resize(threads);
  state.body = &body;
  state.shared.assign(shared_bytes + 16, 0);
  Launch* previous = active;
  active = &state;
  for (unsigned z = 0; z < grid.z; z++) {
    for (unsigned y = 0; y < grid.y; y++) {
      for (unsigned x = 0; x < grid.x; x++) {
        state.block_index = {x, y, z};
        if (!run_block(state)) {
          std::fprintf(stderr, "cuda emulation: barrier deadlock in block (%u, %u, %u)\n", x, y, z);
          last_error = sticky_error = cudaErrorLaunchFailure;
          active = previous;
          return;
        }
      }
    }
  }
  active = previous;
}

}  // namespace lk_emu

// ---- runtime ----
cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int) { return cudaSuccess; }
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* properties, int) {
  std::memset(properties, 0, sizeof(*properties));
  std::snprintf(properties->name, sizeof(properties->name), "CPU emulation of CUDA (tests only)");
  properties->totalGlobalMem = size_t(1) << 32;
  properties->major = 9;
  properties->minor = 0;
  properties->multiProcessorCount = 1;
  return cudaSuccess;
}
cudaError_t cudaMalloc(void** pointer, size_t bytes) {
  const size_t rounded = (bytes + 255) / 256 * 256;
  *pointer = std::aligned_alloc(256, rounded == 0 ? 256 : rounded);
  return *pointer ? cudaSuccess : cudaErrorMemoryAllocation;
}
cudaError_t cudaFree(void* pointer) {
  std::free(pointer);
  return cudaSuccess;
}
cudaError_t cudaMemcpy(void* destination, const void* source, size_t bytes, cudaMemcpyKind) {
  if (bytes) std::memmove(destination, source, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* destination, const void* source, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(destination, source, bytes, kind);
}
cudaError_t cudaMemsetAsync(void* pointer, int value, size_t bytes, cudaStream_t) {
  if (bytes) std::memset(pointer, value, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  *free_bytes = *total_bytes = size_t(1) << 32;
  return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize() { return lk_emu::sticky_error; }
cudaError_t cudaGetLastError() {
  const cudaError_t error = lk_emu::last_error;
  lk_emu::last_error = cudaSuccess;
  return error;
}
const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorLaunchFailure: return "unspecified launch failure (emulation: barrier deadlock)";
  }
  return "unknown error";
}
cudaError_t cudaRuntimeGetVersion(int* version) {
  *version = 0;
  return cudaSuccess;
}
cudaError_t cudaDriverGetVersion(int* version) {
  *version = 0;
  return cudaSuccess;
}
