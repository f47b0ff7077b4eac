// The fused LoRA linear layer, forward and backward, on the GEMM of matmul.cc.
//
// Forward, with x̃ = dropout(x):  shrink = x̃·Aᵀ [T, r]  (a thin GEMM), then ONE GEMM with concatenated K:
//   y = [x | s·shrink] · [W | B]ᵀ + b       (K' = in + r; the packing reads the two parts from their own arrays)
// so the expand costs r more K columns of the base product instead of a second pass over y.
//
// Backward, with g = dy·B [T, r]:
//   dx = [dy | s·g] · [W ; A]            one GEMM with K' = out + r when there is no dropout; with dropout the
//                                         mask applies to the adapter term only: dx ← s·(g·A)⊙m, then dx += dy·W
//   dA = s·gᵀ·x̃,  dB = s·dyᵀ·shrink,   dW = dyᵀ·x and db = Σ_t dy only when asked (full fine-tuning).
#include <cstring>

#include "lora-dropout.h"
#include "lora-scratch.h"
#include "matmul.h"
#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {

namespace {

// out = op(a)·op(b) with both operands single arrays (the small LoRA products).
GemmProblem product(size_t m, size_t n, size_t k, const float* a, bool transposeA, const float* b, bool transposeB,
                    float* c, float alpha, float beta) {
  GemmProblem p;
  p.m = m;
  p.n = n;
  p.a = GemmOperand::single(a, transposeA ? m : k, transposeA, k);
  p.b = GemmOperand::single(b, transposeB ? k : n, transposeB, k);
  p.c = c;
  p.ldc = n;
  p.alpha = alpha;
  p.beta = beta;
  return p;
}

// dropout(x) into scratch, or x itself without dropout.
const float* droppedInput(const float* x, size_t tokens, size_t in, const DropoutMask& mask) {
  if (!mask.active) return x;
  float* dropped = loraScratch(ScratchSlot::Dropped, tokens * in);
  parallelFor(tokens, 16, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) mask.applyRow(x + t * in, dropped + t * in, in, static_cast<uint64_t>(t) * in);
  });
  return dropped;
}

// loraLinearForward(x, weight, bias, loraA, loraB, out, shrink, tokens, in, out, rank, scale, p, seed)
Napi::Value LoraLinearForward(const Napi::CallbackInfo& info) {
  const char* op = "loraLinearForward";
  const size_t tokens = sizeArg(info, 7, op, "tokens"), in = sizeArg(info, 8, op, "inFeatures");
  const size_t outFeatures = sizeArg(info, 9, op, "outFeatures"), rank = sizeArg(info, 10, op, "rank");
  const float scale = static_cast<float>(numberArg(info, 11, op, "scale"));
  const DropoutMask mask(numberArg(info, 12, op, "dropoutProbability"), numberArg(info, 13, op, "dropoutSeed"));
  const float* x = floatArray(info, 0, op, "x", tokens * in);
  const float* weight = floatArray(info, 1, op, "weight", outFeatures * in);
  const float* bias = optionalFloatArray(info, 2, op, "bias", outFeatures);
  const float* loraA = rank ? floatArray(info, 3, op, "loraA", rank * in) : nullptr;
  const float* loraB = rank ? floatArray(info, 4, op, "loraB", outFeatures * rank) : nullptr;
  float* out = floatArray(info, 5, op, "out", tokens * outFeatures);
  float* shrink = rank ? optionalFloatArray(info, 6, op, "shrink", tokens * rank) : nullptr;

  GemmProblem main;
  main.m = tokens;
  main.n = outFeatures;
  main.a = GemmOperand::single(x, in, false, in);
  main.b = GemmOperand::single(weight, in, true, in);
  main.c = out;
  main.ldc = outFeatures;
  main.bias = bias;
  if (rank > 0 && tokens > 0) {
    if (!shrink) shrink = loraScratch(ScratchSlot::Shrink, tokens * rank);
    gemm(product(tokens, rank, in, droppedInput(x, tokens, in, mask), false, loraA, true, shrink, 1.0f, 0.0f));
    if (scale != 0.0f) {
      main.a.append(shrink, rank, false, rank, scale);
      main.b.append(loraB, rank, true, rank, 1.0f);
    }
  }
  gemm(main);
  return info.Env().Undefined();
}

// Σ_t dy[t, :] into dBias (added when accumulate), per column in token order (thread-count independent).
void biasGradient(const float* dy, float* dBias, size_t tokens, size_t outFeatures, bool accumulate) {
  parallelFor((outFeatures + 63) / 64, 4, [&](size_t begin, size_t end) {
    for (size_t block = begin; block < end; block++) {
      const size_t first = block * 64, count = std::min<size_t>(64, outFeatures - first);
      float sums[64] = {};
      for (size_t t = 0; t < tokens; t++) {
        const float* row = dy + t * outFeatures + first;
        for (size_t o = 0; o < count; o++) sums[o] += row[o];
      }
      for (size_t o = 0; o < count; o++) dBias[first + o] = accumulate ? dBias[first + o] + sums[o] : sums[o];
    }
  });
}

// loraLinearBackward(dy, x, weight, loraA, loraB, shrink, dx, dA, dB, dWeight, dBias,
//                    tokens, in, out, rank, scale, p, seed, accumulate)
Napi::Value LoraLinearBackward(const Napi::CallbackInfo& info) {
  const char* op = "loraLinearBackward";
  const size_t tokens = sizeArg(info, 11, op, "tokens"), in = sizeArg(info, 12, op, "inFeatures");
  const size_t outFeatures = sizeArg(info, 13, op, "outFeatures"), rank = sizeArg(info, 14, op, "rank");
  const float scale = static_cast<float>(numberArg(info, 15, op, "scale"));
  const DropoutMask mask(numberArg(info, 16, op, "dropoutProbability"), numberArg(info, 17, op, "dropoutSeed"));
  const bool accumulate = boolArg(info, 18, op, "accumulate");
  const float beta = accumulate ? 1.0f : 0.0f;
  const float* dy = floatArray(info, 0, op, "dy", tokens * outFeatures);
  const float* x = floatArray(info, 1, op, "x", tokens * in);
  const float* weight = floatArray(info, 2, op, "weight", outFeatures * in);
  const float* loraA = rank ? floatArray(info, 3, op, "loraA", rank * in) : nullptr;
  const float* loraB = rank ? floatArray(info, 4, op, "loraB", outFeatures * rank) : nullptr;
  const float* shrink = rank ? optionalFloatArray(info, 5, op, "shrink", tokens * rank) : nullptr;
  float* dx = optionalFloatArray(info, 6, op, "dx", tokens * in);
  float* dA = rank ? optionalFloatArray(info, 7, op, "dA", rank * in) : nullptr;
  float* dB = rank ? optionalFloatArray(info, 8, op, "dB", outFeatures * rank) : nullptr;
  float* dWeight = optionalFloatArray(info, 9, op, "dWeight", outFeatures * in);
  float* dBias = optionalFloatArray(info, 10, op, "dBias", outFeatures);
  if (dB && !shrink) throwError(info.Env(), "loraLinearBackward: dB needs the shrink saved by the forward (native check)");

  // g = dy·B [T, r], needed by dx and dA.
  float* g = nullptr;
  if (rank > 0 && (dx || dA)) {
    g = loraScratch(ScratchSlot::Gradient, tokens * rank);
    gemm(product(tokens, rank, outFeatures, dy, false, loraB, false, g, 1.0f, 0.0f));
  }
  if (dx) {
    GemmProblem p = product(tokens, in, outFeatures, dy, false, weight, false, dx, 1.0f, 0.0f);
    if (g && scale != 0.0f) {
      if (!mask.active) {
        p.a.append(g, rank, false, rank, scale);
        p.b.append(loraA, in, false, rank, 1.0f);
      } else {
        gemm(product(tokens, in, rank, g, false, loraA, false, dx, scale, 0.0f));
        parallelFor(tokens, 16, [&](size_t begin, size_t end) {
          for (size_t t = begin; t < end; t++) mask.applyRow(dx + t * in, dx + t * in, in, static_cast<uint64_t>(t) * in);
        });
        p.beta = 1.0f;
      }
    }
    gemm(p);
  }
  if (dA) {
    // dA = s·gᵀ·x̃: gᵀ is g [T, r] read transposed.
    gemm(product(rank, in, tokens, g, true, droppedInput(x, tokens, in, mask), false, dA, scale, beta));
  }
  if (dB) gemm(product(outFeatures, rank, tokens, dy, true, shrink, false, dB, scale, beta));
  if (dWeight) gemm(product(outFeatures, in, tokens, dy, true, x, false, dWeight, 1.0f, beta));
  if (dBias) biasGradient(dy, dBias, tokens, outFeatures, accumulate);
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("loraLinearForward", LoraLinearForward)
LORAKIT_NATIVE_OP("loraLinearBackward", LoraLinearBackward)

}  // namespace lorakit
