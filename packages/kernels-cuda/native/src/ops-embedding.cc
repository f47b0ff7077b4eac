// Embedding lookup and its gradient:
//   embedding:          out[t, :] = table[ids[t], :]
//   embeddingBackward:  dTable[ids[t], :] += dy[t, :] (dTable zeroed first unless accumulating). Like the
//                       reference, each row sums in fp64, in token order, starting from its old value, and is
//                       rounded once: the result is the reference's, bit for bit, for any thread count.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

void checkIds(Napi::Env env, const char* op, const int32_t* ids, size_t tokens, size_t vocabulary) {
  for (size_t t = 0; t < tokens; t++) {
    if (ids[t] < 0 || static_cast<size_t>(ids[t]) >= vocabulary) {
      throwError(env, std::string(op) + ": ids[" + std::to_string(t) + "] = " + std::to_string(ids[t]) +
                          " is out of range [0, " + std::to_string(vocabulary) + ") (native check)");
    }
  }
}

// embedding(out, table, ids, tokens, vocabulary, hidden)
Napi::Value Embedding(const Napi::CallbackInfo& info) {
  const char* op = "embedding";
  size_t tokens = sizeArg(info, 3, op, "tokens");
  size_t vocabulary = sizeArg(info, 4, op, "vocabulary");
  size_t hidden = sizeArg(info, 5, op, "hidden");
  float* out = floatArray(info, 0, op, "out", tokens * hidden);
  const float* table = floatArray(info, 1, op, "table", vocabulary * hidden);
  const int32_t* ids = intArray(info, 2, op, "ids", tokens);
  checkIds(info.Env(), op, ids, tokens, vocabulary);
  parallelFor(tokens, 1 + 65536 / (hidden + 1), [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      std::memcpy(out + t * hidden, table + static_cast<size_t>(ids[t]) * hidden, hidden * sizeof(float));
    }
  });
  return info.Env().Undefined();
}

// embeddingBackward(dTable, dy, ids, tokens, vocabulary, hidden, accumulate)
Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  const char* op = "embeddingBackward";
  size_t tokens = sizeArg(info, 3, op, "tokens");
  size_t vocabulary = sizeArg(info, 4, op, "vocabulary");
  size_t hidden = sizeArg(info, 5, op, "hidden");
  bool accumulate = boolArg(info, 6, op, "accumulate");
  float* dTable = floatArray(info, 0, op, "dTable", vocabulary * hidden);
  const float* dy = floatArray(info, 1, op, "dy", tokens * hidden);
  const int32_t* ids = intArray(info, 2, op, "ids", tokens);
  checkIds(info.Env(), op, ids, tokens, vocabulary);
  if (!accumulate) {
    parallelFor(vocabulary * hidden, 1 << 18, [&](size_t begin, size_t end) {
      std::memset(dTable + begin, 0, (end - begin) * sizeof(float));
    });
  }
  // Tokens grouped by id (stable, so each group keeps token order); each group is one output row.
  std::vector<uint32_t> order(tokens);
  for (size_t t = 0; t < tokens; t++) order[t] = static_cast<uint32_t>(t);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
  std::vector<size_t> groupStarts;
  for (size_t i = 0; i < tokens; i++) {
    if (i == 0 || ids[order[i]] != ids[order[i - 1]]) groupStarts.push_back(i);
  }
  groupStarts.push_back(tokens);
  size_t groups = groupStarts.size() - 1;
  parallelFor(groups, 1 + 16384 / (hidden + 1), [&](size_t begin, size_t end) {
    std::vector<double> sums(hidden);
    for (size_t g = begin; g < end; g++) {
      float* target = dTable + static_cast<size_t>(ids[order[groupStarts[g]]]) * hidden;
      for (size_t h = 0; h < hidden; h++) sums[h] = target[h];  // 0 unless accumulating (zeroed above)
      for (size_t i = groupStarts[g]; i < groupStarts[g + 1]; i++) {
        const float* source = dy + static_cast<size_t>(order[i]) * hidden;
        for (size_t h = 0; h < hidden; h++) sums[h] += source[h];
      }
      for (size_t h = 0; h < hidden; h++) target[h] = static_cast<float>(sums[h]);
    }
  });
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("embedding", Embedding)
LORAKIT_NATIVE_OP("embeddingBackward", EmbeddingBackward)

}  // namespace lorakit
