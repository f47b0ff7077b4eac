// Node-API bindings of the layer ops (embedding, norms, RoPE, attention, SwiGLU, loss, optimizer, elementwise),
// with the same native checks as addon-ops.cc: buffer sizes and index ranges before anything is queued.
#include <string>

#include "device-memory.h"
#include "kernels.h"
#include "napi-helpers.h"

namespace lk {
namespace {

size_t product(std::initializer_list<int> sizes) {
  size_t result = 1;
  for (int size : sizes) {
    if (size < 0) throw std::runtime_error("negative size (native check)");
    result *= static_cast<size_t>(size);
  }
  return result;
}

size_t count_of(Arguments& a, size_t index) {
  const double size = a.number(index, "size");
  if (!(size >= 0) || size > 9.0e15) throw std::runtime_error("bad element count (native check)");
  return static_cast<size_t>(size);
}

napi_value embedding_binding(Arguments& a) {
  const char* op = "embedding";
  const int t = a.integer(3, "tokens"), v = a.integer(4, "vocabulary"), h = a.integer(5, "hidden");
  float* out = device<float>(op, "out", a.buffer(0, "out"), product({t, h}));
  const float* table = device<const float>(op, "table", a.buffer(1, "table"), product({v, h}));
  const int32_t* ids = a.int32_array(2, "ids", static_cast<size_t>(t));
  require_range(op, "ids", ids, static_cast<size_t>(t), 0, v);
  DeviceIndices device_ids(ids, static_cast<size_t>(t));
  embedding(out, table, device_ids.get(), t, h);
  return nullptr;
}

napi_value embedding_backward_binding(Arguments& a) {
  const char* op = "embeddingBackward";
  const int t = a.integer(3, "tokens"), v = a.integer(4, "vocabulary"), h = a.integer(5, "hidden");
  float* d_table = device<float>(op, "dTable", a.buffer(0, "dTable"), product({v, h}));
  const float* dy = device<const float>(op, "dy", a.buffer(1, "dy"), product({t, h}));
  const int32_t* ids = a.int32_array(2, "ids", static_cast<size_t>(t));
  require_range(op, "ids", ids, static_cast<size_t>(t), 0, v);
  DeviceIndices device_ids(ids, static_cast<size_t>(t));
  embedding_backward(d_table, dy, device_ids.get(), t, v, h, a.boolean(6, "accumulate"));
  return nullptr;
}

napi_value rms_norm_binding(Arguments& a) {
  const char* op = "rmsNorm";
  const int rows = a.integer(4, "rows"), h = a.integer(5, "hidden");
  float* out = device<float>(op, "out", a.buffer(0, "out"), product({rows, h}));
  float* rstd = device<float>(op, "rstd", a.optional_buffer(1, "rstd"), product({rows}));
  const float* x = device<const float>(op, "x", a.buffer(2, "x"), product({rows, h}));
  const float* weight = device<const float>(op, "weight", a.buffer(3, "weight"), product({h}));
  rms_norm(out, rstd, x, weight, rows, h, static_cast<float>(a.number(6, "eps")));
  return nullptr;
}

napi_value rms_norm_backward_binding(Arguments& a) {
  const char* op = "rmsNormBackward";
  const int rows = a.integer(6, "rows"), h = a.integer(7, "hidden");
  float* dx = device<float>(op, "dx", a.buffer(0, "dx"), product({rows, h}));
  float* d_weight = device<float>(op, "dWeight", a.optional_buffer(1, "dWeight"), product({h}));
  const float* dy = device<const float>(op, "dy", a.buffer(2, "dy"), product({rows, h}));
  const float* x = device<const float>(op, "x", a.buffer(3, "x"), product({rows, h}));
  const float* weight = device<const float>(op, "weight", a.buffer(4, "weight"), product({h}));
  const float* rstd = device<const float>(op, "rstd", a.buffer(5, "rstd"), product({rows}));
  rms_norm_backward(dx, d_weight, dy, x, weight, rstd, rows, h, a.boolean(8, "accumulate"));
  return nullptr;
}

napi_value rope_binding(Arguments& a) {
  const char* op = "rope";
  const int rows = a.integer(3, "rows"), heads = a.integer(4, "heads"), head_dim = a.integer(5, "headDim");
  if (head_dim % 2 != 0) throw std::runtime_error("rope: odd head dimension (native check)");
  float* x = device<float>(op, "x", a.buffer(0, "x"), product({rows, heads, head_dim}));
  const int32_t* positions = a.int32_array(1, "positions", static_cast<size_t>(rows));
  const float* frequencies = a.float32_array(2, "frequencies", static_cast<size_t>(head_dim / 2));
  DeviceIndices device_positions(positions, static_cast<size_t>(rows));
  Scratch device_frequencies(static_cast<size_t>(head_dim / 2) * sizeof(float));
  if (head_dim) {
    check_cuda(cudaMemcpyAsync(device_frequencies.as<float>(), frequencies, static_cast<size_t>(head_dim / 2) * sizeof(float),
                               cudaMemcpyHostToDevice, nullptr),
               "rope frequencies");
  }
  rope(x, device_positions.get(), device_frequencies.as<const float>(), rows, heads, head_dim, a.boolean(6, "inverse") ? -1 : 1);
  return nullptr;
}

AttentionShape attention_shape(Arguments& a, size_t index, const char* op) {
  AttentionShape shape{a.integer(index, "batch"), a.integer(index + 1, "tokens"), a.integer(index + 2, "queryHeads"),
                       a.integer(index + 3, "kvHeads"), a.integer(index + 4, "headDim"), static_cast<float>(a.number(index + 5, "scale"))};
  if (shape.kv_heads <= 0 || shape.query_heads % shape.kv_heads != 0) {
    throw std::runtime_error(std::string(op) + ": query heads must be a multiple of kv heads (native check)");
  }
  return shape;
}

napi_value attention_binding(Arguments& a) {
  const char* op = "attention";
  const AttentionShape s = attention_shape(a, 5, op);
  const size_t q_size = product({s.batch, s.tokens, s.query_heads, s.head_dim}), kv_size = product({s.batch, s.tokens, s.kv_heads, s.head_dim});
  attention_forward(s, device<const float>(op, "q", a.buffer(0, "q"), q_size), device<const float>(op, "k", a.buffer(1, "k"), kv_size),
                    device<const float>(op, "v", a.buffer(2, "v"), kv_size), device<float>(op, "out", a.buffer(3, "out"), q_size),
                    device<float>(op, "logSumExp", a.buffer(4, "logSumExp"), product({s.batch, s.query_heads, s.tokens})));
  return nullptr;
}

napi_value attention_backward_binding(Arguments& a) {
  const char* op = "attentionBackward";
  const AttentionShape s = attention_shape(a, 9, op);
  const size_t q_size = product({s.batch, s.tokens, s.query_heads, s.head_dim}), kv_size = product({s.batch, s.tokens, s.kv_heads, s.head_dim});
  attention_backward(s, device<const float>(op, "dOut", a.buffer(0, "dOut"), q_size), device<const float>(op, "q", a.buffer(1, "q"), q_size),
                     device<const float>(op, "k", a.buffer(2, "k"), kv_size), device<const float>(op, "v", a.buffer(3, "v"), kv_size),
                     device<const float>(op, "out", a.buffer(4, "out"), q_size),
                     device<const float>(op, "logSumExp", a.buffer(5, "logSumExp"), product({s.batch, s.query_heads, s.tokens})),
                     device<float>(op, "dq", a.buffer(6, "dq"), q_size), device<float>(op, "dk", a.buffer(7, "dk"), kv_size),
                     device<float>(op, "dv", a.buffer(8, "dv"), kv_size));
  return nullptr;
}

napi_value decode_attention_binding(Arguments& a) {
  const char* op = "decodeAttention";
  const int batch = a.integer(5, "batch"), max_tokens = a.integer(6, "maxTokens"), query_heads = a.integer(7, "queryHeads");
  const int kv_heads = a.integer(8, "kvHeads"), head_dim = a.integer(9, "headDim");
  if (kv_heads <= 0 || query_heads % kv_heads != 0) throw std::runtime_error("decodeAttention: query heads must be a multiple of kv heads (native check)");
  const size_t q_size = product({batch, query_heads, head_dim}), cache_size = product({batch, max_tokens, kv_heads, head_dim});
  const int32_t* lengths = a.int32_array(3, "lengths", static_cast<size_t>(batch));
  require_range(op, "lengths", lengths, static_cast<size_t>(batch), 1, static_cast<long long>(max_tokens) + 1);
  DeviceIndices device_lengths(lengths, static_cast<size_t>(batch));
  decode_attention(batch, max_tokens, query_heads, kv_heads, head_dim, static_cast<float>(a.number(10, "scale")),
                   device<const float>(op, "q", a.buffer(0, "q"), q_size),
                   device<const float>(op, "keyCache", a.buffer(1, "keyCache"), cache_size),
                   device<const float>(op, "valueCache", a.buffer(2, "valueCache"), cache_size), device_lengths.get(),
                   device<float>(op, "out", a.buffer(4, "out"), q_size));
  return nullptr;
}

napi_value write_kv_cache_binding(Arguments& a) {
  const char* op = "writeKvCache";
  const int batch = a.integer(5, "batch"), new_tokens = a.integer(6, "newTokens"), max_tokens = a.integer(7, "maxTokens");
  const int kv_heads = a.integer(8, "kvHeads"), head_dim = a.integer(9, "headDim");
  const size_t cache_size = product({batch, max_tokens, kv_heads, head_dim}), new_size = product({batch, new_tokens, kv_heads, head_dim});
  const int32_t* offsets = a.int32_array(4, "offsets", static_cast<size_t>(batch));
  require_range(op, "offsets", offsets, static_cast<size_t>(batch), 0, static_cast<long long>(max_tokens) - new_tokens + 1);
  DeviceIndices device_offsets(offsets, static_cast<size_t>(batch));
  write_kv_cache(device<float>(op, "keyCache", a.buffer(0, "keyCache"), cache_size),
                 device<float>(op, "valueCache", a.buffer(1, "valueCache"), cache_size),
                 device<const float>(op, "k", a.buffer(2, "k"), new_size), device<const float>(op, "v", a.buffer(3, "v"), new_size),
                 device_offsets.get(), batch, new_tokens, max_tokens, kv_heads * head_dim);
  return nullptr;
}

napi_value silu_mul_binding(Arguments& a) {
  const size_t n = count_of(a, 3);
  silu_mul(device<float>("siluMul", "out", a.buffer(0, "out"), n), device<const float>("siluMul", "gate", a.buffer(1, "gate"), n),
           device<const float>("siluMul", "up", a.buffer(2, "up"), n), n);
  return nullptr;
}

napi_value silu_mul_backward_binding(Arguments& a) {
  const char* op = "siluMulBackward";
  const size_t n = count_of(a, 5);
  silu_mul_backward(device<float>(op, "dGate", a.buffer(0, "dGate"), n), device<float>(op, "dUp", a.buffer(1, "dUp"), n),
                    device<const float>(op, "dy", a.buffer(2, "dy"), n), device<const float>(op, "gate", a.buffer(3, "gate"), n),
                    device<const float>(op, "up", a.buffer(4, "up"), n), n);
  return nullptr;
}

napi_value cross_entropy_binding(Arguments& a) {
  const char* op = "crossEntropy";
  const int t = a.integer(4, "tokens"), v = a.integer(5, "vocabulary"), ignore = a.integer(6, "ignoreIndex");
  const int32_t* targets = a.int32_array(1, "targets", static_cast<size_t>(t));
  require_range(op, "targets", targets, static_cast<size_t>(t), 0, v, ignore);
  DeviceIndices device_targets(targets, static_cast<size_t>(t));
  cross_entropy(device<const float>(op, "logits", a.buffer(0, "logits"), product({t, v})), device_targets.get(),
                device<float>(op, "losses", a.buffer(2, "losses"), product({t})),
                device<float>(op, "dLogits", a.optional_buffer(3, "dLogits"), product({t, v})), t, v, ignore,
                static_cast<float>(a.number(7, "gradScale")));
  return nullptr;
}

napi_value adamw_binding(Arguments& a) {
  const size_t n = count_of(a, 4);
  const AdamWStep step{a.number(5, "beta1"), a.number(6, "beta2"), a.number(7, "eps"), a.number(8, "stepSize"),
                       a.number(9, "secondCorrectionRoot"), a.number(10, "decay")};
  adamw(device<float>("adamw", "param", a.buffer(0, "param"), n), device<const float>("adamw", "grad", a.buffer(1, "grad"), n),
        device<float>("adamw", "m", a.buffer(2, "m"), n), device<float>("adamw", "v", a.buffer(3, "v"), n), n, step);
  return nullptr;
}

napi_value sum_of_squares_binding(Arguments& a) {
  const std::vector<DeviceBuffer*> buffers = a.buffer_array(0, "tensors");
  const std::vector<double> sizes = a.number_array(1, "sizes");
  if (sizes.size() != buffers.size()) throw std::runtime_error("sumOfSquares: one size per tensor (native check)");
  Scratch accumulator(sizeof(double));
  check_cuda(cudaMemsetAsync(accumulator.as<double>(), 0, sizeof(double), nullptr), "sumOfSquares");
  for (size_t i = 0; i < buffers.size(); i++) {
    const size_t n = static_cast<size_t>(sizes[i]);
    sum_of_squares(accumulator.as<double>(), device<const float>("sumOfSquares", "tensor", buffers[i], n), n);
  }
  double result = 0;
  check_cuda(cudaMemcpy(&result, accumulator.as<double>(), sizeof(double), cudaMemcpyDeviceToHost), "sumOfSquares");
  return make_number(a.env(), result);
}

napi_value scale_binding(Arguments& a) {
  const size_t n = count_of(a, 1);
  scale(device<float>("scale", "x", a.buffer(0, "x"), n), static_cast<float>(a.number(2, "factor")), n);
  return nullptr;
}

napi_value add_binding(Arguments& a) {
  const size_t n = count_of(a, 3);
  add(device<float>("add", "out", a.buffer(0, "out"), n), device<const float>("add", "a", a.buffer(1, "a"), n),
      device<const float>("add", "b", a.buffer(2, "b"), n), n);
  return nullptr;
}

}  // namespace

void register_more_ops(napi_env env, napi_value exports) {
  export_function(env, exports, "embedding", bind<embedding_binding>);
  export_function(env, exports, "embeddingBackward", bind<embedding_backward_binding>);
  export_function(env, exports, "rmsNorm", bind<rms_norm_binding>);
  export_function(env, exports, "rmsNormBackward", bind<rms_norm_backward_binding>);
  export_function(env, exports, "rope", bind<rope_binding>);
  export_function(env, exports, "attention", bind<attention_binding>);
  export_function(env, exports, "attentionBackward", bind<attention_backward_binding>);
  export_function(env, exports, "decodeAttention", bind<decode_attention_binding>);
  export_function(env, exports, "writeKvCache", bind<write_kv_cache_binding>);
  export_function(env, exports, "siluMul", bind<silu_mul_binding>);
  export_function(env, exports, "siluMulBackward", bind<silu_mul_backward_binding>);
  export_function(env, exports, "crossEntropy", bind<cross_entropy_binding>);
  export_function(env, exports, "adamw", bind<adamw_binding>);
  export_function(env, exports, "sumOfSquares", bind<sum_of_squares_binding>);
  export_function(env, exports, "scale", bind<scale_binding>);
  export_function(env, exports, "add", bind<add_binding>);
}

}  // namespace lk
