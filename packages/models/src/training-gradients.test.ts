/**
 * The explicit backward against finite differences: for every trainable tensor p and a random unit direction u,
 * ⟨∇L, u⟩ must equal (L(p + h·u) − L(p − h·u)) / 2h. Small random models on the reference backend (f32, so the
 * tolerance is |fd − analytic| ≤ 2e-5 + 1e-2·|fd|; u leans towards ∇L so the signal stays above f32 noise).
 */
import { createLoraConfig, fromFloat32, listModelModules, resolveTargets } from '@lorakit/core';
import { randomAdapter } from '@lorakit/core/test';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import type { Model } from './model.js';
import { tinyModelFolder } from './testing/tiny-model-folder.js';
import type { TinyModelFolder } from './testing/tiny-model-folder.js';
import type { TrainingBatch, TrainingSession } from './training-session.js';

const folders: TinyModelFolder[] = [];
afterAll(() => folders.forEach((folder) => folder.remove()));

async function tinyModel(overrides: Record<string, unknown>): Promise<Model> {
  const folder = await tinyModelFolder(overrides);
  folders.push(folder);
  return loadModel(folder.folder, { backend: 'reference' });
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const batch: TrainingBatch = {
  batch: 2,
  tokens: Int32Array.from([3, 17, 9, 30, 1, 22, 5, 12, 8, 0]),
  targets: Int32Array.from([17, 9, -100, 1, 22, 5, 12, -100, 0, 4]),
};

/** Worst |fd − analytic| / |fd| over the tensors, after checking each within tolerance. */
function checkGradients(model: Model, session: TrainingSession, seed: number): number {
  const backend = model.backend;
  session.forward(batch, { seed });
  session.backward();
  const next = random(11);
  let worst = 0;
  let smallest = Infinity;
  for (const { name, parameter, gradient } of session.parameters) {
    const original = backend.toArray(parameter);
    const analyticGradient = backend.toArray(gradient);
    // Half along the gradient, half random: a large signal above f32 noise that still sees wrong entries.
    const gradientNorm = Math.hypot(...analyticGradient) || 1;
    const direction = Float32Array.from(
      original,
      (_, i) => analyticGradient[i]! / gradientNorm + (next() * 2 - 1) / Math.sqrt(original.length / 3),
    );
    const norm = Math.hypot(...direction);
    let analytic = 0;
    for (let i = 0; i < direction.length; i++) {
      direction[i] = direction[i]! / norm;
      analytic += analyticGradient[i]! * direction[i]!;
    }
    const h = 3e-3;
    const lossAt = (sign: number): number => {
      backend.write(
        parameter,
        original.map((value, i) => value + sign * h * direction[i]!),
      );
      return session.forward(batch, { seed }).loss;
    };
    const finite = (lossAt(1) - lossAt(-1)) / (2 * h);
    backend.write(parameter, original);
    const error = Math.abs(finite - analytic);
    worst = Math.max(worst, error / Math.abs(finite));
    expect(error, `${name}: finite ${finite}, analytic ${analytic}`).toBeLessThanOrEqual(
      2e-5 + 1e-2 * Math.abs(finite),
    );
    // A zero gradient would pass trivially: every tensor here influences the loss.
    expect(Math.abs(analytic), name).toBeGreaterThan(1e-6);
    smallest = Math.min(smallest, Math.abs(analytic));
  }
  console.log(`smallest |⟨∇L, u⟩| ${smallest.toExponential(2)}`);
  return worst;
}

describe('backward against finite differences (reference backend)', () => {
  it('method full: every weight of an untied GQA Llama', async () => {
    const model = await tinyModel({});
    const session = model.createTrainingSession({ method: 'full' });
    expect(session.parameters).toHaveLength(2 * 9 + 3);
    console.log(`full, untied: worst relative error ${checkGradients(model, session, 0).toExponential(2)}`);
    model.dispose();
  });

  it('method full: tied embeddings and Qwen2 q/k/v biases', async () => {
    const model = await tinyModel({ model_type: 'qwen2', tie_word_embeddings: true });
    const session = model.createTrainingSession({ method: 'full' });
    const names = session.parameters.map((p) => p.name);
    expect(names).toContain('model.layers.1.self_attn.k_proj.bias');
    expect(names).not.toContain('lm_head.weight');
    console.log(
      `full, tied qwen2: worst relative error ${checkGradients(model, session, 0).toExponential(2)}`,
    );
    model.dispose();
  });

  it('method lora: A and B of every module, with dropout, no base gradients', async () => {
    const model = await tinyModel({
      rope_scaling: {
        rope_type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8,
      },
    });
    const config = createLoraConfig({ r: 4, lora_alpha: 8, target_modules: 'all-linear', lora_dropout: 0.2 });
    const modules = resolveTargets(listModelModules(model.config), config);
    model.attachAdapter('train', randomAdapter(config, modules, { seed: 3 }));
    const session = model.createTrainingSession({ method: 'lora', adapter: 'train' });
    expect(session.parameters).toHaveLength(2 * 7 * 2);
    expect(session.parameters[0]?.name).toBe('model.layers.0.self_attn.q_proj.lora_A.weight');
    console.log(`lora + dropout: worst relative error ${checkGradients(model, session, 5).toExponential(2)}`);
    model.dispose();
  });

  it('method lora: lm_head, embed_tokens and lora_bias (tied Qwen2), with dropout', async () => {
    const model = await tinyModel({ model_type: 'qwen2', tie_word_embeddings: true });
    const config = createLoraConfig({
      r: 4,
      lora_alpha: 8,
      target_modules: ['q_proj', 'v_proj', 'down_proj', 'lm_head', 'embed_tokens'],
      lora_dropout: 0.2,
      lora_bias: true,
    });
    const modules = resolveTargets(listModelModules(model.config), config);
    const adapter = randomAdapter(config, modules, { seed: 3 });
    const next = random(4);
    model.attachAdapter('train', {
      ...adapter,
      modules: adapter.modules.map((module) =>
        module.kind === 'linear'
          ? {
              ...module,
              loraBias: fromFloat32(
                Float32Array.from({ length: module.out }, () => next() - 0.5),
                [module.out],
                'F32',
              ),
            }
          : module,
      ),
    });
    const session = model.createTrainingSession({ method: 'lora', adapter: 'train' });
    const names = session.parameters.map((p) => p.name);
    expect(names).toHaveLength(2 + 2 * 3 * 3 + 3);
    expect(names[0]).toBe('model.embed_tokens.lora_embedding_A');
    expect(names).toContain('model.layers.1.mlp.down_proj.lora_B.bias');
    expect(names.at(-1)).toBe('lm_head.lora_B.bias');
    console.log(`lora extras: worst relative error ${checkGradients(model, session, 5).toExponential(2)}`);
    // accumulate adds: a second backward of the same batch doubles every gradient.
    session.forward(batch, { seed: 5 });
    session.backward();
    const once = session.parameters.map((p) => model.backend.toArray(p.gradient));
    session.forward(batch, { seed: 5 });
    session.backward({ accumulate: true });
    session.parameters.forEach((p, i) => {
      const twice = model.backend.toArray(p.gradient);
      once[i]!.forEach((value, j) => expect(twice[j]!).toBeCloseTo(2 * value, 5));
    });
    model.dispose();
  });
});
