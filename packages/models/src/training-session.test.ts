/**
 * Training sessions: the loss equals cross-entropy of the inference logits (atol 1e-5), a step allocates nothing
 * after the first, a few AdamW steps lower the loss, and trained values export as an adapter / checkpoint tensors.
 */
import { createLoraConfig, toFloat32 } from '@lorakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoraAdapter } from './create-lora-adapter.js';
import { loadModel } from './load-model.js';
import type { Model } from './model.js';
import { tinyModelFolder } from './testing/tiny-model-folder.js';
import type { TinyModelFolder } from './testing/tiny-model-folder.js';
import type { TrainingBatch, TrainingSession } from './training-session.js';

const tokens = Int32Array.from([3, 17, 9, 30, 1, 22, 5, 12, 8, 0, 14, 6]);
const batch: TrainingBatch = {
  batch: 2,
  tokens,
  targets: Int32Array.from([17, 9, 30, 1, 22, -100, 12, 8, 0, 14, 6, 2]),
};

function adamSteps(model: Model, session: TrainingSession, steps: number): number[] {
  const moments = session.parameters.map(
    (p) => [model.backend.zeros(p.parameter.shape), model.backend.zeros(p.parameter.shape)] as const,
  );
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    losses.push(session.forward(batch, { seed: step }).loss);
    session.backward();
    session.parameters.forEach((p, i) => {
      const [m, v] = moments[i]!;
      model.backend.adamw({
        param: p.parameter,
        grad: p.gradient,
        m,
        v,
        step,
        lr: 1e-2,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0,
      });
    });
  }
  moments.flat().forEach((tensor) => tensor.dispose());
  return losses;
}

describe('training session (cpu)', () => {
  let folder: TinyModelFolder;
  let model: Model;
  beforeAll(async () => {
    folder = await tinyModelFolder({ tie_word_embeddings: true });
    model = await loadModel(folder.folder, { backend: 'cpu' });
  });
  afterAll(() => {
    model.dispose();
    folder.remove();
  });

  it('a fresh PEFT-initialised adapter leaves the logits unchanged and has A within ±1/√in', () => {
    const adapter = createLoraAdapter(
      model,
      createLoraConfig({ r: 4, target_modules: ['q_proj', 'v_proj'] }),
      { seed: 1 },
    );
    expect(adapter.modules.map((m) => m.name)).toContain('model.layers.1.self_attn.v_proj');
    for (const module of adapter.modules) {
      expect(Math.max(...toFloat32(module.loraA).map(Math.abs))).toBeLessThanOrEqual(
        1 / Math.sqrt(module.in),
      );
      expect(toFloat32(module.loraB).every((value) => value === 0)).toBe(true);
    }
    model.attachAdapter('fresh', adapter);
    const difference = model
      .logits([1, 2, 3], { adapter: 'fresh' })
      .map((value, i) => Math.abs(value - model.logits([1, 2, 3])[i]!));
    expect(Math.max(...difference)).toBe(0);
    model.detachAdapter('fresh');
  });

  it('the training loss equals cross-entropy of the inference logits (atol 1e-5)', () => {
    const session = model.createTrainingSession({ method: 'full' });
    const targets = new Int32Array(6).fill(-100);
    targets[5] = 7;
    const { loss, countedTokens } = session.forward(
      { batch: 1, tokens: tokens.subarray(0, 6), targets },
      { train: false },
    );
    const logits = model.logits(tokens.subarray(0, 6));
    const top = Math.max(...logits);
    const logSumExp = top + Math.log(logits.reduce((sum, value) => sum + Math.exp(value - top), 0));
    expect(countedTokens).toBe(1);
    expect(Math.abs(loss - (logSumExp - logits[7]!))).toBeLessThanOrEqual(1e-5);
    session.dispose();
  });

  it('LoRA steps allocate nothing after the first, lower the loss and export as an adapter', () => {
    const config = createLoraConfig({ r: 4, target_modules: 'all-linear', lora_dropout: 0.1 });
    model.attachAdapter('train', createLoraAdapter(model, config, { seed: 2 }));
    const session = model.createTrainingSession({ method: 'lora', adapter: 'train' });
    adamSteps(model, session, 1);
    const allocations = session.pool.allocations;
    const losses = adamSteps(model, session, 20);
    expect(session.pool.allocations).toBe(allocations);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
    const exported = model.exportAdapter('train');
    expect(exported.modules).toHaveLength(2 * 7);
    const trainedB = toFloat32(exported.modules[0]!.loraB);
    expect(trainedB.some((value) => value !== 0)).toBe(true);
    session.dispose();
    model.detachAdapter('train');
  });

  it('LoRA on lm_head and embed_tokens with lora_bias: starts at the base, trains, exports, reattaches', () => {
    const config = createLoraConfig({
      r: 4,
      target_modules: ['q_proj', 'lm_head', 'embed_tokens'],
      lora_bias: true,
    });
    const base = model.logits([1, 2, 3]);
    model.attachAdapter('extras', createLoraAdapter(model, config, { seed: 2 }));
    // PEFT's init: B = 0, lora_embedding_A = 0, lora_bias = 0, so the adapted model equals the base exactly.
    expect(model.logits([1, 2, 3], { adapter: 'extras' })).toEqual(base);
    const session = model.createTrainingSession({ method: 'lora', adapter: 'extras' });
    adamSteps(model, session, 1);
    const allocations = session.pool.allocations;
    const losses = adamSteps(model, session, 20);
    expect(session.pool.allocations).toBe(allocations);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
    const exported = model.exportAdapter('extras');
    const embedding = exported.modules.find((module) => module.kind === 'embedding')!;
    expect(toFloat32(embedding.loraA).some((value) => value !== 0)).toBe(true);
    const head = exported.modules.find((module) => module.name === 'lm_head')!;
    expect(toFloat32(head.loraBias!).some((value) => value !== 0)).toBe(true);
    model.attachAdapter('reattached', exported);
    const trained = model.logits([1, 2, 3], { adapter: 'extras' });
    expect(model.logits([1, 2, 3], { adapter: 'reattached' })).toEqual(trained);
    session.dispose();
    model.detachAdapter('extras');
    model.detachAdapter('reattached');
  });

  it('full fine-tuning steps lower the loss and export every weight once (tied head not duplicated)', () => {
    const session = model.createTrainingSession({ method: 'full' });
    const before = model.exportWeights();
    const losses = adamSteps(model, session, 10);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
    const after = model.exportWeights();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(after.has('lm_head.weight')).toBe(false);
    expect(toFloat32(after.get('model.norm.weight')!)).not.toEqual(
      toFloat32(before.get('model.norm.weight')!),
    );
    session.dispose();
  });
});
