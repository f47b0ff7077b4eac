/**
 * Calibration against public measured peaks (../shared/reference-points/cost.json). Each point is computed
 * with the settings its source describes, using the same formulas and constants for every point (nothing is
 * tuned per point), and the estimate must lie within BAND of the measurement; "< X" points must come out
 * below X. The table in CALIBRATION.md is generated from these rows: run with UPDATE_CALIBRATION=1 to rewrite it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getCatalogModel } from '@lorakit/core';
import type { ModelConfig } from '@lorakit/core';
import { estimateMemory } from './estimate-memory.js';
import type { MemoryOptions } from './estimate-memory.js';
import { GPU_CATALOG } from './gpu-catalog.js';
import { modelShape } from './model-shape.js';
import type { ModelShape } from './model-shape.js';
import { trainableParameters } from './trainable-parameters.js';

const BAND = [0.7, 1.3] as const;
const GIB = 2 ** 30;
const pointsFile = fileURLToPath(new URL('../../../../shared/reference-points/cost.json', import.meta.url));
const calibrationFile = fileURLToPath(new URL('../CALIBRATION.md', import.meta.url));

/**
 * bigscience/T0_3B is a T5 (encoder-decoder), which core has no architecture entry for, so its shape is written
 * out from its config.json: d_model 2048, d_ff 5120 (gated GELU), 24 encoder + 24 decoder layers, 32 heads of 64,
 * vocab 32128, untied head. Parameters: embeddings 2·32128·2048 = 131,596,288; encoder layer 4·2048² + 3·2048·5120
 * = 48,234,496 linear; decoder layer adds cross-attention 4·2048² = 65,011,712 linear; 24·(48,234,496 + 65,011,712)
 * = 2,717,908,992; norms 24·2·2048 + 24·3·2048 + 2·2048 = 249,856; relative position biases 2·32·32 = 2,048.
 * Total 2,849,757,184.
 */
const T0_3B: ModelShape = {
  layers: 48,
  hidden: 2048,
  intermediate: 5120,
  heads: 32,
  kvHeads: 32,
  headDim: 64,
  vocab: 32128,
  activeExperts: 1,
  totalParameters: 2_849_757_184,
  embeddingParameters: 131_596_288,
  layerLinearParameters: 2_717_908_992,
  matmulParameters: 2_717_908_992 + 65_798_144,
  largestTensorParameters: 65_798_144,
};
// PEFT's default LoRA for T5 is r=8 on q and v: 24 encoder layers · 2 + 24 decoder layers · 4 (self and cross)
// = 144 modules · 8 · (2048 + 2048)
const T0_3B_LORA = 144 * 8 * 4096;

const LLAMA_65B: ModelConfig = {
  model_type: 'llama',
  hidden_size: 8192,
  intermediate_size: 22016,
  num_hidden_layers: 80,
  num_attention_heads: 64,
  vocab_size: 32000,
  extra: {},
};
const LLAMA_31_8B = getCatalogModel('llama-3.1-8b');
// torchtune's Llama 3.1 LoRA recipe: r=8 on q, v, output_proj and the MLP
const TORCHTUNE_LORA = trainableParameters(LLAMA_31_8B, {
  method: 'lora',
  rank: 8,
  targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
}).trainable;

// torchtune recipes: pure bf16 (no master copy, bf16 adapters), checkpointing, chunked cross-entropy (8 chunks).
const torchtune = {
  sequenceLength: 2048,
  batchSize: 2,
  checkpointing: true,
  lossChunks: 8,
  masterWeights: false,
  trainableDtype: 'bf16',
} as const satisfies Partial<MemoryOptions>;
const torchtuneFull = { method: 'full', optimizer: 'paged-adamw-8bit', optimizerInBackward: true } as const;
// PEFT's T0_3B example (examples/conditional_generation): fp32 weights and AdamW, batch 8, max_length 64.
const peftT0 = {
  sequenceLength: 64,
  batchSize: 8,
  weightDtype: 'fp32',
} as const satisfies Partial<MemoryOptions>;

interface Setting {
  shape: ModelShape;
  options: MemoryOptions;
  gpuMemoryBytes: number;
  note: string;
}

/** The settings per point, keyed "model method gpu". */
const SETTINGS: Record<string, Setting> = {
  'bigscience/T0_3B full a100-80gb': {
    shape: T0_3B,
    options: { ...peftT0, method: 'full', trainableParameters: T0_3B.totalParameters },
    gpuMemoryBytes: GPU_CATALOG['a100-80gb'].memoryBytes,
    note: 'fp32, AdamW, batch 8 × 64 tokens',
  },
  'bigscience/T0_3B lora a100-80gb': {
    shape: T0_3B,
    options: { ...peftT0, method: 'lora', trainableParameters: T0_3B_LORA },
    gpuMemoryBytes: GPU_CATALOG['a100-80gb'].memoryBytes,
    note: 'fp32, r=8 on q,v, batch 8 × 64 tokens',
  },
  'meta-llama/Llama-3.1-8B full rtx-4090': {
    shape: modelShape(LLAMA_31_8B),
    options: { ...torchtune, ...torchtuneFull, trainableParameters: LLAMA_31_8B_TOTAL() },
    gpuMemoryBytes: GPU_CATALOG['rtx-4090'].memoryBytes,
    note: 'bf16, paged 8-bit AdamW (spills to CPU), optimizer in backward, checkpointing',
  },
  'meta-llama/Llama-3.1-8B lora rtx-4090': {
    shape: modelShape(LLAMA_31_8B),
    options: { ...torchtune, method: 'lora', trainableParameters: TORCHTUNE_LORA },
    gpuMemoryBytes: GPU_CATALOG['rtx-4090'].memoryBytes,
    note: 'bf16, r=8 q,v,o + MLP, AdamW, checkpointing',
  },
  'meta-llama/Llama-3.1-8B qlora rtx-4090': {
    shape: modelShape(LLAMA_31_8B),
    options: { ...torchtune, method: 'qlora', trainableParameters: TORCHTUNE_LORA },
    gpuMemoryBytes: GPU_CATALOG['rtx-4090'].memoryBytes,
    note: 'NF4 base, r=8 q,v,o + MLP, checkpointing',
  },
  'meta-llama/Llama-3.1-8B full a6000': {
    shape: modelShape(LLAMA_31_8B),
    options: { ...torchtune, ...torchtuneFull, trainableParameters: LLAMA_31_8B_TOTAL() },
    gpuMemoryBytes: GPU_CATALOG.a6000.memoryBytes,
    note: 'as on the 4090; the 8-bit state now fits on the GPU',
  },
  'meta-llama/Llama-3.1-8B lora a6000': {
    shape: modelShape(LLAMA_31_8B),
    options: { ...torchtune, checkpointing: false, method: 'lora', trainableParameters: TORCHTUNE_LORA },
    gpuMemoryBytes: GPU_CATALOG.a6000.memoryBytes,
    note: 'as on the 4090 but WITHOUT checkpointing: see CALIBRATION.md',
  },
  'huggyllama/llama-65b qlora 48gb': {
    shape: modelShape(LLAMA_65B),
    options: {
      method: 'qlora',
      trainableParameters: trainableParameters(LLAMA_65B, {
        method: 'qlora',
        rank: 64,
        targets: 'all-linear',
      }).trainable,
      sequenceLength: 512,
      batchSize: 1,
      checkpointing: true,
      optimizer: 'paged-adamw',
    },
    gpuMemoryBytes: 48e9,
    note: 'r=64 all linear, paged AdamW, checkpointing, 512 tokens',
  },
};

function LLAMA_31_8B_TOTAL(): number {
  return modelShape(LLAMA_31_8B).totalParameters;
}

interface Point {
  model: string;
  method: string;
  gpu: string;
  measured: string;
}

interface Row {
  key: string;
  note: string;
  estimate: number;
  measured: number;
  unit: 'GB' | 'GiB';
  upperBound: boolean;
  ratio: number;
}

function toRow(point: Point): Row {
  const key = `${point.model} ${point.method} ${point.gpu}`;
  const setting = SETTINGS[key];
  if (setting === undefined) throw new Error(`no calibration settings for "${key}": add them to SETTINGS`);
  const match = /^(<\s*)?([\d.]+)\s*(GB|GiB)$/.exec(point.measured.trim());
  if (match === null) throw new Error(`cannot read measurement "${point.measured}"`);
  const unit = match[3] as 'GB' | 'GiB';
  const measured = Number(match[2]) * (unit === 'GB' ? 1e9 : GIB);
  const estimate = estimateMemory(setting.shape, {
    ...setting.options,
    gpuMemoryBytes: setting.gpuMemoryBytes,
  }).total;
  return {
    key,
    note: setting.note,
    estimate,
    measured,
    unit,
    upperBound: match[1] !== undefined,
    ratio: estimate / measured,
  };
}

function table(rows: readonly Row[]): string {
  const size = (bytes: number, unit: 'GB' | 'GiB'): string =>
    `${(bytes / (unit === 'GB' ? 1e9 : GIB)).toFixed(1)} ${unit}`;
  const lines = [
    '| point (model, method, GPU) | settings used | estimate | measured | estimate / measured |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.key} | ${row.note} | ${size(row.estimate, row.unit)} | ${row.upperBound ? '< ' : ''}${size(row.measured, row.unit)} | ${row.ratio.toFixed(2)}${row.upperBound ? ' (bound)' : ''} |`,
    ),
  ];
  return lines.join('\n');
}

/** The cells of every table row but the separator, so that Prettier's column alignment does not matter. */
function tableCells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-\s|:]+\|$/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

const present = existsSync(pointsFile);
if (!present)
  console.warn(`calibration skipped: ${pointsFile} not found (it lives in ../shared beside the repository)`);

describe.skipIf(!present)('calibration against measured peaks', () => {
  const points = present ? (JSON.parse(readFileSync(pointsFile, 'utf8')) as { points: Point[] }).points : [];
  const rows = points.map(toRow);

  it.each(rows.map((row) => [row.key, row] as const))('%s lies within the band', (_key, row) => {
    if (row.upperBound) expect(row.estimate).toBeLessThan(row.measured);
    else {
      expect(row.ratio).toBeGreaterThanOrEqual(BAND[0]);
      expect(row.ratio).toBeLessThanOrEqual(BAND[1]);
    }
  });

  it('CALIBRATION.md holds the current table', () => {
    const generated = table(rows);
    if (process.env['UPDATE_CALIBRATION'] === '1') {
      const text = readFileSync(calibrationFile, 'utf8');
      const start = text.indexOf('<!-- table -->');
      const end = text.indexOf('<!-- /table -->');
      writeFileSync(
        calibrationFile,
        `${text.slice(0, start)}<!-- table -->\n${generated}\n${text.slice(end)}`,
      );
    }
    expect(tableCells(readFileSync(calibrationFile, 'utf8'))).toEqual(tableCells(generated));
  });
});
