// The GEMM's loop nest (GotoBLAS/BLIS order), shared by the AVX2 (6×16) and AVX-512 (6×32) micro-kernels:
//
//   for jc in n by NC:                 B block (KC × NC) packed once, reused by every row block
//     for pc in K by KC:               K blocks: the first applies beta and the bias, later ones add
//       pack B[pc, jc]
//       for ic in m by MC:             A block (MC × KC) packed, stays in L2
//         pack A[ic, pc]
//         for jr in NC by Nr:          B micro-panel (KC × Nr) stays in L1 ...
//           for ir in MC by 6:         ... while A micro-panels stream through it
//             micro-kernel (full tile) or edge kernel (scratch tile, then write-back)
//
// K is cut into equal blocks of about KC (rounded up to 8), so no block is a thin remainder; the blocking
// depends only on K, so every element is summed in the same order whatever the thread split.
#pragma once

#include <algorithm>
#include <cstddef>

#include "matmul-kernel.h"
#include "matmul-pack.h"
#include "matmul.h"
#include "thread-pool.h"

namespace lorakit {

struct GemmBlocking {
  size_t mc, kc, nc;
};

// Full(kc, packedA, packedB, c, ldc, writeBack) computes a 6×Nr tile; Edge(…, rows, columns, writeBack) a partial one.
template <size_t Nr, typename Full, typename Edge>
void gemmLoops(const GemmProblem& p, size_t k, const GemmBlocking& blocking, Full&& full, Edge&& edge) {
  // Blocks may exceed KC by an eighth: K = 2048 + r (a LoRA GEMM with concatenated K) then keeps the 2048's
  // block count instead of adding a whole extra pass over C for r columns.
  const size_t kcStretched = blocking.kc + blocking.kc / 8;
  const size_t kBlocks = (k + kcStretched - 1) / kcStretched;
  const size_t kcNominal = std::min(k, ((k + kBlocks - 1) / kBlocks + 7) / 8 * 8);
  const size_t mcMax = std::min(blocking.mc, (p.m + kGemmMr - 1) / kGemmMr * kGemmMr);
  const size_t ncMax = std::min(blocking.nc, (p.n + Nr - 1) / Nr * Nr);
  float* packedA = packScratch(0, mcMax * kcNominal + 16);
  float* packedB = packScratch(1, ncMax * kcNominal + 16);
  for (size_t jc = 0; jc < p.n; jc += blocking.nc) {
    const size_t nc = std::min(blocking.nc, p.n - jc);
    for (size_t pc = 0; pc < k; pc += kcNominal) {
      const size_t kc = std::min(kcNominal, k - pc);
      const bool first = pc == 0;
      packB(p.b, pc, kc, jc, nc, packedB, Nr);
      for (size_t ic = 0; ic < p.m; ic += blocking.mc) {
        const size_t mc = std::min(blocking.mc, p.m - ic);
        packA(p.a, ic, mc, pc, kc, packedA);
        for (size_t jr = 0; jr < nc; jr += Nr) {
          const size_t nr = std::min(Nr, nc - jr);
          const float* bPanel = packedB + jr * kc;
          const WriteBack w{p.alpha, first ? p.beta : 1.0f, first && p.bias ? p.bias + jc + jr : nullptr};
          for (size_t ir = 0; ir < mc; ir += kGemmMr) {
            const size_t mr = std::min(kGemmMr, mc - ir);
            float* c = p.c + (ic + ir) * p.ldc + jc + jr;
            if (mr == kGemmMr && nr == Nr) {
              full(kc, packedA + ir * kc, bPanel, c, p.ldc, w);
            } else {
              edge(kc, packedA + ir * kc, bPanel, c, p.ldc, mr, nr, w);
            }
          }
        }
      }
    }
  }
}

// The threaded form of gemmLoops: within each (jc, pc) block the `threads` threads pack the shared B block
// together (each a contiguous run of its Nr panels, then a barrier), and each then packs its own A blocks and
// computes its own rows of C (a contiguous range cut on 6-row boundaries) against that one packed B, so B is
// packed once and read from the shared cache by every core. Tiles, K blocks and summation order are those of a
// one-thread run, so results are bit-identical whatever the thread count.
template <size_t Nr, typename Full, typename Edge>
void gemmLoopsSharedB(const GemmProblem& p, size_t k, const GemmBlocking& blocking, int threads, Full&& full,
                      Edge&& edge) {
  const size_t kcStretched = blocking.kc + blocking.kc / 8;
  const size_t kBlocks = (k + kcStretched - 1) / kcStretched;
  const size_t kcNominal = std::min(k, ((k + kBlocks - 1) / kBlocks + 7) / 8 * 8);
  const size_t ncMax = std::min(blocking.nc, (p.n + Nr - 1) / Nr * Nr);
  // The calling thread becomes thread 0 of the region; its B scratch holds the two shared blocks, alternated so
  // that one barrier per block suffices (a thread packing block i + 1 has passed block i's barrier, so every
  // thread has finished computing block i − 1, the last reader of that buffer).
  const size_t blockFloats = (ncMax * kcNominal + 16 + 15) / 16 * 16;
  float* packedBuffers = packScratch(1, 2 * blockFloats);
  const size_t rowUnits = (p.m + kGemmMr - 1) / kGemmMr;
  parallelRegion(threads, [&](int index, int count) {
    const size_t self = static_cast<size_t>(index), parts = static_cast<size_t>(count);
    const size_t rowBegin = std::min(p.m, rowUnits * self / parts * kGemmMr);
    const size_t rowEnd = std::min(p.m, rowUnits * (self + 1) / parts * kGemmMr);
    const size_t mcMax = std::min(blocking.mc, (p.m + kGemmMr - 1) / kGemmMr * kGemmMr);
    float* packedA = packScratch(0, mcMax * kcNominal + 16);
    size_t block = 0;
    for (size_t jc = 0; jc < p.n; jc += blocking.nc) {
      const size_t nc = std::min(blocking.nc, p.n - jc);
      const size_t panels = (nc + Nr - 1) / Nr;
      const size_t panelBegin = panels * self / parts, panelEnd = panels * (self + 1) / parts;
      for (size_t pc = 0; pc < k; pc += kcNominal) {
        const size_t kc = std::min(kcNominal, k - pc);
        const bool first = pc == 0;
        float* packedB = packedBuffers + (block++ % 2) * blockFloats;
        if (panelBegin < panelEnd) {
          const size_t column0 = panelBegin * Nr;
          packB(p.b, pc, kc, jc + column0, std::min(nc, panelEnd * Nr) - column0, packedB + column0 * kc, Nr);
        }
        regionBarrier();
        for (size_t ic = rowBegin; ic < rowEnd; ic += blocking.mc) {
          const size_t mc = std::min(blocking.mc, rowEnd - ic);
          packA(p.a, ic, mc, pc, kc, packedA);
          for (size_t jr = 0; jr < nc; jr += Nr) {
            const size_t nr = std::min(Nr, nc - jr);
            const float* bPanel = packedB + jr * kc;
            const WriteBack w{p.alpha, first ? p.beta : 1.0f, first && p.bias ? p.bias + jc + jr : nullptr};
            for (size_t ir = 0; ir < mc; ir += kGemmMr) {
              const size_t mr = std::min(kGemmMr, mc - ir);
              float* c = p.c + (ic + ir) * p.ldc + jc + jr;
              if (mr == kGemmMr && nr == Nr) {
                full(kc, packedA + ir * kc, bPanel, c, p.ldc, w);
              } else {
                edge(kc, packedA + ir * kc, bPanel, c, p.ldc, mr, nr, w);
              }
            }
          }
        }
      }
    }
  });
}

// The AVX-512 path (matmul-avx512.cc): same loops with a 6×32 kernel; only called when the CPU has AVX-512F.
void gemmSerialAvx512(const GemmProblem& p, size_t k);
void gemmSharedBAvx512(const GemmProblem& p, size_t k, int threads);

}  // namespace lorakit
