// The GEMM entry points and the `matmul` op: picks the micro-kernel (AVX-512 6×32 where the CPU has AVX-512F,
// else AVX2 6×16; see matmul-driver.h for the loops), splits the work over threads, and takes the unpacked
// few-rows path (matmul-dot.cc) for small linear layers.
//
// AVX2 block sizes for this family of cores (48 KiB L1d, 2 MiB L2 per core), tuned with dev/matmul.mjs: a 16-wide
// B micro-panel of KC = 384 is 24 KiB (half of L1); an A block of MC × KC = 96 × 384 is 144 KiB; a B block is
// KC × NC ≤ 384 × 2048 (a thread's half of a 2048-wide product, 1.5 MiB, stays in its L2).
#include "matmul.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "matmul-driver.h"
#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {

namespace {

constexpr size_t kMc = 96;
constexpr size_t kKc = 384;
constexpr size_t kNc = 2048;
// Up to this many rows, y = x·Wᵀ skips packing (matmul-dot.cc); the measured crossovers at 2048×2048 weights
// are ≈ 40 rows against the AVX2 kernel and ≈ 24 against the AVX-512 one.
constexpr size_t kDotMaxRowsAvx2 = 40;
constexpr size_t kDotMaxRowsAvx512 = 20;

// C ← beta·C + bias for an empty K (no products to add).
void scaleOnly(const GemmProblem& p) {
  for (size_t i = 0; i < p.m; i++) {
    float* row = p.c + i * p.ldc;
    const WriteBack w{p.alpha, p.beta, p.bias};
    for (size_t j = 0; j < p.n; j++) row[j] = writeBackElement(0.0f, p.beta == 0.0f ? 0.0f : row[j], p.bias ? p.bias[j] : 0.0f, w);
  }
}

// The operand restricted to rows [row0, …) (A) — the segments keep their K ranges.
GemmOperand offsetRows(const GemmOperand& a, size_t row0) {
  GemmOperand result = a;
  for (int s = 0; s < a.count; s++) {
    GemmSegment& segment = result.segments[s];
    segment.data += segment.transposed ? row0 : row0 * segment.ld;
  }
  return result;
}

// The operand restricted to columns [column0, …) (B).
GemmOperand offsetColumns(const GemmOperand& b, size_t column0) {
  GemmOperand result = b;
  for (int s = 0; s < b.count; s++) {
    GemmSegment& segment = result.segments[s];
    segment.data += segment.transposed ? column0 * segment.ld : column0;
  }
  return result;
}

}  // namespace

namespace {

std::atomic<GemmKernel> activeKernel{gemmKernelSupported(GemmKernel::Avx512) ? GemmKernel::Avx512 : GemmKernel::Avx2};

// The kernel for a whole problem, decided before any split so every thread uses the same one: AVX-512 only
// when C is at least one 32-wide panel across (a narrower C, such as a LoRA shrink [T, r ≤ 16], would run
// every tile through the 6×32 edge path).
GemmKernel kernelFor(const GemmProblem& p) {
  return activeKernel.load(std::memory_order_relaxed) == GemmKernel::Avx512 && p.n >= 32 ? GemmKernel::Avx512 : GemmKernel::Avx2;
}

size_t panelWidth(GemmKernel kernel) { return kernel == GemmKernel::Avx512 ? 32 : kGemmNr; }

void gemmSerialWith(const GemmProblem& p, GemmKernel kernel) {
  if (p.m == 0 || p.n == 0) return;
  const size_t k = p.a.totalK();
  if (k == 0) {
    scaleOnly(p);
    return;
  }
  if (kernel == GemmKernel::Avx512) {
    gemmSerialAvx512(p, k);
    return;
  }
  auto full = [](size_t kc, const float* a, const float* b, float* c, size_t ldc, const WriteBack& w) {
    microKernel6x16(kc, a, b, c, ldc, w);
  };
  gemmLoops<kGemmNr>(p, k, GemmBlocking{kMc, kKc, kNc}, full, microKernelEdge);
}

}  // namespace

bool gemmKernelSupported(GemmKernel kernel) {
  if (kernel == GemmKernel::Avx2) return true;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

GemmKernel gemmKernel() { return activeKernel.load(std::memory_order_relaxed); }

bool setGemmKernel(GemmKernel kernel) {
  if (!gemmKernelSupported(kernel)) return false;
  activeKernel.store(kernel, std::memory_order_relaxed);
  return true;
}

void gemmSerial(const GemmProblem& p) { gemmSerialWith(p, kernelFor(p)); }

namespace {

struct Split {
  bool byColumns;
  size_t extent, unit, units;
  int parts;
};

Split splitFor(const GemmProblem& p, int threads, size_t width) {
  // Split the columns (each thread packs its own B columns; A is packed by both) unless n is too narrow, then the
  // rows. Boundaries fall on micro-tile multiples so the tiles are the same as in a one-thread run.
  Split split;
  split.byColumns = p.n >= static_cast<size_t>(threads) * 2 * width || p.n >= p.m;
  split.extent = split.byColumns ? p.n : p.m;
  split.unit = split.byColumns ? width : kGemmMr;
  split.units = (split.extent + split.unit - 1) / split.unit;
  split.parts = static_cast<int>(std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), split.units)));
  return split;
}

}  // namespace

void gemmThreads(const GemmProblem& p, int threads) {
  const size_t k = p.a.totalK();
  const double flops = 2.0 * static_cast<double>(p.m) * static_cast<double>(p.n) * static_cast<double>(k);
  // Below ~1 MFLOP a thread hand-off costs more than it saves.
  const int usable = flops < 1e6 ? 1 : threads;
  const GemmKernel kernel = kernelFor(p);
  const size_t dotMaxRows = kernel == GemmKernel::Avx512 ? kDotMaxRowsAvx512 : kDotMaxRowsAvx2;
  // The unpacked path also takes narrow products with the AVX-512 kernel (a LoRA shrink x·Aᵀ, n = r ≤ 16),
  // which would otherwise pack all of x for a few columns.
  const bool avx512 = activeKernel.load(std::memory_order_relaxed) == GemmKernel::Avx512;
  if ((p.m <= dotMaxRows || (avx512 && p.n <= 16)) && k > 0 && gemmDotApplies(p)) {
    gemmDot(p, usable, avx512);
    return;
  }
  // Enough rows for every thread to own several 6-row tiles: share one packed B per block, split the rows.
  if (usable > 1 && k > 0 && p.m >= static_cast<size_t>(usable) * 4 * kGemmMr) {
    if (kernel == GemmKernel::Avx512) {
      gemmSharedBAvx512(p, k, usable);
    } else {
      auto full = [](size_t kc, const float* a, const float* b, float* c, size_t ldc, const WriteBack& w) {
        microKernel6x16(kc, a, b, c, ldc, w);
      };
      gemmLoopsSharedB<kGemmNr>(p, k, GemmBlocking{kMc, kKc, kNc}, usable, full, microKernelEdge);
    }
    return;
  }
  const Split split = splitFor(p, usable, panelWidth(kernel));
  if (split.parts <= 1) {
    gemmSerialWith(p, kernel);
    return;
  }
  const int parts = split.parts;
  parallelRegion(parts, [&](int index, int count) {
    const size_t begin = std::min(split.extent, split.units * static_cast<size_t>(index) / static_cast<size_t>(count) * split.unit);
    const size_t end = std::min(split.extent, split.units * (static_cast<size_t>(index) + 1) / static_cast<size_t>(count) * split.unit);
    if (begin >= end) return;
    GemmProblem part = p;
    if (split.byColumns) {
      part.n = end - begin;
      part.b = offsetColumns(p.b, begin);
      part.c = p.c + begin;
      if (p.bias) part.bias = p.bias + begin;
    } else {
      part.m = end - begin;
      part.a = offsetRows(p.a, begin);
      part.c = p.c + begin * p.ldc;
    }
    gemmSerialWith(part, kernel);
  });
}

void gemm(const GemmProblem& p) { gemmThreads(p, threadCount()); }

namespace {

// matmul(out, a, b, batch, m, n, k, aBatchStride, bBatchStride, transposeA, transposeB, alpha, beta)
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const char* op = "matmul";
  const size_t batch = sizeArg(info, 3, op, "batch");
  const size_t m = sizeArg(info, 4, op, "m"), n = sizeArg(info, 5, op, "n"), k = sizeArg(info, 6, op, "k");
  const size_t aStride = sizeArg(info, 7, op, "aBatchStride"), bStride = sizeArg(info, 8, op, "bBatchStride");
  if ((aStride != 0 && aStride != m * k) || (bStride != 0 && bStride != k * n)) {
    throwError(info.Env(), "matmul: batch strides must be 0 or the matrix size (native check)");
  }
  float* out = floatArray(info, 0, op, "out", batch * m * n);
  const float* a = floatArray(info, 1, op, "a", aStride ? batch * m * k : m * k);
  const float* b = floatArray(info, 2, op, "b", bStride ? batch * k * n : k * n);
  const bool transposeA = boolArg(info, 9, op, "transposeA"), transposeB = boolArg(info, 10, op, "transposeB");
  const float alpha = static_cast<float>(numberArg(info, 11, op, "alpha"));
  const float beta = static_cast<float>(numberArg(info, 12, op, "beta"));

  auto problemAt = [&](size_t entry) {
    GemmProblem p;
    p.m = m;
    p.n = n;
    p.a = GemmOperand::single(a + entry * aStride, transposeA ? m : k, transposeA, k);
    p.b = GemmOperand::single(b + entry * bStride, transposeB ? k : n, transposeB, k);
    p.c = out + entry * m * n;
    p.ldc = n;
    p.alpha = alpha;
    p.beta = beta;
    return p;
  };
  const int threads = threadCount();
  // Many small matrices (attention-sized batches): one thread per batch entry; otherwise split each product.
  if (batch >= static_cast<size_t>(threads) && 2.0 * m * n * k < 4e6) {
    parallelFor(batch, 1, [&](size_t begin, size_t end) {
      for (size_t entry = begin; entry < end; entry++) gemmSerial(problemAt(entry));
    });
  } else {
    for (size_t entry = 0; entry < batch; entry++) gemmThreads(problemAt(entry), threads);
  }
  return info.Env().Undefined();
}

}  // namespace

// gemmKernel() → 'avx2' | 'avx512'; setGemmKernel(name) → whether the CPU supports it (for tests and benchmarks).
Napi::Value GemmKernelName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemmKernel() == GemmKernel::Avx512 ? "avx512" : "avx2");
}

Napi::Value SetGemmKernel(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throwError(info.Env(), "setGemmKernel: name must be 'avx2' or 'avx512' (native check)");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name != "avx2" && name != "avx512") throwError(info.Env(), "setGemmKernel: name must be 'avx2' or 'avx512' (native check)");
  return Napi::Boolean::New(info.Env(), setGemmKernel(name == "avx512" ? GemmKernel::Avx512 : GemmKernel::Avx2));
}

LORAKIT_NATIVE_OP("matmul", Matmul)
LORAKIT_NATIVE_OP("gemmKernel", GemmKernelName)
LORAKIT_NATIVE_OP("setGemmKernel", SetGemmKernel)

}  // namespace lorakit
