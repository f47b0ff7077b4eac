/**
 * lm_head LoRA, lora_bias and embedding LoRA against core's mergeAdapter (PEFT's merge): the logits with the
 * adapter attached must equal those of the merged weights run as a plain model (|Δ| ≤ 1e-5, f32), for a whole
 * prompt, a mixed batch (adapter rows next to base rows) and cached decode steps. DoRA stays a typed error.
 */
import {
  createLoraConfig,
  fromFloat32,
  listModelModules,
  mergeAdapter,
  resolveTargets,
  toFloat32,
} from '@lorakit/core';
import type { Adapter } from '@lorakit/core';
import { randomAdapter, randomValues, seededRandom } from '@lorakit/core/test';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import type { Model } from './model.js';
import { tinyModelFolder } from './testing/tiny-model-folder.js';
import type { TinyModelFolder } from './testing/tiny-model-folder.js';

const folders: TinyModelFolder[] = [];
afterAll(() => folders.forEach((folder) => folder.remove()));

const TOLERANCE = 1e-5;

/** A random adapter on `targets`, with a random lora_bias on every linear module when `withBias`. */
function adapterFor(model: Model, targets: string[], withBias: boolean): Adapter {
  const config = createLoraConfig({ r: 4, lora_alpha: 8, target_modules: targets, lora_bias: withBias });
  const adapter = randomAdapter(config, resolveTargets(listModelModules(model.config), config), { seed: 5 });
  const random = seededRandom(9);
  return {
    ...adapter,
    modules: adapter.modules.map((module) =>
      withBias && module.kind === 'linear'
        ? { ...module, loraBias: fromFloat32(randomValues(random, module.out, 0.5), [module.out], 'F32') }
        : module,
    ),
  };
}

/** The base model twice: one with `adapter` attached as "a", one holding mergeAdapter's merged weights. */
async function attachedAndMerged(
  overrides: Record<string, unknown>,
  adapter: (model: Model) => Adapter,
): Promise<{ attached: Model; merged: Model }> {
  const folder = await tinyModelFolder(overrides);
  folders.push(folder);
  const attached = await loadModel(folder.folder, { backend: 'cpu' });
  const merged = await loadModel(folder.folder, { backend: 'cpu' });
  const chosen = adapter(attached);
  attached.attachAdapter('a', chosen);
  const { tensors } = mergeAdapter(attached.exportWeights(), chosen);
  for (const [name, tensor] of merged.parts.weights.byName)
    merged.backend.write(tensor, toFloat32(tensors.get(name)!));
  return { attached, merged };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const prompt = [3, 17, 9, 30, 1, 22, 5];
const other = [8, 0, 4, 12, 19, 2, 31];

function checkAgainstMerge(attached: Model, merged: Model, label: string): void {
  const vocab = attached.dimensions.vocab;
  const base = attached.logits(prompt);
  const withAdapter = attached.logits(prompt, { adapter: 'a' });
  const reference = merged.logits(prompt);
  // The adapter must change something, or the comparison proves nothing.
  expect(maxDifference(withAdapter, base), label).toBeGreaterThan(1e-2);
  const single = maxDifference(withAdapter, reference);
  // Mixed batch: row 0 base, row 1 adapter.
  const mixed = attached.forward({ tokens: [...other, ...prompt], batch: 2, adapters: [null, 'a'] });
  const mixedAdapter = maxDifference(mixed.slice(vocab), reference);
  const mixedBase = maxDifference(mixed.slice(0, vocab), attached.logits(other));
  // Cached decode: prompt then one token at a time.
  const cache = attached.createKvCache(2, 16);
  const mergedCache = merged.createKvCache(2, 16);
  let decoded = attached.forward({ tokens: [...prompt, ...other], batch: 2, adapters: ['a', 'a'], cache });
  let expected = merged.forward({ tokens: [...prompt, ...other], batch: 2, cache: mergedCache });
  let decode = maxDifference(decoded, expected);
  for (const step of [
    [6, 7],
    [11, 29],
  ]) {
    decoded = attached.forward({ tokens: step, batch: 2, adapters: ['a', null], cache });
    expected = merged.forward({ tokens: step, batch: 2, cache: mergedCache });
    decode = Math.max(decode, maxDifference(decoded.slice(0, vocab), expected.slice(0, vocab)));
  }
  console.log(
    `${label}: max |Δ| vs merged: single ${single.toExponential(2)}, mixed ${mixedAdapter.toExponential(2)} (base row ${mixedBase.toExponential(2)}), decode ${decode.toExponential(2)}`,
  );
  expect(single, label).toBeLessThanOrEqual(TOLERANCE);
  expect(mixedAdapter, label).toBeLessThanOrEqual(TOLERANCE);
  expect(mixedBase, label).toBeLessThanOrEqual(TOLERANCE);
  expect(decode, label).toBeLessThanOrEqual(TOLERANCE);
}

describe('adapter features beyond the decoder projections equal the merged model', () => {
  it('LoRA on lm_head', async () => {
    const { attached, merged } = await attachedAndMerged({}, (model) =>
      adapterFor(model, ['q_proj', 'lm_head'], false),
    );
    checkAgainstMerge(attached, merged, 'lm_head');
    attached.dispose();
    merged.dispose();
  });

  it('lora_bias on Qwen2 q/k/v (layers with a base bias)', async () => {
    const { attached, merged } = await attachedAndMerged({ model_type: 'qwen2' }, (model) =>
      adapterFor(model, ['q_proj', 'k_proj', 'v_proj'], true),
    );
    const exported = attached.exportAdapter('a');
    for (const module of exported.modules) expect(module.loraBias?.shape).toEqual([module.out]);
    checkAgainstMerge(attached, merged, 'lora_bias');
    attached.dispose();
    merged.dispose();
  });

  it('LoRA on embed_tokens (untied: the head keeps its own table)', async () => {
    const { attached, merged } = await attachedAndMerged({}, (model) =>
      adapterFor(model, ['embed_tokens', 'o_proj'], false),
    );
    checkAgainstMerge(attached, merged, 'embed_tokens');
    attached.dispose();
    merged.dispose();
  });

  it('DoRA is refused with the merge fix', async () => {
    const folder = await tinyModelFolder({});
    folders.push(folder);
    const model = await loadModel(folder.folder, { backend: 'cpu' });
    const adapter = adapterFor(model, ['q_proj'], false);
    const dora: Adapter = {
      ...adapter,
      modules: adapter.modules.map((module) => ({
        ...module,
        magnitude: fromFloat32(new Float32Array(module.out).fill(1), [module.out], 'F32'),
      })),
    };
    expect(() => model.attachAdapter('d', dora)).toThrow(/DoRA.*/);
    try {
      model.attachAdapter('d', dora);
    } catch (error) {
      expect(String((error as { fix?: string }).fix)).toContain('lorakit merge');
    }
    model.dispose();
  });
});
