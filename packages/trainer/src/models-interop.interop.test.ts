/**
 * Interoperability of trained adapters and merged models with the real transformers + PEFT (run by
 * `pnpm test:interop`, which sets LORAKIT_INTEROP=1 and LORAKIT_PEERS_PYTHON). On a small Llama and a small
 * Qwen2 (tied embeddings) that transformers builds from a config and saves with save_pretrained:
 *   - lorakit trains an adapter (`train`, a few steps) → PEFT loads it; last-position logits agree;
 *   - PEFT creates and trains an adapter (a few AdamW steps) → lorakit loads it; logits agree;
 *   - lorakit merges its trained adapter (core's mergeAdapterFolder) → transformers loads the merged folder;
 *     its logits agree with lorakit's base + adapter.
 * Agreement: max |lorakit − PyTorch| over the vocabulary ≤ LOGITS_TOLERANCE (fp32 on both sides).
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeAdapterFolder, readAdapterFolder } from '@lorakit/core/node';
import { INTEROP_ENABLED, runInteropPython } from '@lorakit/core/test';
import { loadModel } from '@lorakit/models';
import { writeTinyModel } from './testing/write-tiny-model.js';
import { train } from './train.js';

const LOGITS_TOLERANCE = 1e-4;
const ENABLED = INTEROP_ENABLED;
const MODELS = ['llama', 'qwen2'] as const;
/** The ids whose last-position logits are compared (bytes and the two special tokens, vocab 260). */
const IDS = [72, 101, 108, 108, 111, 44, 32, 256, 119, 111, 114, 108, 100, 257, 33, 10];
if (!ENABLED) {
  console.warn(
    'models interop: skipped, LORAKIT_INTEROP=1 and LORAKIT_PEERS_PYTHON (a Python with peft) are not both set; run `pnpm test:interop`',
  );
}

function maxDifference(actual: Float32Array, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let largest = 0;
  expected.forEach((value, index) => {
    largest = Math.max(largest, Math.abs((actual[index] as number) - value));
  });
  return largest;
}

/** lorakit's last-position logits of IDS: the base alone, or with the adapter folder attached. */
async function lorakitLogits(base: string, adapter?: string): Promise<Float32Array> {
  using model = await loadModel(base, { backend: 'cpu' });
  if (!adapter) return model.logits(IDS);
  model.attachAdapter('interop', await readAdapterFolder(adapter, { baseModules: model.modules }));
  return model.logits(IDS, { adapter: 'interop' });
}

interface PythonLogits {
  logits: number[] | null;
  error: string | null;
}

/** Largest difference per comparison, printed at the end for the report. */
const measured: Record<string, number> = {};
let workDir = '';
let bases: Record<(typeof MODELS)[number], string>;

describe.skipIf(!ENABLED)('models interop with transformers + PEFT', () => {
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lorakit-models-interop-'));
    bases = await runInteropPython('models_make_bases.py', { root: workDir }, workDir);
    // The byte-level tokenizer files (one token per byte, <|endoftext|> 256, <|pad|> 257) that train() reads.
    const scratch = join(workDir, 'tokenizer-source');
    await writeTinyModel(scratch);
    for (const base of Object.values(bases))
      for (const file of ['tokenizer.json', 'tokenizer_config.json'])
        await copyFile(join(scratch, file), join(base, file));
  }, 600_000);
  afterAll(async () => {
    console.log(`models interop: max |lorakit − PyTorch| logits: ${JSON.stringify(measured)}`);
    if (process.env['LORAKIT_INTEROP_KEEP'] === '1') console.log(`models interop: files kept in ${workDir}`);
    else if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  describe('lorakit trains → PEFT loads; lorakit merges → transformers loads', () => {
    const trained: Record<string, string> = {};
    let python: Record<string, PythonLogits>;
    beforeAll(async () => {
      const data = join(workDir, 'train.jsonl');
      const lines = Array.from({ length: 16 }, (_, index) =>
        JSON.stringify({ text: `record ${index}: the quick brown fox ${index * 7} jumps` }),
      );
      await writeFile(data, `${lines.join('\n')}\n`);
      const cases: Record<string, { model: string; adapter: string | null; ids: number[] }> = {};
      for (const name of MODELS) {
        const out = join(workDir, 'lorakit-trained', name);
        // A large learning rate, so B (zero at init) moves far enough in 4 steps for a wrong scale to show.
        await train({
          model: bases[name],
          data,
          out,
          steps: 4,
          batchSize: 4,
          rank: 4,
          alpha: 8,
          learningRate: 1e-2,
          validationFraction: 0,
          backend: 'cpu',
          progress: false,
        });
        trained[name] = out;
        const merged = join(workDir, 'lorakit-merged', name);
        await mergeAdapterFolder({ base: bases[name], adapter: out, out: merged });
        cases[`${name}:adapter`] = { model: bases[name], adapter: out, ids: IDS };
        cases[`${name}:merged`] = { model: merged, adapter: null, ids: IDS };
        cases[`${name}:base`] = { model: bases[name], adapter: null, ids: IDS };
      }
      python = await runInteropPython('models_logits.py', { cases }, workDir);
    }, 600_000);

    it.each(MODELS)('%s: the base alone agrees (the starting point of the other checks)', async (name) => {
      const theirs = python[`${name}:base`];
      expect(theirs?.error ?? null).toBeNull();
      const difference = maxDifference(await lorakitLogits(bases[name]), theirs?.logits ?? []);
      measured[`${name} base`] = difference;
      expect(difference).toBeLessThanOrEqual(LOGITS_TOLERANCE);
    });

    it.each(MODELS)('%s: PEFT loads the adapter lorakit trained; logits agree', async (name) => {
      const theirs = python[`${name}:adapter`];
      expect(theirs?.error ?? null).toBeNull();
      const ours = await lorakitLogits(bases[name], trained[name]);
      // The adapter must have moved the logits, or the check would only repeat the base one.
      expect(maxDifference(await lorakitLogits(bases[name]), Array.from(ours))).toBeGreaterThan(1e-2);
      const difference = maxDifference(ours, theirs?.logits ?? []);
      measured[`${name} lorakit-trained adapter in PEFT`] = difference;
      expect(difference).toBeLessThanOrEqual(LOGITS_TOLERANCE);
    });

    it.each(MODELS)('%s: transformers loads the model lorakit merged; logits agree', async (name) => {
      const theirs = python[`${name}:merged`];
      expect(theirs?.error ?? null).toBeNull();
      const difference = maxDifference(await lorakitLogits(bases[name], trained[name]), theirs?.logits ?? []);
      measured[`${name} lorakit-merged in transformers`] = difference;
      expect(difference).toBeLessThanOrEqual(LOGITS_TOLERANCE);
    });
  });

  describe('PEFT trains → lorakit loads', () => {
    let python: Record<string, PythonLogits & { losses: number[] }>;
    beforeAll(async () => {
      const cases = Object.fromEntries(
        MODELS.map((name) => [
          name,
          { base: bases[name], out: join(workDir, 'peft-trained', name), steps: 4, ids: IDS },
        ]),
      );
      python = await runInteropPython('models_peft_train.py', { cases }, workDir);
    }, 600_000);

    it.each(MODELS)('%s: lorakit reads the adapter PEFT trained; logits agree', async (name) => {
      const theirs = python[name];
      expect(theirs?.error ?? null).toBeNull();
      expect(theirs?.losses).toHaveLength(4);
      const ours = await lorakitLogits(bases[name], join(workDir, 'peft-trained', name));
      expect(maxDifference(await lorakitLogits(bases[name]), Array.from(ours))).toBeGreaterThan(1e-2);
      const difference = maxDifference(ours, theirs?.logits ?? []);
      measured[`${name} PEFT-trained adapter in lorakit`] = difference;
      expect(difference).toBeLessThanOrEqual(LOGITS_TOLERANCE);
    });
  });
});
