/**
 * The inference forward pass of a Llama-family decoder, for prompts and decode steps:
 *   x = embed(ids); per layer: h = x + o(attn(rope(q(n)), rope(k(n)), v(n))) with n = rmsNorm(x),
 *   x = h + down(silu(gate(m)) ⊙ up(m)) with m = rmsNorm(h); logits = head(rmsNorm(x)) at each last position.
 * Every linear (lm_head included) adds its LoRA delta s·(x·Aᵀ)·Bᵀ (+ s·lora_bias) for the rows whose sequence
 * uses an adapter naming it; embedding LoRA adds s·B·A[:, id] to each embedded row (model-lora-extras.ts).
 * With a KV cache, positions continue from cache.lengths and the new K/V are appended.
 */
import { MathError } from '@lorakit/core';
import type { DeviceTensor, TensorPool } from '@lorakit/kernels-cuda';
import type { AttachedAdapter } from './attached-adapter.js';
import type { KvCache } from './kv-cache.js';
import type { ModelParts } from './model-parts.js';
import { addEmbeddingLora, addLoraBias } from './model-lora-extras.js';
import type { LinearWeights } from './model-weights.js';

export interface InferenceInput {
  readonly tokens: Int32Array;
  readonly batch: number;
  /** Per sequence: its adapter, or undefined for the base model. */
  readonly adapters: readonly (AttachedAdapter | undefined)[];
  readonly cache?: KvCache | undefined;
}

/** Applies one linear layer, with each row's adapter (single-adapter op when every row agrees). */
function linear(
  parts: ModelParts,
  input: InferenceInput,
  rowsPerSequence: number,
  weights: LinearWeights,
  x: DeviceTensor,
  out: DeviceTensor,
  pool: TensorPool,
): void {
  linearWithoutBias(parts, input, rowsPerSequence, weights, x, out);
  // lora_bias: s·b on the rows of the sequences whose adapter has one for this layer.
  const withBias = new Set(
    input.adapters.filter((adapter) => adapter?.modules.get(weights.name)?.loraBias !== undefined),
  );
  for (const adapter of withBias) {
    const module = adapter!.modules.get(weights.name)!;
    const every = input.adapters.every((other) => other === adapter);
    const mask = new Float32Array(input.batch * rowsPerSequence);
    input.adapters.forEach((other, sequence) => {
      if (other === adapter) mask.fill(1, sequence * rowsPerSequence, (sequence + 1) * rowsPerSequence);
    });
    addLoraBias(parts.backend, pool, out, module, every ? undefined : mask);
  }
}

/** x[rows of each sequence] += its adapter's embedding LoRA delta. */
function embeddingLora(parts: ModelParts, input: InferenceInput, x: DeviceTensor, pool: TensorPool): void {
  const T = input.tokens.length / input.batch;
  for (const adapter of new Set(input.adapters)) {
    const module = adapter?.modules.get(parts.weights.embeddingName);
    if (!module) continue;
    const every = input.adapters.every((other) => other === adapter);
    const rows: number[] = [];
    input.adapters.forEach((other, sequence) => {
      if (other === adapter) for (let t = 0; t < T; t++) rows.push(sequence * T + t);
    });
    addEmbeddingLora(parts.backend, pool, x, module, input.tokens, every ? undefined : Int32Array.from(rows));
  }
}

function linearWithoutBias(
  parts: ModelParts,
  input: InferenceInput,
  rowsPerSequence: number,
  weights: LinearWeights,
  x: DeviceTensor,
  out: DeviceTensor,
): void {
  const slots: AttachedAdapter[] = [];
  const sequenceSlot = input.adapters.map((adapter) => {
    if (!adapter?.modules.has(weights.name)) return -1;
    let slot = slots.indexOf(adapter);
    if (slot < 0) slot = slots.push(adapter) - 1;
    return slot;
  });
  const bias = weights.bias ? { bias: weights.bias } : {};
  if (slots.length === 0) {
    parts.backend.loraLinearForward({ x, weight: weights.weight, ...bias, out });
    return;
  }
  const modules = slots.map((adapter) => adapter.modules.get(weights.name)!);
  if (slots.length === 1 && sequenceSlot.every((slot) => slot === 0)) {
    const module = modules[0]!;
    parts.backend.loraLinearForward({
      x,
      weight: weights.weight,
      ...bias,
      loraA: module.loraA,
      loraB: module.loraB,
      scale: module.scale,
      out,
    });
    return;
  }
  const rowAdapter = new Int32Array(input.batch * rowsPerSequence);
  sequenceSlot.forEach((slot, sequence) =>
    rowAdapter.fill(slot, sequence * rowsPerSequence, (sequence + 1) * rowsPerSequence),
  );
  parts.backend.loraMultiForward({
    x,
    weight: weights.weight,
    ...bias,
    adapters: modules.map((module) => ({ loraA: module.loraA, loraB: module.loraB, scale: module.scale })),
    rowAdapter,
    out,
  });
}

/** Last-position logits [batch × vocab] of one forward pass; advances cache.lengths by T. */
export function inferenceForward(parts: ModelParts, input: InferenceInput, pool: TensorPool): Float32Array {
  const { backend, weights, dimensions: d, rope, eps } = parts;
  const { batch, cache } = input;
  const T = input.tokens.length / batch;
  if (!Number.isInteger(T) || T < 1) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `forward: ${input.tokens.length} tokens do not split into ${batch} sequences of equal length ≥ 1`,
    );
  }
  const offsets = cache ? Int32Array.from(cache.lengths) : new Int32Array(batch);
  if (cache) {
    if (cache.disposed) throw new MathError('INVALID_ARGUMENT', 'forward: the KV cache was disposed');
    if (cache.batch !== batch)
      throw new MathError(
        'INVALID_ARGUMENT',
        `forward: the KV cache holds ${cache.batch} sequences, the input ${batch}`,
      );
    const longest = Math.max(...offsets) + T;
    if (longest > cache.maxLength) {
      throw new MathError(
        'INVALID_ARGUMENT',
        `forward: ${longest} positions do not fit the KV cache of length ${cache.maxLength}`,
        {
          fix: 'create the cache with a larger maxLength',
        },
      );
    }
    // A chunk after earlier positions: attend through the cache one position at a time.
    if (T > 1 && offsets.some((offset) => offset > 0)) {
      let logits: Float32Array = new Float32Array(0);
      for (let t = 0; t < T; t++) {
        const tokens = new Int32Array(batch);
        for (let b = 0; b < batch; b++) tokens[b] = input.tokens[b * T + t]!;
        logits = inferenceForward(parts, { ...input, tokens }, pool);
      }
      return logits;
    }
  }
  pool.releaseAll();
  const N = batch * T;
  const { hidden, heads, kvHeads, headDim, intermediate, vocab } = d;
  const positions = new Int32Array(N);
  for (let b = 0; b < batch; b++) for (let t = 0; t < T; t++) positions[b * T + t] = offsets[b]! + t;

  const x = pool.acquire([N, hidden]);
  const normed = pool.acquire([N, hidden]);
  const q = pool.acquire([N, heads * headDim]);
  const k = pool.acquire([N, kvHeads * headDim]);
  const v = pool.acquire([N, kvHeads * headDim]);
  const attended = pool.acquire([N, heads * headDim]);
  const projected = pool.acquire([N, hidden]);
  const gate = pool.acquire([N, intermediate]);
  const up = pool.acquire([N, intermediate]);
  const activated = pool.acquire([N, intermediate]);
  const decode = cache !== undefined && T === 1;
  const logSumExp = decode ? undefined : pool.acquire([batch, heads, T]);
  const lengths = Int32Array.from(offsets, (offset) => offset + T);

  backend.embedding(x, weights.embedding, input.tokens);
  embeddingLora(parts, input, x, pool);
  weights.layers.forEach((layer, index) => {
    const run = (name: keyof typeof layer.linears, from: DeviceTensor, to: DeviceTensor): void =>
      linear(parts, input, T, layer.linears[name], from, to, pool);
    backend.rmsNorm(normed, x, layer.inputNorm, eps);
    run('self_attn.q_proj', normed, q);
    run('self_attn.k_proj', normed, k);
    run('self_attn.v_proj', normed, v);
    backend.rope({
      x: backend.view(q, [N, heads, headDim]),
      positions,
      theta: rope.theta,
      ...(rope.scaling ? { scaling: rope.scaling } : {}),
    });
    backend.rope({
      x: backend.view(k, [N, kvHeads, headDim]),
      positions,
      theta: rope.theta,
      ...(rope.scaling ? { scaling: rope.scaling } : {}),
    });
    const kvShape = [batch, T, kvHeads, headDim];
    if (cache) {
      backend.writeKvCache({
        keyCache: cache.keys[index]!,
        valueCache: cache.values[index]!,
        k: backend.view(k, kvShape),
        v: backend.view(v, kvShape),
        offsets,
      });
    }
    if (decode && cache) {
      backend.decodeAttention({
        q: backend.view(q, [batch, heads, headDim]),
        keyCache: cache.keys[index]!,
        valueCache: cache.values[index]!,
        lengths,
        out: backend.view(attended, [batch, heads, headDim]),
      });
    } else {
      backend.attention({
        q: backend.view(q, [batch, T, heads, headDim]),
        k: backend.view(k, kvShape),
        v: backend.view(v, kvShape),
        out: backend.view(attended, [batch, T, heads, headDim]),
        logSumExp: logSumExp!,
      });
    }
    run('self_attn.o_proj', attended, projected);
    backend.add(x, x, projected);
    backend.rmsNorm(normed, x, layer.postAttentionNorm, eps);
    run('mlp.gate_proj', normed, gate);
    run('mlp.up_proj', normed, up);
    backend.siluMul(activated, gate, up);
    run('mlp.down_proj', activated, projected);
    backend.add(x, x, projected);
  });

  // Only the last position of each sequence needs logits: gather those rows (embedding is a row gather).
  const lastRows = Int32Array.from({ length: batch }, (_, b) => b * T + T - 1);
  const last = pool.acquire([batch, hidden]);
  const lastNormed = pool.acquire([batch, hidden]);
  const logits = pool.acquire([batch, vocab]);
  backend.embedding(last, x, lastRows);
  backend.rmsNorm(lastNormed, last, weights.finalNorm, eps);
  linear(parts, input, 1, weights.headLinear, lastNormed, logits, pool);
  if (cache) cache.lengths.set(lengths);
  return backend.toArray(logits);
}
