// Fused softmax cross-entropy over the vocabulary, per row t of logits [T, V]:
//   loss_t = logsumexp(x_t) − x_t[target_t]   (0 where target_t = ignoreIndex)
//   dLogits_t = gradScale·(softmax(x_t) − onehot(target_t))   (0 for ignored rows)
// Pass 1 reads the row once with an online max/sum (per lane, rescaled per 64-element block, sums in fp64) and,
// when a gradient is wanted, stores each exp(x − m_block) straight into dLogits; pass 2 rescales those in place
// by exp(m_block − M)/S, so each element costs one exp. x[target] is read first, so dLogits may be logits itself
// (in place): no probability buffer exists besides the gradient.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "napi-args.h"
#include "ops-simd.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

constexpr size_t kBlock = 64;

// Loads up to 8 floats; missing lanes are −inf so they add nothing to the softmax.
inline __m256 loadOrNegativeInfinity(const float* p, size_t count) {
  if (count >= 8) return _mm256_loadu_ps(p);
  alignas(32) float lanes[8];
  for (size_t i = 0; i < 8; i++) lanes[i] = i < count ? p[i] : -std::numeric_limits<float>::infinity();
  return _mm256_load_ps(lanes);
}

inline void storePartial(float* p, __m256 v, size_t count) {
  if (count >= 8) {
    _mm256_storeu_ps(p, v);
    return;
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  for (size_t i = 0; i < count; i++) p[i] = lanes[i];
}

struct RowStatistics {
  float maximum;
  double sum;
};

// When `exps` is given, also stores exp(x − m_block) there (m_block: the lane's running maximum in that block, saved
// in blockMaxima), so the gradient pass only multiplies instead of taking a second exp. exps may be row itself.
RowStatistics logSumExpPass(const float* row, size_t V, float* exps, float* blockMaxima) {
  // Lanes start at the lowest finite value, not −inf, so exp(m_old − m_new) is never exp(−inf + inf).
  __m256 maximum = _mm256_set1_ps(-std::numeric_limits<float>::max());
  __m256d sumLow = _mm256_setzero_pd(), sumHigh = _mm256_setzero_pd();
  for (size_t start = 0; start < V; start += kBlock) {
    const size_t count = std::min(kBlock, V - start);
    __m256 values[kBlock / 8];
    __m256 blockMaximum = maximum;
    const size_t vectors = (count + 7) / 8;
    for (size_t v = 0; v < vectors; v++) {
      values[v] = loadOrNegativeInfinity(row + start + v * 8, count - v * 8);
      blockMaximum = _mm256_max_ps(blockMaximum, values[v]);  // a NaN value becomes the lane's maximum
    }
    __m256 rescale = simd::exp(_mm256_sub_ps(maximum, blockMaximum));
    sumLow = _mm256_mul_pd(sumLow, _mm256_cvtps_pd(_mm256_castps256_ps128(rescale)));
    sumHigh = _mm256_mul_pd(sumHigh, _mm256_cvtps_pd(_mm256_extractf128_ps(rescale, 1)));
    __m256 blockSum = _mm256_setzero_ps();
    for (size_t v = 0; v < vectors; v++) {
      __m256 e = simd::exp(_mm256_sub_ps(values[v], blockMaximum));
      blockSum = _mm256_add_ps(blockSum, e);
      if (exps) storePartial(exps + start + v * 8, e, count - v * 8);
    }
    if (blockMaxima) _mm256_storeu_ps(blockMaxima + start / kBlock * 8, blockMaximum);
    sumLow = _mm256_add_pd(sumLow, _mm256_cvtps_pd(_mm256_castps256_ps128(blockSum)));
    sumHigh = _mm256_add_pd(sumHigh, _mm256_cvtps_pd(_mm256_extractf128_ps(blockSum, 1)));
    maximum = blockMaximum;
  }
  alignas(32) float laneMaximum[8];
  alignas(32) double laneSum[8];
  _mm256_store_ps(laneMaximum, maximum);
  _mm256_store_pd(laneSum, sumLow);
  _mm256_store_pd(laneSum + 4, sumHigh);
  float rowMaximum = laneMaximum[0];
  for (int i = 1; i < 8; i++) rowMaximum = std::max(rowMaximum, laneMaximum[i]);
  double total = 0;
  for (int i = 0; i < 8; i++) {
    if (std::isnan(laneMaximum[i]) || std::isnan(laneSum[i])) return {laneMaximum[i], std::nan("")};
    total += laneSum[i] * std::exp(static_cast<double>(laneMaximum[i]) - rowMaximum);
  }
  return {rowMaximum, total};
}

// crossEntropy(logits, targets, losses, dLogits | null, T, V, ignoreIndex, gradScale)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  const char* op = "crossEntropy";
  Napi::Env env = info.Env();
  const size_t T = sizeArg(info, 4, op, "tokens"), V = sizeArg(info, 5, op, "vocabulary");
  const double ignoreIndex = numberArg(info, 6, op, "ignoreIndex");
  const float gradScale = static_cast<float>(numberArg(info, 7, op, "gradScale"));
  const float* logits = floatArray(info, 0, op, "logits", T * V);
  const int32_t* targets = intArray(info, 1, op, "targets", T);
  float* losses = floatArray(info, 2, op, "losses", T);
  float* dLogits = optionalFloatArray(info, 3, op, "dLogits", T * V);
  for (size_t t = 0; t < T; t++) {
    if (targets[t] != ignoreIndex && (targets[t] < 0 || static_cast<size_t>(targets[t]) >= V)) {
      throwError(env, std::string(op) + ": targets[" + std::to_string(t) + "] = " + std::to_string(targets[t]) +
                          " is out of range [0, " + std::to_string(V) + ") and is not the ignore index (native check)");
    }
  }
  const size_t blocks = (V + kBlock - 1) / kBlock;
  parallelFor(T, 1 + 65536 / (V + 1), [&](size_t begin, size_t end) {
    std::vector<float> blockMaxima(dLogits ? blocks * 8 : 0);
    for (size_t t = begin; t < end; t++) {
      const float* row = logits + t * V;
      float* gradient = dLogits ? dLogits + t * V : nullptr;
      if (targets[t] == ignoreIndex) {
        losses[t] = 0;
        if (gradient) std::fill(gradient, gradient + V, 0.0f);
        continue;
      }
      const size_t target = static_cast<size_t>(targets[t]);
      const double targetLogit = row[target];  // read before an in-place gradient overwrites it
      RowStatistics statistics = logSumExpPass(row, V, gradient, gradient ? blockMaxima.data() : nullptr);
      const double logSumExp = statistics.maximum + std::log(statistics.sum);
      losses[t] = static_cast<float>(logSumExp - targetLogit);
      if (!gradient) continue;
      // gradient holds exp(x − m_block) per lane: scale each block by exp(m_block − M)·gradScale/S.
      const __m256 shift = _mm256_set1_ps(statistics.maximum);
      const __m256 factor = _mm256_set1_ps(static_cast<float>(gradScale / statistics.sum));
      for (size_t b = 0; b < blocks; b++) {
        const __m256 blockMaximum = _mm256_loadu_ps(blockMaxima.data() + b * 8);
        const __m256 blockFactor = _mm256_mul_ps(simd::exp(_mm256_sub_ps(blockMaximum, shift)), factor);
        const size_t start = b * kBlock, count = std::min(kBlock, V - start);
        for (size_t v = 0; v * 8 < count; v++) {
          float* p = gradient + start + v * 8;
          const size_t lanes = std::min<size_t>(8, count - v * 8);
          if (lanes == 8) {
            _mm256_storeu_ps(p, _mm256_mul_ps(_mm256_loadu_ps(p), blockFactor));
          } else {
            alignas(32) float scaled[8], current[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (size_t i = 0; i < lanes; i++) current[i] = p[i];
            _mm256_store_ps(scaled, _mm256_mul_ps(_mm256_load_ps(current), blockFactor));
            for (size_t i = 0; i < lanes; i++) p[i] = scaled[i];
          }
        }
      }
      // The target's term in fp64, from the saved logit: gradScale·(p − 1) loses nothing to cancellation.
      gradient[target] = static_cast<float>(gradScale * (std::exp(targetLogit - logSumExp) - 1.0));
    }
  });
  return env.Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("crossEntropy", CrossEntropy)

}  // namespace lorakit
