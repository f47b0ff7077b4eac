// Merging a LoRA adapter into its base weight:  W ← W + s·B·A  (W [out, in], B [out, r], A [r, in]); with
// fanInFanOut (GPT-2 style Conv1D weights) W is [in, out] and gains s·(B·A)ᵀ. Each element's Σ_k B·A runs in
// fp64 in k order and W + s·sum is rounded once, as in the reference. Rows of W run in parallel.
#include <vector>

#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

// merge(weight, loraA, loraB, outFeatures, inFeatures, rank, scale, fanInFanOut)
Napi::Value Merge(const Napi::CallbackInfo& info) {
  const char* op = "merge";
  const size_t outFeatures = sizeArg(info, 3, op, "outFeatures"), inFeatures = sizeArg(info, 4, op, "inFeatures");
  const size_t rank = sizeArg(info, 5, op, "rank");
  const double scale = numberArg(info, 6, op, "scale");
  const bool fanInFanOut = boolArg(info, 7, op, "fanInFanOut");
  float* weight = floatArray(info, 0, op, "weight", outFeatures * inFeatures);
  const float* loraA = floatArray(info, 1, op, "loraA", rank * inFeatures);
  const float* loraB = floatArray(info, 2, op, "loraB", outFeatures * rank);
  if (!fanInFanOut) {
    parallelFor(outFeatures, 1 + 65536 / (inFeatures * (rank + 1) + 1), [&](size_t begin, size_t end) {
      std::vector<double> sums(inFeatures);
      for (size_t o = begin; o < end; o++) {
        std::fill(sums.begin(), sums.end(), 0.0);
        for (size_t k = 0; k < rank; k++) {
          const double b = loraB[o * rank + k];
          const float* aRow = loraA + k * inFeatures;
          for (size_t i = 0; i < inFeatures; i++) sums[i] += b * aRow[i];
        }
        float* row = weight + o * inFeatures;
        for (size_t i = 0; i < inFeatures; i++) row[i] = static_cast<float>(row[i] + scale * sums[i]);
      }
    });
    return info.Env().Undefined();
  }
  // W [in, out]: row i gains s·Σ_k A[k, i]·B[:, k]; B is transposed once so the inner loop runs along W's row.
  std::vector<float> bTransposed(rank * outFeatures);
  for (size_t o = 0; o < outFeatures; o++) {
    for (size_t k = 0; k < rank; k++) bTransposed[k * outFeatures + o] = loraB[o * rank + k];
  }
  parallelFor(inFeatures, 1 + 65536 / (outFeatures * (rank + 1) + 1), [&](size_t begin, size_t end) {
    std::vector<double> sums(outFeatures);
    for (size_t i = begin; i < end; i++) {
      std::fill(sums.begin(), sums.end(), 0.0);
      for (size_t k = 0; k < rank; k++) {
        const double a = loraA[k * inFeatures + i];
        const float* bRow = bTransposed.data() + k * outFeatures;
        for (size_t o = 0; o < outFeatures; o++) sums[o] += static_cast<double>(bRow[o]) * a;
      }
      float* row = weight + i * outFeatures;
      for (size_t o = 0; o < outFeatures; o++) row[o] = static_cast<float>(row[o] + scale * sums[o]);
    }
  });
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("merge", Merge)

}  // namespace lorakit
