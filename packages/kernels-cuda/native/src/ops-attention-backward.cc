// Causal grouped-query attention, backward, recomputing the probabilities from the saved logSumExp (no [T, T]
// buffer):  P_j = exp(scale·q_t·k_j − lse_t),  δ_t = dOut_t·out_t,  dS_j = P_j·(dOut_t·v_j − δ_t),
//   dq_t = scale·Σ_j dS_j·k_j,   dk_j = scale·Σ_{t, heads of the group} dS_j·q_t,   dv_j = Σ_{t, heads} P_j·dOut_t.
// One task is one (batch, kv head) with its whole query group, so every dq/dk/dv row has one writer and sums in a
// fixed order (same result for any thread count). Per key block of 64 and query block of 48 rows it recomputes
// S, P and dP with the tile products of ops-attention-tiles.h. Parallelism is B·Hkv tasks.
#include <cmath>
#include <vector>

#include "napi-args.h"
#include "ops-attention-shape.h"
#include "ops-attention-tiles.h"
#include "ops-simd.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

constexpr size_t kQueryBlock = 48;
constexpr size_t kKeyBlock = 64;

struct Arrays {
  const float *dOut, *q, *k, *v, *out, *logSumExp;
  float *dq, *dk, *dv;
};

struct BackwardScratch {
  size_t Dp, T, keyBlocks;
  // Per kv head: keys row-major [T][Dp], keys and values transposed per key block [keyBlocks][Dp][64], dk/dv sums.
  std::vector<float> keys, keysTransposed, valuesTransposed, dKeys, dValues;
  // Per query head: q, dOut [T][Dp], dq sums, lse, δ; per block: probabilities and dP / dS.
  std::vector<float> queries, dOuts, dQueries, lse, delta, probabilities, dScores;
  BackwardScratch(size_t paddedDim, size_t tokens)
      : Dp(paddedDim),
        T(tokens),
        keyBlocks((tokens + kKeyBlock - 1) / kKeyBlock),
        keys(tokens * paddedDim),
        keysTransposed(keyBlocks * paddedDim * kKeyBlock),
        valuesTransposed(keyBlocks * paddedDim * kKeyBlock),
        dKeys(tokens * paddedDim),
        dValues(tokens * paddedDim),
        queries(tokens * paddedDim),
        dOuts(tokens * paddedDim),
        dQueries(tokens * paddedDim),
        lse(tokens),
        delta(tokens),
        probabilities(kQueryBlock * kKeyBlock),
        dScores(kQueryBlock * kKeyBlock) {}
};

// P (in place over S) and dS = scale·P·(dP − δ) for one block; masked and padded columns get 0.
void probabilitiesAndScoreGradients(float* p, float* dS, size_t rows, size_t paddedWidth, size_t t0, size_t s0,
                                    size_t width, float scale, const float* lse, const float* delta) {
  const __m256 lanes = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  for (size_t i = 0; i < rows; i++) {
    const size_t t = t0 + i;
    const size_t valid = t < s0 ? 0 : std::min(width, t - s0 + 1);
    const __m256 validCount = _mm256_set1_ps(static_cast<float>(valid));
    const __m256 shift = _mm256_set1_ps(lse[t]), deltaRow = _mm256_set1_ps(delta[t]);
    const __m256 scaleVector = _mm256_set1_ps(scale);
    float* pRow = p + i * kKeyBlock;
    float* dRow = dS + i * kKeyBlock;
    for (size_t j = 0; j < paddedWidth; j += 8) {
      __m256 column = _mm256_add_ps(lanes, _mm256_set1_ps(static_cast<float>(j)));
      __m256 masked = _mm256_cmp_ps(column, validCount, _CMP_GE_OQ);
      __m256 prob = simd::exp(_mm256_fmsub_ps(_mm256_loadu_ps(pRow + j), scaleVector, shift));
      prob = _mm256_blendv_ps(prob, _mm256_setzero_ps(), masked);
      __m256 grad = _mm256_mul_ps(_mm256_mul_ps(prob, _mm256_sub_ps(_mm256_loadu_ps(dRow + j), deltaRow)), scaleVector);
      _mm256_storeu_ps(pRow + j, prob);
      _mm256_storeu_ps(dRow + j, _mm256_blendv_ps(grad, _mm256_setzero_ps(), masked));
    }
  }
}

void backwardGroup(const attention::Shape& shape, const Arrays& a, size_t b, size_t g, BackwardScratch& s) {
  const size_t T = shape.tokens, D = shape.headDim, Dp = s.Dp, Hq = shape.queryHeads, Hkv = shape.keyValueHeads;
  tiles::packRows(s.keys.data(), T, Dp, a.k + shape.offset(b, 0, g, Hkv), T, D, Hkv * D);
  for (size_t kb = 0; kb < s.keyBlocks; kb++) {
    const size_t s0 = kb * kKeyBlock, width = std::min(kKeyBlock, T - s0);
    tiles::packTransposed(s.keysTransposed.data() + kb * Dp * kKeyBlock, kKeyBlock, Dp,
                          a.k + shape.offset(b, s0, g, Hkv), width, D, Hkv * D);
    tiles::packTransposed(s.valuesTransposed.data() + kb * Dp * kKeyBlock, kKeyBlock, Dp,
                          a.v + shape.offset(b, s0, g, Hkv), width, D, Hkv * D);
  }
  std::fill(s.dKeys.begin(), s.dKeys.end(), 0.0f);
  std::fill(s.dValues.begin(), s.dValues.end(), 0.0f);
  for (size_t h = g * shape.group; h < (g + 1) * shape.group; h++) {
    tiles::packRows(s.queries.data(), T, Dp, a.q + shape.offset(b, 0, h, Hq), T, D, Hq * D);
    tiles::packRows(s.dOuts.data(), T, Dp, a.dOut + shape.offset(b, 0, h, Hq), T, D, Hq * D);
    std::fill(s.dQueries.begin(), s.dQueries.end(), 0.0f);
    for (size_t t = 0; t < T; t++) {
      s.lse[t] = a.logSumExp[(b * Hq + h) * T + t];
      const float* outRow = a.out + shape.offset(b, t, h, Hq);
      s.delta[t] = static_cast<float>(simd::dotDouble(a.dOut + shape.offset(b, t, h, Hq), outRow, D));
    }
    for (size_t kb = 0; kb < s.keyBlocks; kb++) {
      const size_t s0 = kb * kKeyBlock, width = std::min(kKeyBlock, T - s0), paddedWidth = tiles::roundUp8(width);
      const float* keysT = s.keysTransposed.data() + kb * Dp * kKeyBlock;
      const float* valuesT = s.valuesTransposed.data() + kb * Dp * kKeyBlock;
      for (size_t t0 = s0 / kQueryBlock * kQueryBlock; t0 < T; t0 += kQueryBlock) {
        const size_t rows = std::min(kQueryBlock, T - t0);
        const float* qRows = s.queries.data() + t0 * Dp;
        const float* dORows = s.dOuts.data() + t0 * Dp;
        // S = Q·Kᵀ and dP = dOut·Vᵀ for the block, then P and dS in place.
        tiles::multiply(rows, paddedWidth, Dp, tiles::rowMajor(qRows, Dp), keysT, kKeyBlock, s.probabilities.data(),
                        kKeyBlock, false);
        tiles::multiply(rows, paddedWidth, Dp, tiles::rowMajor(dORows, Dp), valuesT, kKeyBlock, s.dScores.data(),
                        kKeyBlock, false);
        probabilitiesAndScoreGradients(s.probabilities.data(), s.dScores.data(), rows, paddedWidth, t0, s0, width,
                                       shape.scale, s.lse.data(), s.delta.data());
        // dV += Pᵀ·dOut, dK += dSᵀ·Q, dQ += dS·K.
        tiles::multiply(width, Dp, rows, tiles::transposed(s.probabilities.data(), kKeyBlock), dORows, Dp,
                        s.dValues.data() + s0 * Dp, Dp, true);
        tiles::multiply(width, Dp, rows, tiles::transposed(s.dScores.data(), kKeyBlock), qRows, Dp,
                        s.dKeys.data() + s0 * Dp, Dp, true);
        tiles::multiply(rows, Dp, width, tiles::rowMajor(s.dScores.data(), kKeyBlock), s.keys.data() + s0 * Dp, Dp,
                        s.dQueries.data() + t0 * Dp, Dp, true);
      }
    }
    for (size_t t = 0; t < T; t++) {
      std::copy_n(s.dQueries.data() + t * Dp, D, a.dq + shape.offset(b, t, h, Hq));
    }
  }
  for (size_t t = 0; t < T; t++) {
    std::copy_n(s.dKeys.data() + t * Dp, D, a.dk + shape.offset(b, t, g, Hkv));
    std::copy_n(s.dValues.data() + t * Dp, D, a.dv + shape.offset(b, t, g, Hkv));
  }
}

// attentionBackward(dOut, q, k, v, out, logSumExp, dq, dk, dv, B, T, Hq, Hkv, D, scale)
Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  const char* op = "attentionBackward";
  attention::Shape shape = attention::readShape(info, 9, op);
  const size_t B = shape.batch, T = shape.tokens, D = shape.headDim;
  const size_t querySize = B * T * shape.queryHeads * D, keySize = B * T * shape.keyValueHeads * D;
  Arrays a{};
  a.dOut = floatArray(info, 0, op, "dOut", querySize);
  a.q = floatArray(info, 1, op, "q", querySize);
  a.k = floatArray(info, 2, op, "k", keySize);
  a.v = floatArray(info, 3, op, "v", keySize);
  a.out = floatArray(info, 4, op, "out", querySize);
  a.logSumExp = floatArray(info, 5, op, "logSumExp", B * shape.queryHeads * T);
  a.dq = floatArray(info, 6, op, "dq", querySize);
  a.dk = floatArray(info, 7, op, "dk", keySize);
  a.dv = floatArray(info, 8, op, "dv", keySize);
  const size_t tasks = B * shape.keyValueHeads;
  if (T == 0 || D == 0) return info.Env().Undefined();
  parallelFor(tasks, 1, [&](size_t begin, size_t end) {
    BackwardScratch scratch(tiles::roundUp8(D), T);
    for (size_t task = begin; task < end; task++) {
      backwardGroup(shape, a, task / shape.keyValueHeads, task % shape.keyValueHeads, scratch);
    }
  });
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("attentionBackward", AttentionBackward)

}  // namespace lorakit
