// Causal grouped-query attention, forward (flash-attention style, never materialising [T, T]):
//   for batch b, query head h (kv head g = ⌊h/group⌋), query t:
//   s_j = scale·q_t·k_j (j ≤ t),  out_t = Σ_j softmax(s)_j·v_j,  logSumExp_t = log Σ_j exp(s_j)
// q/out [B, T, Hq, D], k/v [B, T, Hkv, D], logSumExp [B, Hq, T]. One task is a block of 48 query rows of one
// head; it walks the key blocks (64 keys) up to the diagonal with the online softmax (ops-attention-softmax.h).
// Tasks are handed out largest first (late query blocks see the most keys) from a shared counter.
#include <atomic>
#include <cmath>
#include <vector>

#include "napi-args.h"
#include "ops-attention-shape.h"
#include "ops-attention-softmax.h"
#include "ops-attention-tiles.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

constexpr size_t kQueryBlock = 48;
constexpr size_t kKeyBlock = 64;

struct ForwardScratch {
  std::vector<float> query, keysTransposed, values, scores, output;
  std::vector<attention::RowState> rows;
  explicit ForwardScratch(size_t paddedDim)
      : query(kQueryBlock * paddedDim),
        keysTransposed(paddedDim * kKeyBlock),
        values(kKeyBlock * paddedDim),
        scores(kQueryBlock * kKeyBlock),
        output(kQueryBlock * paddedDim),
        rows(kQueryBlock) {}
};

void forwardBlock(const attention::Shape& shape, const float* q, const float* k, const float* v, float* out,
                  float* logSumExp, size_t b, size_t h, size_t queryBlock, ForwardScratch& scratch) {
  const size_t D = shape.headDim, Dp = tiles::roundUp8(D);
  const size_t Hq = shape.queryHeads, Hkv = shape.keyValueHeads, g = h / shape.group;
  const size_t t0 = queryBlock * kQueryBlock;
  const size_t rows = std::min(kQueryBlock, shape.tokens - t0);
  tiles::packRows(scratch.query.data(), rows, Dp, q + shape.offset(b, t0, h, Hq), rows, D, Hq * D);
  std::fill(scratch.output.begin(), scratch.output.end(), 0.0f);
  for (auto& row : scratch.rows) row = attention::RowState{};
  const size_t keyEnd = t0 + rows;  // keys [0, t0 + rows) can be seen by some row of the block
  for (size_t s0 = 0; s0 < keyEnd; s0 += kKeyBlock) {
    const size_t width = std::min(kKeyBlock, keyEnd - s0), paddedWidth = tiles::roundUp8(width);
    tiles::packTransposed(scratch.keysTransposed.data(), kKeyBlock, Dp, k + shape.offset(b, s0, g, Hkv), width, D,
                          Hkv * D);
    tiles::packRows(scratch.values.data(), paddedWidth, Dp, v + shape.offset(b, s0, g, Hkv), width, D, Hkv * D);
    tiles::multiply(rows, paddedWidth, Dp, tiles::rowMajor(scratch.query.data(), Dp), scratch.keysTransposed.data(),
                    kKeyBlock, scratch.scores.data(), kKeyBlock, false);
    for (size_t i = 0; i < rows; i++) {
      const size_t t = t0 + i;
      const size_t valid = t < s0 ? 0 : std::min(width, t - s0 + 1);
      float alpha = attention::softmaxStep(scratch.scores.data() + i * kKeyBlock, paddedWidth, valid, shape.scale,
                                           scratch.rows[i]);
      if (alpha != 1.0f) attention::scaleRow(scratch.output.data() + i * Dp, Dp, alpha);
    }
    tiles::multiply(rows, Dp, paddedWidth, tiles::rowMajor(scratch.scores.data(), kKeyBlock), scratch.values.data(),
                    Dp, scratch.output.data(), Dp, true);
  }
  for (size_t i = 0; i < rows; i++) {
    const attention::RowState& state = scratch.rows[i];
    float* target = out + shape.offset(b, t0 + i, h, Hq);
    const float* source = scratch.output.data() + i * Dp;
    const double inverse = 1.0 / state.sum;
    for (size_t d = 0; d < D; d++) target[d] = static_cast<float>(source[d] * inverse);
    logSumExp[(b * Hq + h) * shape.tokens + t0 + i] = static_cast<float>(state.maximum + std::log(state.sum));
  }
}

// attention(q, k, v, out, logSumExp, B, T, Hq, Hkv, D, scale)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  const char* op = "attention";
  attention::Shape shape = attention::readShape(info, 5, op);
  const size_t B = shape.batch, T = shape.tokens, D = shape.headDim;
  const float* q = floatArray(info, 0, op, "q", B * T * shape.queryHeads * D);
  const float* k = floatArray(info, 1, op, "k", B * T * shape.keyValueHeads * D);
  const float* v = floatArray(info, 2, op, "v", B * T * shape.keyValueHeads * D);
  float* out = floatArray(info, 3, op, "out", B * T * shape.queryHeads * D);
  float* logSumExp = floatArray(info, 4, op, "logSumExp", B * shape.queryHeads * T);
  const size_t queryBlocks = (T + kQueryBlock - 1) / kQueryBlock;
  const size_t heads = B * shape.queryHeads;
  const size_t tasks = heads * queryBlocks;
  if (tasks == 0 || D == 0) {
    if (D == 0) {
      // Every score is 0: the softmax is uniform over the t + 1 visible keys.
      for (size_t bh = 0; bh < heads; bh++) {
        for (size_t t = 0; t < T; t++) logSumExp[bh * T + t] = static_cast<float>(std::log(static_cast<double>(t + 1)));
      }
    }
    return info.Env().Undefined();
  }
  std::atomic<size_t> next{0};
  int threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(threadCount()), tasks));
  parallelRegion(threads, [&](int, int) {
    ForwardScratch scratch(tiles::roundUp8(D));
    for (size_t task = next.fetch_add(1); task < tasks; task = next.fetch_add(1)) {
      const size_t queryBlock = queryBlocks - 1 - task / heads;
      const size_t bh = task % heads;
      forwardBlock(shape, q, k, v, out, logSumExp, bh / shape.queryHeads, bh % shape.queryHeads, queryBlock, scratch);
    }
  });
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("attention", Attention)

}  // namespace lorakit
