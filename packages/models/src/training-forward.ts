/**
 * The training forward pass: the same maths as inference-forward.ts over whole sequences, keeping what the
 * backward needs (each layer's input, normed inputs with their 1/rms, post-RoPE q/k, v, attention output and
 * log-sum-exp, MLP gate/up/product, LoRA shrinks; lm_head, lora_bias and embedding LoRA included), then
 * cross-entropy over every position:
 *   loss = Σ_t [logsumexp(z_t) − z_t[target_t]] / counted, with dLogits written in place for backward().
 */
import type { DeviceTensor, TensorPool } from '@lorakit/kernels-cuda';
import type { ModelParts } from './model-parts.js';
import type { LayerLinearName } from './model-weights.js';
import { addEmbeddingLora, addLoraBias } from './model-lora-extras.js';
import { dropoutFor } from './training-plan.js';
import type { LinearPlan, TrainingPlan } from './training-plan.js';

export interface SavedLayer {
  readonly input: DeviceTensor;
  readonly normed: DeviceTensor;
  readonly inputRstd: DeviceTensor;
  readonly q: DeviceTensor;
  readonly k: DeviceTensor;
  readonly v: DeviceTensor;
  readonly attended: DeviceTensor;
  readonly logSumExp: DeviceTensor;
  readonly middle: DeviceTensor;
  readonly postNormed: DeviceTensor;
  readonly postRstd: DeviceTensor;
  readonly gate: DeviceTensor;
  readonly up: DeviceTensor;
  readonly activated: DeviceTensor;
  readonly shrinks: Partial<Record<LayerLinearName, DeviceTensor>>;
}

export interface SavedForward {
  readonly batch: number;
  readonly length: number;
  readonly tokens: Int32Array;
  readonly positions: Int32Array;
  readonly layers: readonly SavedLayer[];
  readonly output: DeviceTensor;
  readonly finalNormed: DeviceTensor;
  readonly finalRstd: DeviceTensor;
  /** [N, vocab]: the logits, then (after the loss, in training) dLogits. */
  readonly logits: DeviceTensor;
  /** The head's LoRA shrink [N, r] when lm_head has LoRA. */
  readonly headShrink: DeviceTensor | undefined;
  readonly dropoutProbability: number;
  readonly seed: number;
}

export interface TrainingForwardInput {
  readonly tokens: Int32Array;
  readonly targets: Int32Array;
  readonly batch: number;
  readonly ignoreIndex: number;
  /** Write dLogits (scaled by 1/gradientDivisor) into the logits tensor. */
  readonly train: boolean;
  readonly gradientDivisor: number | undefined;
  readonly dropoutProbability: number;
  readonly seed: number;
}

export interface TrainingForwardResult {
  readonly saved: SavedForward;
  readonly loss: number;
  readonly countedTokens: number;
}

export function trainingForward(
  parts: ModelParts,
  plan: TrainingPlan,
  input: TrainingForwardInput,
  pool: TensorPool,
): TrainingForwardResult {
  const { backend, weights, dimensions: d, rope, eps } = parts;
  const { batch, tokens } = input;
  const T = tokens.length / batch;
  const N = tokens.length;
  const { hidden, heads, kvHeads, headDim, intermediate, vocab } = d;
  const positions = new Int32Array(N);
  for (let row = 0; row < N; row++) positions[row] = row % T;
  const ropeOptions = { theta: rope.theta, ...(rope.scaling ? { scaling: rope.scaling } : {}) };
  const dropoutProbability = input.train ? input.dropoutProbability : 0;

  /** One linear layer; returns its LoRA shrink when it has LoRA. */
  const linear = (linearPlan: LinearPlan, x: DeviceTensor, out: DeviceTensor): DeviceTensor | undefined => {
    const { weights: w, lora } = linearPlan;
    const bias = w.bias ? { bias: w.bias } : {};
    if (!lora) {
      backend.loraLinearForward({ x, weight: w.weight, ...bias, out });
      return undefined;
    }
    const shrink = pool.acquire([N, lora.r]);
    const dropout = dropoutFor(linearPlan, dropoutProbability, input.seed);
    backend.loraLinearForward({
      x,
      weight: w.weight,
      ...bias,
      loraA: lora.loraA,
      loraB: lora.loraB,
      scale: lora.scale,
      ...(dropout ? { dropout } : {}),
      out,
      shrink,
    });
    addLoraBias(backend, pool, out, lora);
    return shrink;
  };

  let x = pool.acquire([N, hidden]);
  backend.embedding(x, weights.embedding, tokens);
  if (plan.embeddingLora) addEmbeddingLora(backend, pool, x, plan.embeddingLora.module, tokens);
  const projected = pool.acquire([N, hidden]);
  const layers: SavedLayer[] = weights.layers.map((layer, index) => {
    const layerPlan = plan.layers[index]!;
    const shrinks: SavedLayer['shrinks'] = {};
    const saved: SavedLayer = {
      input: x,
      normed: pool.acquire([N, hidden]),
      inputRstd: pool.acquire([N]),
      q: pool.acquire([N, heads * headDim]),
      k: pool.acquire([N, kvHeads * headDim]),
      v: pool.acquire([N, kvHeads * headDim]),
      attended: pool.acquire([N, heads * headDim]),
      logSumExp: pool.acquire([batch, heads, T]),
      middle: pool.acquire([N, hidden]),
      postNormed: pool.acquire([N, hidden]),
      postRstd: pool.acquire([N]),
      gate: pool.acquire([N, intermediate]),
      up: pool.acquire([N, intermediate]),
      activated: pool.acquire([N, intermediate]),
      shrinks,
    };
    const run = (name: LayerLinearName, from: DeviceTensor, to: DeviceTensor): void => {
      const shrink = linear(layerPlan.linears[name], from, to);
      if (shrink) shrinks[name] = shrink;
    };
    backend.rmsNorm(saved.normed, x, layer.inputNorm, eps, saved.inputRstd);
    run('self_attn.q_proj', saved.normed, saved.q);
    run('self_attn.k_proj', saved.normed, saved.k);
    run('self_attn.v_proj', saved.normed, saved.v);
    backend.rope({ x: backend.view(saved.q, [N, heads, headDim]), positions, ...ropeOptions });
    backend.rope({ x: backend.view(saved.k, [N, kvHeads, headDim]), positions, ...ropeOptions });
    const kvShape = [batch, T, kvHeads, headDim];
    backend.attention({
      q: backend.view(saved.q, [batch, T, heads, headDim]),
      k: backend.view(saved.k, kvShape),
      v: backend.view(saved.v, kvShape),
      out: backend.view(saved.attended, [batch, T, heads, headDim]),
      logSumExp: saved.logSumExp,
    });
    run('self_attn.o_proj', saved.attended, projected);
    backend.add(saved.middle, x, projected);
    backend.rmsNorm(saved.postNormed, saved.middle, layer.postAttentionNorm, eps, saved.postRstd);
    run('mlp.gate_proj', saved.postNormed, saved.gate);
    run('mlp.up_proj', saved.postNormed, saved.up);
    backend.siluMul(saved.activated, saved.gate, saved.up);
    run('mlp.down_proj', saved.activated, projected);
    x = pool.acquire([N, hidden]);
    backend.add(x, saved.middle, projected);
    return saved;
  });

  const finalNormed = pool.acquire([N, hidden]);
  const finalRstd = pool.acquire([N]);
  const logits = pool.acquire([N, vocab]);
  const losses = pool.acquire([N]);
  backend.rmsNorm(finalNormed, x, weights.finalNorm, eps, finalRstd);
  const headShrink = linear(plan.head, finalNormed, logits);
  let countedTokens = 0;
  for (const target of input.targets) if (target !== input.ignoreIndex) countedTokens++;
  const divisor = input.gradientDivisor ?? countedTokens;
  backend.crossEntropy({
    logits,
    targets: input.targets,
    ignoreIndex: input.ignoreIndex,
    losses,
    ...(input.train ? { dLogits: logits, gradScale: divisor > 0 ? 1 / divisor : 0 } : {}),
  });
  let total = 0;
  for (const value of backend.toArray(losses)) total += value;
  return {
    saved: {
      batch,
      length: T,
      tokens,
      positions,
      layers,
      output: x,
      finalNormed,
      finalRstd,
      logits,
      headShrink,
      dropoutProbability,
      seed: input.seed,
    },
    loss: countedTokens > 0 ? total / countedTokens : 0,
    countedTokens,
  };
}
