/** Test helper: a random Llama-family model folder in a temporary directory (removed by the returned cleanup). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelConfig } from '@lorakit/core';
import { writeRandomModel } from '@lorakit/core/test';

export interface TinyModelFolder {
  folder: string;
  remove: () => void;
}

/** hidden 16, 2 layers, 4 heads over 2 KV heads, vocab 32, unless overridden. */
export async function tinyModelFolder(
  overrides: Record<string, unknown> = {},
  seed = 7,
): Promise<TinyModelFolder> {
  const folder = mkdtempSync(join(tmpdir(), 'lorakit-model-'));
  const config = parseModelConfig({
    model_type: 'llama',
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 32,
    rms_norm_eps: 1e-5,
    max_position_embeddings: 64,
    ...overrides,
  });
  await writeRandomModel(folder, config, { seed });
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
