/**
 * The explicit backward of training-forward.ts, layer by layer in reverse (no autograd):
 *   head: dN = dZ·W_head (dW_head = dZᵀ·N); final RMSNorm; then per layer, for x' = m + down(silu(g)⊙u) and
 *   m = x + o(attn(rope(q), rope(k), v)): dm = dx' + rmsNorm'(gate'ᵀ + up'ᵀ), dx = dm + rmsNorm'(q'ᵀ + k'ᵀ + v'ᵀ)
 *   with RoPE's backward = the inverse rotation; embedding: scatter-add of dx (full fine-tuning only).
 * Method 'lora' writes only LoRA gradients (A/B, lora_B's bias, lm_head's and the embedding's LoRA) and skips
 * the input gradient of the first layer unless the embedding has LoRA.
 */
import type { DeviceTensor, TensorPool } from '@lorakit/kernels-cuda';
import type { ModelParts } from './model-parts.js';
import { embeddingLoraBackward, loraBiasBackward } from './model-lora-extras.js';
import { dropoutFor } from './training-plan.js';
import type { LinearPlan, TrainingPlan } from './training-plan.js';
import type { SavedForward } from './training-forward.js';

export function trainingBackward(
  parts: ModelParts,
  plan: TrainingPlan,
  saved: SavedForward,
  pool: TensorPool,
  accumulate: boolean,
): void {
  const { backend, weights, dimensions: d, rope } = parts;
  const { batch, length: T } = saved;
  const N = batch * T;
  const { hidden, heads, kvHeads, headDim, intermediate } = d;
  const full = plan.gradEmbedding !== undefined;
  const embeddingLora = plan.embeddingLora;
  const ropeOptions = {
    theta: rope.theta,
    ...(rope.scaling ? { scaling: rope.scaling } : {}),
    inverse: true,
  };

  const linearBackward = (
    linear: LinearPlan,
    dy: DeviceTensor,
    x: DeviceTensor,
    shrink: DeviceTensor | undefined,
    dx: DeviceTensor | undefined,
  ): void => {
    const { weights: w, lora } = linear;
    if (!dx && !lora && !linear.gradWeight && !linear.gradBias) return;
    const dropout = dropoutFor(linear, saved.dropoutProbability, saved.seed);
    backend.loraLinearBackward({
      dy,
      x,
      weight: w.weight,
      ...(lora && shrink
        ? {
            loraA: lora.loraA,
            loraB: lora.loraB,
            scale: lora.scale,
            shrink,
            dA: linear.gradA,
            dB: linear.gradB,
          }
        : {}),
      ...(dropout ? { dropout } : {}),
      ...(dx ? { dx } : {}),
      ...(linear.gradWeight ? { dWeight: linear.gradWeight } : {}),
      ...(linear.gradBias ? { dBias: linear.gradBias } : {}),
      accumulate,
    });
    if (lora && linear.gradLoraBias)
      loraBiasBackward(backend, pool, dy, lora, linear.gradLoraBias, accumulate);
  };

  const dLogits = saved.logits;
  const dNormed = pool.acquire([N, hidden]);
  const dx = pool.acquire([N, hidden]);
  const dTemporary = pool.acquire([N, hidden]);
  const dOther = pool.acquire([N, hidden]);
  const dActivated = pool.acquire([N, intermediate]);
  const dGate = pool.acquire([N, intermediate]);
  const dUp = pool.acquire([N, intermediate]);
  const dAttended = pool.acquire([N, heads * headDim]);
  const dq = pool.acquire([N, heads * headDim]);
  const dk = pool.acquire([N, kvHeads * headDim]);
  const dv = pool.acquire([N, kvHeads * headDim]);

  if (plan.head.lora) linearBackward(plan.head, dLogits, saved.finalNormed, saved.headShrink, dNormed);
  else backend.matmul(dNormed, dLogits, weights.head);
  const headGradient = plan.gradHead ?? plan.gradEmbedding;
  if (headGradient)
    backend.matmul(headGradient, dLogits, saved.finalNormed, { transposeA: true, beta: accumulate ? 1 : 0 });
  backend.rmsNormBackward({
    dx,
    dy: dNormed,
    x: saved.output,
    weight: weights.finalNorm,
    rstd: saved.finalRstd,
    ...(plan.gradFinalNorm ? { dWeight: plan.gradFinalNorm } : {}),
    accumulate,
  });

  for (let index = weights.layers.length - 1; index >= 0; index--) {
    const layer = weights.layers[index]!;
    const layerPlan = plan.layers[index]!;
    const s = saved.layers[index]!;
    const linears = layerPlan.linears;
    // MLP block: dx holds d(output of the layer).
    linearBackward(linears['mlp.down_proj'], dx, s.activated, s.shrinks['mlp.down_proj'], dActivated);
    backend.siluMulBackward({ dGate, dUp, dy: dActivated, gate: s.gate, up: s.up });
    linearBackward(linears['mlp.gate_proj'], dGate, s.postNormed, s.shrinks['mlp.gate_proj'], dNormed);
    linearBackward(linears['mlp.up_proj'], dUp, s.postNormed, s.shrinks['mlp.up_proj'], dOther);
    backend.add(dNormed, dNormed, dOther);
    backend.rmsNormBackward({
      dx: dTemporary,
      dy: dNormed,
      x: s.middle,
      weight: layer.postAttentionNorm,
      rstd: s.postRstd,
      ...(layerPlan.gradPostAttentionNorm ? { dWeight: layerPlan.gradPostAttentionNorm } : {}),
      accumulate,
    });
    backend.add(dx, dx, dTemporary);
    // Attention block: dx holds d(middle).
    linearBackward(linears['self_attn.o_proj'], dx, s.attended, s.shrinks['self_attn.o_proj'], dAttended);
    const qShape = [batch, T, heads, headDim];
    const kvShape = [batch, T, kvHeads, headDim];
    backend.attentionBackward({
      dOut: backend.view(dAttended, qShape),
      q: backend.view(s.q, qShape),
      k: backend.view(s.k, kvShape),
      v: backend.view(s.v, kvShape),
      out: backend.view(s.attended, qShape),
      logSumExp: s.logSumExp,
      dq: backend.view(dq, qShape),
      dk: backend.view(dk, kvShape),
      dv: backend.view(dv, kvShape),
    });
    backend.rope({ x: backend.view(dq, [N, heads, headDim]), positions: saved.positions, ...ropeOptions });
    backend.rope({ x: backend.view(dk, [N, kvHeads, headDim]), positions: saved.positions, ...ropeOptions });
    // The first layer's input gradient only feeds the embedding, which LoRA training leaves frozen.
    const needInput = full || index > 0 || embeddingLora !== undefined;
    linearBackward(
      linears['self_attn.q_proj'],
      dq,
      s.normed,
      s.shrinks['self_attn.q_proj'],
      needInput ? dNormed : undefined,
    );
    linearBackward(
      linears['self_attn.k_proj'],
      dk,
      s.normed,
      s.shrinks['self_attn.k_proj'],
      needInput ? dOther : undefined,
    );
    if (needInput) backend.add(dNormed, dNormed, dOther);
    linearBackward(
      linears['self_attn.v_proj'],
      dv,
      s.normed,
      s.shrinks['self_attn.v_proj'],
      needInput ? dOther : undefined,
    );
    if (!needInput) continue;
    backend.add(dNormed, dNormed, dOther);
    backend.rmsNormBackward({
      dx: dTemporary,
      dy: dNormed,
      x: s.input,
      weight: layer.inputNorm,
      rstd: s.inputRstd,
      ...(layerPlan.gradInputNorm ? { dWeight: layerPlan.gradInputNorm } : {}),
      accumulate,
    });
    backend.add(dx, dx, dTemporary);
  }
  if (embeddingLora) {
    embeddingLoraBackward(backend, pool, dx, embeddingLora.module, saved.tokens, embeddingLora, accumulate);
  }
  if (plan.gradEmbedding) {
    // Tied: the head's gradient is already in gradEmbedding, so the scatter adds to it.
    const tied = plan.gradHead === undefined;
    backend.embeddingBackward(plan.gradEmbedding, dx, saved.tokens, { accumulate: accumulate || tied });
  }
}
