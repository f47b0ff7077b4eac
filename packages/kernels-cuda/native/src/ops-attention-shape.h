// The dimensions every attention op receives after its arrays: B, T, Hq, Hkv, D, scale (checked here too).
#pragma once

#include <string>

#include "napi-args.h"

namespace lorakit::attention {

struct Shape {
  size_t batch, tokens, queryHeads, keyValueHeads, headDim, group;
  float scale;
  // Element offset of row (b, t, head) in a [B, T, heads, D] tensor.
  size_t offset(size_t b, size_t t, size_t head, size_t heads) const {
    return ((b * tokens + t) * heads + head) * headDim;
  }
};

inline Shape readShape(const Napi::CallbackInfo& info, size_t first, const char* op) {
  Shape shape{};
  shape.batch = sizeArg(info, first, op, "batch");
  shape.tokens = sizeArg(info, first + 1, op, "tokens");
  shape.queryHeads = sizeArg(info, first + 2, op, "queryHeads");
  shape.keyValueHeads = sizeArg(info, first + 3, op, "keyValueHeads");
  shape.headDim = sizeArg(info, first + 4, op, "headDim");
  shape.scale = static_cast<float>(numberArg(info, first + 5, op, "scale"));
  if (shape.keyValueHeads == 0 || shape.queryHeads % shape.keyValueHeads != 0) {
    throwError(info.Env(), std::string(op) + ": " + std::to_string(shape.queryHeads) +
                               " query heads is not a multiple of " + std::to_string(shape.keyValueHeads) +
                               " key/value heads (native check)");
  }
  shape.group = shape.queryHeads / shape.keyValueHeads;
  return shape;
}

}  // namespace lorakit::attention
