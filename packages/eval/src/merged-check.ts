/**
 * merged ≡ adapter: the adapter merged into the base weights (core's mergeAdapter, W ← W + s·B·A, stored in the
 * base's dtype as `lorakit merge` stores it) must give the same last-position logits as base + adapter, on the
 * same inputs. Pass when every logit satisfies |merged − adapter| ≤ atol + rtol·|adapter| (torch.allclose's rule).
 *
 * Bounds by the base's weight dtype (the forward itself runs in f32 on both sides):
 * - F32: atol = rtol = 1e-4, PEFT's own bar for merge tests; only summation order differs.
 * - F16: atol = rtol = 1e-2. Storing W + ΔW back in f16 rounds each weight by up to 2⁻¹¹ ≈ 4.9e-4 relative,
 *   and these errors add (as a random walk) over the hidden width and the layers.
 * - BF16: atol = rtol = 5e-2, the same reasoning with bf16's unit roundoff 2⁻⁸ ≈ 3.9e-3 (8 mantissa bits).
 * These looser bounds are engineering bars, not theorems: pass `atol`/`rtol` to tighten them. Measured on the
 * shared tiny-llama fixture (r = 8 on q, v; 4 inputs × 16 tokens): f32 6.6e-7, f16 5.9e-4, bf16 6.1e-3.
 *
 * The merged weights are made in memory; models has no loader from in-memory tensors yet, so they go through a
 * temporary model folder (config.json + model.safetensors) that is removed afterwards.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeAdapter } from '@lorakit/core';
import type { FloatDType } from '@lorakit/core';
import { readAdapterFolder, readCheckpoint, writeCheckpoint } from '@lorakit/core/node';
import type { Backend, BackendPreference } from '@lorakit/kernels-cuda';
import { createSeededRandom, loadModel } from '@lorakit/models';

export const MERGE_TOLERANCES = {
  F32: { atol: 1e-4, rtol: 1e-4 },
  F16: { atol: 1e-2, rtol: 1e-2 },
  BF16: { atol: 5e-2, rtol: 5e-2 },
} as const satisfies Record<FloatDType, { atol: number; rtol: number }>;

export interface MergedCheckOptions {
  /** The base model folder. */
  model: string;
  /** The PEFT adapter folder. */
  adapter: string;
  /** Number of random inputs (default 8), ignored when `inputs` is given. */
  samples?: number;
  /** Tokens per random input (default 16, capped by the model's positions). */
  sequenceLength?: number;
  /** Seed of the random inputs (default 0). */
  seed?: number;
  /** Token sequences to use instead of random ones (e.g. the task's prompts). */
  inputs?: readonly (readonly number[])[];
  atol?: number;
  rtol?: number;
  backend?: Backend | BackendPreference;
  onLog?: (line: string) => void;
}

export interface MergedCheckResult {
  max_abs_diff: number;
  atol: number;
  rtol: number;
  pass: boolean;
  samples: number;
  /** The base weights' dtype, which chose the default bounds. */
  dtype: string;
  merged_modules: number;
}

/** Every input's last-position logits, concatenated. */
function allLogits(
  model: { logits(tokens: readonly number[], options?: { adapter?: string | null }): Float32Array },
  inputs: readonly (readonly number[])[],
  adapter: string | null,
): Float32Array[] {
  return inputs.map((tokens) => model.logits(tokens, { adapter }));
}

export async function mergedCheck(options: MergedCheckOptions): Promise<MergedCheckResult> {
  const backend = options.backend ?? 'auto';
  const base = await loadModel(options.model, {
    backend,
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  let adapterLogits: Float32Array[];
  let inputs: readonly (readonly number[])[];
  const adapter = await readAdapterFolder(options.adapter, { baseModules: base.modules });
  try {
    const length = Math.max(1, Math.min(options.sequenceLength ?? 16, base.maxPositions));
    const random = createSeededRandom(options.seed ?? 0);
    inputs =
      options.inputs ??
      Array.from({ length: options.samples ?? 8 }, () =>
        Array.from({ length }, () => Math.floor(random() * base.dimensions.vocab)),
      );
    base.attachAdapter('check', adapter);
    adapterLogits = allLogits(base, inputs, 'check');
  } finally {
    base.dispose();
  }
  const checkpoint = await readCheckpoint(options.model);
  const dtypes = new Set([...checkpoint.tensors.values()].map((tensor) => tensor.dtype));
  const dtype = dtypes.has('F32') || dtypes.size !== 1 ? 'F32' : ([...dtypes][0] as string);
  const bounds = MERGE_TOLERANCES[dtype as FloatDType] ?? MERGE_TOLERANCES.F32;
  const merged = mergeAdapter(checkpoint.tensors, adapter, { source: options.model });
  const folder = await mkdtemp(join(tmpdir(), 'lorakit-merged-check-'));
  try {
    await copyFile(join(options.model, 'config.json'), join(folder, 'config.json'));
    await writeCheckpoint(folder, merged.tensors);
    const mergedModel = await loadModel(folder, { backend });
    let mergedLogits: Float32Array[];
    try {
      mergedLogits = allLogits(mergedModel, inputs, null);
    } finally {
      mergedModel.dispose();
    }
    const atol = options.atol ?? bounds.atol;
    const rtol = options.rtol ?? bounds.rtol;
    let maxAbsDiff = 0;
    let pass = true;
    adapterLogits.forEach((expected, sample) => {
      const actual = mergedLogits[sample] as Float32Array;
      expected.forEach((value, index) => {
        const difference = Math.abs((actual[index] as number) - value);
        // NaN compares false, so a NaN logit fails the check
        if (!(difference <= atol + rtol * Math.abs(value))) pass = false;
        if (!(difference <= maxAbsDiff)) maxAbsDiff = Number.isNaN(difference) ? Infinity : difference;
      });
    });
    return {
      max_abs_diff: maxAbsDiff,
      atol,
      rtol,
      pass,
      samples: inputs.length,
      dtype,
      merged_modules: merged.mergedModules,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
