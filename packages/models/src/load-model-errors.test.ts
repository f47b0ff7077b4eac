/** Bad input gives typed one-line errors naming the tensor, module or key and both shapes. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArchitectureError, FormatError, ShapeError } from '@lorakit/core';
import type { LorakitError } from '@lorakit/core';
import { readAdapterFolder, readCheckpoint, writeCheckpoint } from '@lorakit/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import { tinyModelFolder } from './testing/tiny-model-folder.js';
import type { TinyModelFolder } from './testing/tiny-model-folder.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/peft-tiny-llama');

async function failure(action: () => Promise<unknown> | unknown): Promise<LorakitError> {
  try {
    await action();
  } catch (error) {
    expect((error as Error).message).not.toContain('\n');
    return error as LorakitError;
  }
  throw new Error('expected a failure');
}

describe('loadModel and attachAdapter refuse bad input', () => {
  let folder: TinyModelFolder;
  beforeAll(async () => {
    folder = await tinyModelFolder();
  });
  afterAll(() => folder.remove());

  it('an adapter made for another base names the module and both shapes', async () => {
    if (!existsSync(FIXTURE)) return console.log(`skipping: ${FIXTURE} is absent`);
    const model = await loadModel(folder.folder, { backend: 'cpu' });
    const adapter = await readAdapterFolder(join(FIXTURE, 'adapter'));
    const error = await failure(() => model.attachAdapter('other', adapter));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(
      /module "model\.layers\.0\.self_attn\.q_proj" is linear 64→64 in the adapter but linear 16→16 in the base model/,
    );
    expect(model.adapterNames).toEqual([]);
    model.dispose();
  });

  it('a missing tensor is named', async () => {
    const broken = await tinyModelFolder();
    const { tensors } = await readCheckpoint(broken.folder);
    tensors.delete('model.layers.1.mlp.up_proj.weight');
    await writeCheckpoint(broken.folder, tensors);
    const error = await failure(() => loadModel(broken.folder, { backend: 'cpu' }));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/no tensor "model\.layers\.1\.mlp\.up_proj\.weight" \(\[24, 16\]\)/);
    broken.remove();
  });

  it('config and weights that disagree name the tensor and both shapes', async () => {
    const broken = await tinyModelFolder();
    const configPath = join(broken.folder, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), intermediate_size: 20 }),
    );
    const error = await failure(() => loadModel(broken.folder, { backend: 'cpu' }));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(
      /tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[24, 16\] but config\.json implies \[20, 16\]/,
    );
    broken.remove();
  });

  it('an unsupported architecture lists the supported ones', async () => {
    const broken = await tinyModelFolder();
    const configPath = join(broken.folder, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), model_type: 'gemma2' }),
    );
    const error = await failure(() => loadModel(broken.folder, { backend: 'cpu' }));
    expect(error).toBeInstanceOf(ArchitectureError);
    expect(error.message).toMatch(
      /model_type "gemma2" cannot run in @lorakit\/models yet; supported: llama, mistral, qwen2/,
    );
    broken.remove();
  });

  it('an unknown adapter name and a used-up backward are clear errors', async () => {
    const model = await loadModel(folder.folder, { backend: 'reference' });
    expect((await failure(() => model.logits([1], { adapter: 'nope' }))).message).toMatch(
      /no adapter named "nope" is attached/,
    );
    const session = model.createTrainingSession({ method: 'full' });
    expect((await failure(() => session.backward())).message).toMatch(
      /backward\(\) needs a training forward\(\) first/,
    );
    expect((await failure(() => model.logits([40]))).message).toMatch(/ids/);
    model.dispose();
    expect((await failure(() => model.logits([1]))).message).toMatch(/used after dispose/);
  });
});
