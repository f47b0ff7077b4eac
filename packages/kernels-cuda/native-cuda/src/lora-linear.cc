// The fused LoRA linear layer as a sequence of GEMMs on the default stream (kernels.h's gemm(): cuBLAS when
// loaded, the own kernel when dropout must be applied inside the product):
//   forward:  shrink = x̃·Aᵀ,  out = x·Wᵀ,  out += s·shrink·Bᵀ,  out += b        (x̃ = x ⊙ mask/(1−p))
//   backward: g = dy·B,  dx = dy·W,  dx += s·(g·A) ⊙ mask/(1−p),  dA = s·gᵀ·x̃,  dB = s·dyᵀ·shrink,
//             dW = dyᵀ·x,  db = Σ_t dy
// x̃ is never stored: the mask (dropout-mask.ts, index = row·in + column) is applied while an operand is loaded.
#include "device-memory.h"
#include "kernels.h"

namespace lk {

void lora_linear_forward(const LoraLinearForward& p) {
  const int t = p.tokens, in = p.in_features, out = p.out_features, r = p.rank;
  const bool adapter = r > 0 && p.lora_a && p.lora_b;
  Scratch shrink_scratch(adapter && !p.shrink ? static_cast<size_t>(t) * r * sizeof(float) : 0);
  float* shrink = p.shrink ? p.shrink : shrink_scratch.as<float>();
  if (adapter) gemm(DType::F32, false, true, 1, t, r, in, 1.0f, p.x, 0, p.lora_a, 0, 0.0f, shrink, DropoutOn::A, p.dropout);
  gemm(DType::F32, false, true, 1, t, out, in, 1.0f, p.x, 0, p.weight, 0, 0.0f, p.out);
  if (adapter) gemm(DType::F32, false, true, 1, t, out, r, p.scale, shrink, 0, p.lora_b, 0, 1.0f, p.out);
  if (p.bias) add_bias_rows(p.out, p.bias, t, out);
}

void lora_linear_backward(const LoraLinearBackward& p) {
  const int t = p.tokens, in = p.in_features, out = p.out_features, r = p.rank;
  const bool adapter = r > 0 && p.lora_a && p.lora_b;
  const float keep = p.accumulate ? 1.0f : 0.0f;
  const bool need_g = adapter && (p.dx || p.d_a);
  Scratch g_scratch(need_g ? static_cast<size_t>(t) * r * sizeof(float) : 0);
  float* g = g_scratch.as<float>();
  if (need_g) gemm(DType::F32, false, false, 1, t, r, out, 1.0f, p.dy, 0, p.lora_b, 0, 0.0f, g);
  if (p.dx) {
    gemm(DType::F32, false, false, 1, t, in, out, 1.0f, p.dy, 0, p.weight, 0, 0.0f, p.dx);
    if (adapter) gemm(DType::F32, false, false, 1, t, in, r, p.scale, g, 0, p.lora_a, 0, 1.0f, p.dx, DropoutOn::Out, p.dropout);
  }
  if (adapter && p.d_a) gemm(DType::F32, true, false, 1, r, in, t, p.scale, g, 0, p.x, 0, keep, p.d_a, DropoutOn::B, p.dropout);
  if (adapter && p.d_b && p.shrink) gemm(DType::F32, true, false, 1, out, r, t, p.scale, p.dy, 0, p.shrink, 0, keep, p.d_b);
  if (p.d_weight) gemm(DType::F32, true, false, 1, out, in, t, 1.0f, p.dy, 0, p.x, 0, keep, p.d_weight);
  if (p.d_bias) column_sums(p.d_bias, p.dy, nullptr, nullptr, t, out, p.accumulate);
}

}  // namespace lk
