// AdamW (torch.optim.AdamW, decoupled weight decay), in place, per element in fp64 like the reference
// (src/reference/optimizer.ts), with the same operation order and no fused multiply-adds, so param, m and v match
// it bit for bit:
//   m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g·g;   p ← p·decay − (stepSize·m) / (√v / correctionRoot + eps)
// decay = 1 − lr·wd, stepSize = lr/(1 − β1^t) and correctionRoot = √(1 − β2^t) come from the caller (computed once
// in TypeScript, exactly as the reference does).
#include <cmath>

#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

struct AdamWConstants {
  double beta1, beta2, eps, stepSize, correctionRoot, decay;
};

// fp-contract=off: a fused multiply-add would round differently from the reference's separate steps.
__attribute__((optimize("fp-contract=off"))) void adamwRange(float* param, const float* grad, float* m, float* v,
                                                            size_t begin, size_t end, const AdamWConstants& c) {
  const double oneMinusBeta1 = 1 - c.beta1, oneMinusBeta2 = 1 - c.beta2;
  for (size_t i = begin; i < end; i++) {
    const double g = grad[i];
    const double first = c.beta1 * m[i] + oneMinusBeta1 * g;
    const double second = c.beta2 * v[i] + oneMinusBeta2 * g * g;
    m[i] = static_cast<float>(first);
    v[i] = static_cast<float>(second);
    const double denominator = std::sqrt(second) / c.correctionRoot + c.eps;
    param[i] = static_cast<float>(param[i] * c.decay - (c.stepSize * first) / denominator);
  }
}

// adamw(param, grad, m, v, size, beta1, beta2, eps, stepSize, correctionRoot, decay)
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  const char* op = "adamw";
  const size_t n = sizeArg(info, 4, op, "size");
  float* param = floatArray(info, 0, op, "param", n);
  const float* grad = floatArray(info, 1, op, "grad", n);
  float* m = floatArray(info, 2, op, "m", n);
  float* v = floatArray(info, 3, op, "v", n);
  AdamWConstants constants{numberArg(info, 5, op, "beta1"),    numberArg(info, 6, op, "beta2"),
                           numberArg(info, 7, op, "eps"),      numberArg(info, 8, op, "stepSize"),
                           numberArg(info, 9, op, "correctionRoot"), numberArg(info, 10, op, "decay")};
  parallelFor(n, 16384, [&](size_t begin, size_t end) { adamwRange(param, grad, m, v, begin, end, constants); });
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("adamw", AdamW)

}  // namespace lorakit
