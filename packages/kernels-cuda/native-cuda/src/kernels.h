// The host-side entry points of the CUDA kernels (*.cu) and of the host orchestration (*.cc), in plain C++:
// device pointers, sizes and scalars. addon.cc calls these after checking every buffer's size; each queues its
// work on the default stream and throws std::runtime_error (naming the op) when CUDA reports an error.
// Every tensor is row-major and contiguous; floating-point tensors are f32 unless a dtype says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lk {

enum class DType : int { F32 = 0, F16 = 1, BF16 = 2 };

/** LoRA dropout parameters as passed from TypeScript (probability 0: none). */
struct DropoutParameters {
  double probability;
  uint32_t seed;
};

/** Which operand of a GEMM the dropout mask multiplies (its non-transposed row-major element index). */
enum class DropoutOn : int { None = 0, A = 1, B = 2, Out = 3 };

/**
 * out[b] = alpha·op(a[b])·op(b[b]) + beta·out[b] (beta = 0: out is not read). op(a) is [m, k] (stored [k, m]
 * when transpose_a), op(b) is [k, n] (stored [n, k] when transpose_b). Uses cuBLAS when it was loaded, else
 * the own tiled kernel. Dropout forces the own kernel.
 */
void gemm(DType dtype, bool transpose_a, bool transpose_b, int batch, int m, int n, int k, float alpha, const void* a,
          long long a_batch_stride, const void* b, long long b_batch_stride, float beta, void* out,
          DropoutOn dropout_on = DropoutOn::None, DropoutParameters dropout = {0, 0});
/** The own kernel only (gemm() without cuBLAS); exposed so tests and benchmarks can compare both. */
void gemm_own(DType dtype, bool transpose_a, bool transpose_b, int batch, int m, int n, int k, float alpha, const void* a,
              long long a_batch_stride, const void* b, long long b_batch_stride, float beta, void* out, DropoutOn dropout_on,
              DropoutParameters dropout);

// ---- LoRA (lora-linear.cc, lora-multi.cu) ----
struct LoraLinearForward {
  const float *x, *weight, *bias, *lora_a, *lora_b;  // bias, lora_a, lora_b may be null
  float *out, *shrink;  // shrink may be null
  int tokens, in_features, out_features, rank;
  float scale;
  DropoutParameters dropout;
};
void lora_linear_forward(const LoraLinearForward& arguments);

struct LoraLinearBackward {
  const float *dy, *x, *weight, *lora_a, *lora_b, *shrink;
  float *dx, *d_a, *d_b, *d_weight, *d_bias;  // each may be null (not wanted)
  int tokens, in_features, out_features, rank;
  float scale;
  DropoutParameters dropout;
  bool accumulate;
};
void lora_linear_backward(const LoraLinearBackward& arguments);

struct AdapterEntry {
  const float* lora_a;  // [rank, in]
  const float* lora_b;  // [out, rank]
  int rank;
  float scale;
};
struct LoraMultiForward {
  const float *x, *weight, *bias;
  float* out;
  int tokens, in_features, out_features;
  std::vector<AdapterEntry> adapters;
};
/** row_adapter: host array of `tokens` indices (−1: base only). */
void lora_multi_forward(const LoraMultiForward& arguments, const int32_t* row_adapter);
/** Segments (start, length, adapter) of rows; rows outside every segment get the base output. */
void lora_segmented_forward(const LoraMultiForward& arguments, const int32_t* starts, const int32_t* lengths,
                            const int32_t* adapters, int segment_count);


// ---- elementwise (elementwise.cu) ----
void add_bias_rows(float* out, const float* bias, int rows, int columns);
/** sums[c] (+)= Σ_r values[r, c]·(row_factors ? row_factors[r] : 1)·(other ? other[r, c] : 1). */
void column_sums(float* sums, const float* values, const float* other, const float* row_factors, int rows, int columns,
                 bool accumulate);
void silu_mul(float* out, const float* gate, const float* up, size_t size);
void silu_mul_backward(float* d_gate, float* d_up, const float* dy, const float* gate, const float* up, size_t size);
void add(float* out, const float* a, const float* b, size_t size);
void scale(float* x, float factor, size_t size);
void fill(void* x, uint32_t bit_pattern, int element_bytes, size_t size);
void cast(void* out, DType out_dtype, const void* x, DType x_dtype, size_t size);

// ---- embedding, norm, rope (embedding.cu, norm.cu, rope.cu) ----
void embedding(float* out, const float* table, const int32_t* device_ids, int tokens, int hidden);
void embedding_backward(float* d_table, const float* dy, const int32_t* device_ids, int tokens, int vocabulary, int hidden,
                        bool accumulate);
void rms_norm(float* out, float* rstd, const float* x, const float* weight, int rows, int hidden, float eps);
void rms_norm_backward(float* dx, float* d_weight, const float* dy, const float* x, const float* weight, const float* rstd,
                       int rows, int hidden, bool accumulate);
/** device_frequencies: headDim/2 f32 inverse frequencies; direction +1 or −1 (inverse). */
void rope(float* x, const int32_t* device_positions, const float* device_frequencies, int rows, int heads, int head_dim,
          int direction);

// ---- attention (attention.cu, attention-backward.cu, decode-attention.cu) ----
struct AttentionShape {
  int batch, tokens, query_heads, kv_heads, head_dim;
  float scale;
};
void attention_forward(const AttentionShape& shape, const float* q, const float* k, const float* v, float* out,
                       float* log_sum_exp);
void attention_backward(const AttentionShape& shape, const float* d_out, const float* q, const float* k, const float* v,
                        const float* out, const float* log_sum_exp, float* dq, float* dk, float* dv);
void decode_attention(int batch, int max_tokens, int query_heads, int kv_heads, int head_dim, float scale, const float* q,
                      const float* key_cache, const float* value_cache, const int32_t* device_lengths, float* out);
void write_kv_cache(float* key_cache, float* value_cache, const float* k, const float* v, const int32_t* device_offsets,
                    int batch, int new_tokens, int max_tokens, int row_size);
/** The largest head dimension the attention kernels take. */
constexpr int kMaxHeadDim = 256;

// ---- loss and optimizer (cross-entropy.cu, optimizer.cu) ----
void cross_entropy(const float* logits, const int32_t* device_targets, float* losses, float* d_logits, int tokens,
                   int vocabulary, int ignore_index, float grad_scale);
struct AdamWStep {
  double beta1, beta2, eps;
  double step_size;  // lr / (1 − β1^t)
  double second_correction_root;  // √(1 − β2^t)
  double decay;  // 1 − lr·wd
};
void adamw(float* param, const float* grad, float* m, float* v, size_t size, const AdamWStep& step);
/** accumulator (a device double) += Σ x². */
void sum_of_squares(double* device_accumulator, const float* x, size_t size);

}  // namespace lk
