// Threads for native ops, on OpenMP (libgomp ships with g++). Ops call parallelFor instead of writing pragmas, so
// the thread count is one setting (setThreadCount, exported to JS) and a build without OpenMP still runs, serially.
//
//   lorakit::parallelFor(rows, 16, [&](size_t begin, size_t end) { for (size_t r = begin; r < end; r++) ...; });
//
// Work is split into contiguous chunks of at least `grain` items, one chunk per thread; results must not depend on
// the split (each output element is computed by one thread in a fixed order), which the tests check.
#pragma once

#include <algorithm>
#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace lorakit {

// The number of threads ops use (default: the online CPUs).
int threadCount();
// Sets it (clamped to at least 1); returns the value in effect.
int setThreadCount(int count);

// Calls body(begin, end) on disjoint chunks covering [0, count), in parallel. Small work (count <= grain) runs
// on the calling thread.
template <typename Body>
void parallelFor(size_t count, size_t grain, Body&& body) {
  if (count == 0) return;
  size_t threads = static_cast<size_t>(threadCount());
  if (grain == 0) grain = 1;
  size_t chunks = std::min(threads, (count + grain - 1) / grain);
  if (chunks <= 1) {
    body(size_t{0}, count);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (long chunk = 0; chunk < static_cast<long>(chunks); chunk++) {
    size_t begin = count * static_cast<size_t>(chunk) / chunks;
    size_t end = count * (static_cast<size_t>(chunk) + 1) / chunks;
    body(begin, end);
  }
#else
  body(size_t{0}, count);
#endif
}

// Runs body(threadIndex, threads) once on each of `threads` threads (threads <= threadCount()), for kernels that
// share packed buffers between threads and split work themselves.
template <typename Body>
void parallelRegion(int threads, Body&& body) {
  if (threads <= 1) {
    body(0, 1);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
  body(omp_get_thread_num(), omp_get_num_threads());
#else
  body(0, 1);
#endif
}

// Inside parallelRegion's body: waits until every thread of the region has arrived (for phases that share a
// buffer, such as a GEMM's cooperatively packed B block).
inline void regionBarrier() {
#ifdef _OPENMP
#pragma omp barrier
#endif
}

}  // namespace lorakit
