// Single-precision GEMM, BLIS/GotoBLAS style: C = alpha·op(A)·op(B) + beta·C (+ bias per column).
//
// Operands are "K-segmented": the K dimension may be the concatenation of up to two stored matrices, each with its
// own pointer, leading dimension, layout and scale. The fused LoRA ops use this to run y = [x | s·shrink]·[W | B]ᵀ
// as one GEMM with K' = in + r, so the adapter's expand costs r extra K columns instead of a second product.
//
// Layout: row-major. For A (logical [m, k]) a segment is stored [m, ld] (not transposed) or [k, ld] (transposed:
// element (i, k) at data[k·ld + i]). For B (logical [k, n]) a segment is stored [k, ld] (element (k, j) at
// data[k·ld + j]) or, transposed, [n, ld] (element (k, j) at data[j·ld + k]: PyTorch's weight layout).
#pragma once

#include <cstddef>

namespace lorakit {

struct GemmSegment {
  const float* data = nullptr;
  size_t ld = 0;
  bool transposed = false;
  // Multiplies every element while packing (s·shrink); 1 for plain operands.
  float scale = 1.0f;
  // Length of this segment along K.
  size_t k = 0;
};

struct GemmOperand {
  GemmSegment segments[2];
  int count = 0;

  static GemmOperand single(const float* data, size_t ld, bool transposed, size_t k) {
    GemmOperand operand;
    operand.segments[0] = GemmSegment{data, ld, transposed, 1.0f, k};
    operand.count = 1;
    return operand;
  }
  GemmOperand& append(const float* data, size_t ld, bool transposed, size_t k, float scale) {
    segments[count++] = GemmSegment{data, ld, transposed, scale, k};
    return *this;
  }
  size_t totalK() const {
    size_t k = 0;
    for (int s = 0; s < count; s++) k += segments[s].k;
    return k;
  }
};

struct GemmProblem {
  size_t m = 0, n = 0;
  GemmOperand a;  // logical [m, k]
  GemmOperand b;  // logical [k, n]
  float* c = nullptr;
  size_t ldc = 0;
  float alpha = 1.0f;
  // beta = 0 ignores C's old values (NaN included), as BLAS does.
  float beta = 0.0f;
  // Added to every row of C (length n), or null.
  const float* bias = nullptr;
};

// The micro-kernel the packed GEMM uses: AVX-512 (6×32) by default where the CPU has AVX-512F, else AVX2 (6×16).
// Results differ between the two in the last bits (different K blocking), never with the thread count.
enum class GemmKernel { Avx2, Avx512 };
bool gemmKernelSupported(GemmKernel kernel);
GemmKernel gemmKernel();
// Returns false (and changes nothing) when the CPU lacks the kernel's instructions.
bool setGemmKernel(GemmKernel kernel);

// Runs on the calling thread only.
void gemmSerial(const GemmProblem& problem);

// Splits the problem over the ops' threads (columns, or rows when n is narrow); the result does not depend on
// the thread count (every element is summed in the same order).
void gemm(const GemmProblem& problem);

// Splits over at most `threads` threads.
void gemmThreads(const GemmProblem& problem, int threads);

// The unpacked few-rows path (matmul-dot.cc): applies when every K segment has A row-major and B transposed
// (a linear layer y = x·Wᵀ); gemmThreads uses it for small m, where packing B would cost more than it saves.
bool gemmDotApplies(const GemmProblem& problem);
void gemmDot(const GemmProblem& problem, int threads, bool avx512);
// One block of C on the calling thread: rows [row0, row1) × columns [column0, column1).
void dotBlockAvx2(const GemmProblem& problem, size_t row0, size_t row1, size_t column0, size_t column1);
void dotBlockAvx512(const GemmProblem& problem, size_t row0, size_t row1, size_t column0, size_t column1);

}  // namespace lorakit
