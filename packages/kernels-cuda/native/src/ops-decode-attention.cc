// Attention of one new token per sequence over a KV cache, and the cache write:
//   decodeAttention: for sequence b, query head h (kv head g = ⌊h/group⌋):
//     out = Σ_{j < lengths[b]} softmax_j(scale·q·k_j)·v_j;  q/out [B, Hq, D], caches [B, maxT, Hkv, D]
//   One task is one (b, g) with all `group` query heads, so each cached key/value row is read once per step; it
//   walks the cache in blocks of 64 with the online softmax of the forward kernel.
//   writeKvCache: k/v [B, Tnew, Hkv, D] → caches at positions [offsets[b], offsets[b] + Tnew).
#include <cstring>
#include <string>
#include <vector>

#include "napi-args.h"
#include "ops-attention-softmax.h"
#include "ops-attention-tiles.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

constexpr size_t kKeyBlock = 64;

struct DecodeShape {
  size_t batch, maxTokens, queryHeads, keyValueHeads, headDim, group;
};

DecodeShape readDecodeShape(const Napi::CallbackInfo& info, size_t first, const char* op) {
  DecodeShape shape{};
  shape.batch = sizeArg(info, first, op, "batch");
  shape.maxTokens = sizeArg(info, first + 1, op, "maxTokens");
  shape.queryHeads = sizeArg(info, first + 2, op, "queryHeads");
  shape.keyValueHeads = sizeArg(info, first + 3, op, "keyValueHeads");
  shape.headDim = sizeArg(info, first + 4, op, "headDim");
  if (shape.keyValueHeads == 0 || shape.queryHeads % shape.keyValueHeads != 0) {
    throwError(info.Env(), std::string(op) + ": query heads must be a multiple of key/value heads (native check)");
  }
  shape.group = shape.queryHeads / shape.keyValueHeads;
  return shape;
}

// decodeAttention(q, keyCache, valueCache, lengths, out, B, maxT, Hq, Hkv, D, scale)
Napi::Value DecodeAttention(const Napi::CallbackInfo& info) {
  const char* op = "decodeAttention";
  Napi::Env env = info.Env();
  DecodeShape shape = readDecodeShape(info, 5, op);
  const float scale = static_cast<float>(numberArg(info, 10, op, "scale"));
  const size_t B = shape.batch, maxT = shape.maxTokens, Hq = shape.queryHeads, Hkv = shape.keyValueHeads;
  const size_t D = shape.headDim, Dp = tiles::roundUp8(D), G = shape.group;
  const float* q = floatArray(info, 0, op, "q", B * Hq * D);
  const float* keys = floatArray(info, 1, op, "keyCache", B * maxT * Hkv * D);
  const float* values = floatArray(info, 2, op, "valueCache", B * maxT * Hkv * D);
  const int32_t* lengths = intArray(info, 3, op, "lengths", B);
  float* out = floatArray(info, 4, op, "out", B * Hq * D);
  for (size_t b = 0; b < B; b++) {
    if (lengths[b] < 1 || static_cast<size_t>(lengths[b]) > maxT) {
      throwError(env, std::string(op) + ": lengths[" + std::to_string(b) + "] = " + std::to_string(lengths[b]) +
                          " is out of range [1, " + std::to_string(maxT) + "] (native check)");
    }
  }
  if (D == 0) return env.Undefined();
  parallelFor(B * Hkv, 1, [&](size_t begin, size_t end) {
    std::vector<float> query(G * Dp), keysTransposed(Dp * kKeyBlock), valueRows(kKeyBlock * Dp),
        scores(G * kKeyBlock), output(G * Dp);
    std::vector<attention::RowState> rows(G);
    for (size_t task = begin; task < end; task++) {
      const size_t b = task / Hkv, g = task % Hkv, length = static_cast<size_t>(lengths[b]);
      // The group's query heads are consecutive: rows h = g·G … g·G + G − 1 of q[b].
      tiles::packRows(query.data(), G, Dp, q + (b * Hq + g * G) * D, G, D, D);
      std::fill(output.begin(), output.end(), 0.0f);
      for (auto& row : rows) row = attention::RowState{};
      for (size_t s0 = 0; s0 < length; s0 += kKeyBlock) {
        const size_t width = std::min(kKeyBlock, length - s0), paddedWidth = tiles::roundUp8(width);
        const size_t cacheOffset = ((b * maxT + s0) * Hkv + g) * D;
        tiles::packTransposed(keysTransposed.data(), kKeyBlock, Dp, keys + cacheOffset, width, D, Hkv * D);
        tiles::packRows(valueRows.data(), paddedWidth, Dp, values + cacheOffset, width, D, Hkv * D);
        tiles::multiply(G, paddedWidth, Dp, tiles::rowMajor(query.data(), Dp), keysTransposed.data(), kKeyBlock,
                        scores.data(), kKeyBlock, false);
        for (size_t i = 0; i < G; i++) {
          float alpha = attention::softmaxStep(scores.data() + i * kKeyBlock, paddedWidth, width, scale, rows[i]);
          if (alpha != 1.0f) attention::scaleRow(output.data() + i * Dp, Dp, alpha);
        }
        tiles::multiply(G, Dp, paddedWidth, tiles::rowMajor(scores.data(), kKeyBlock), valueRows.data(), Dp,
                        output.data(), Dp, true);
      }
      for (size_t i = 0; i < G; i++) {
        const double inverse = 1.0 / rows[i].sum;
        float* target = out + (b * Hq + g * G + i) * D;
        for (size_t d = 0; d < D; d++) target[d] = static_cast<float>(output[i * Dp + d] * inverse);
      }
    }
  });
  return env.Undefined();
}

// writeKvCache(keyCache, valueCache, k, v, offsets, B, maxT, Tnew, Hkv, D)
Napi::Value WriteKvCache(const Napi::CallbackInfo& info) {
  const char* op = "writeKvCache";
  Napi::Env env = info.Env();
  const size_t B = sizeArg(info, 5, op, "batch"), maxT = sizeArg(info, 6, op, "maxTokens");
  const size_t Tnew = sizeArg(info, 7, op, "newTokens"), Hkv = sizeArg(info, 8, op, "keyValueHeads");
  const size_t D = sizeArg(info, 9, op, "headDim");
  float* keyCache = floatArray(info, 0, op, "keyCache", B * maxT * Hkv * D);
  float* valueCache = floatArray(info, 1, op, "valueCache", B * maxT * Hkv * D);
  const float* k = floatArray(info, 2, op, "k", B * Tnew * Hkv * D);
  const float* v = floatArray(info, 3, op, "v", B * Tnew * Hkv * D);
  const int32_t* offsets = intArray(info, 4, op, "offsets", B);
  for (size_t b = 0; b < B; b++) {
    if (offsets[b] < 0 || static_cast<size_t>(offsets[b]) + Tnew > maxT) {
      throwError(env, std::string(op) + ": offsets[" + std::to_string(b) + "] = " + std::to_string(offsets[b]) +
                          " does not leave room for " + std::to_string(Tnew) + " positions in a cache of " +
                          std::to_string(maxT) + " (native check)");
    }
  }
  const size_t rowSize = Hkv * D;
  parallelFor(B, 1 + (1 << 16) / (Tnew * rowSize + 1), [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; b++) {
      const size_t target = (b * maxT + static_cast<size_t>(offsets[b])) * rowSize, source = b * Tnew * rowSize;
      std::memcpy(keyCache + target, k + source, Tnew * rowSize * sizeof(float));
      std::memcpy(valueCache + target, v + source, Tnew * rowSize * sizeof(float));
    }
  });
  return env.Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("decodeAttention", DecodeAttention)
LORAKIT_NATIVE_OP("writeKvCache", WriteKvCache)

}  // namespace lorakit
