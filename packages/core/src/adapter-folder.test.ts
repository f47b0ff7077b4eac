import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAdapterFolders, readAdapterFolder, writeAdapterFolder } from './adapter-folder.js';
import { listModelModules } from './architectures.js';
import { createLoraConfig } from './lora-config.js';
import { parseModelConfig } from './model-config.js';
import { resolveTargets } from './resolve-targets.js';
import { parseSafetensors } from './safetensors.js';
import { randomAdapter } from './testing/random-model.js';

const model = parseModelConfig({
  model_type: 'qwen2',
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  vocab_size: 30,
});

function makeAdapter(settings: Parameters<typeof createLoraConfig>[0], seed = 1) {
  const config = createLoraConfig(settings);
  return randomAdapter(config, resolveTargets(listModelModules(model), config), { seed });
}

describe('adapter folders', () => {
  it('round-trips bit-exactly, writes the resolved targets (never "all-linear") and {"format":"pt"}', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lorakit-adapter-')), 'out');
    const adapter = makeAdapter({ r: 2, target_modules: 'all-linear' });
    await writeAdapterFolder(dir, adapter);
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config['target_modules']).toEqual([
      'down_proj',
      'gate_proj',
      'k_proj',
      'o_proj',
      'q_proj',
      'up_proj',
      'v_proj',
    ]);
    expect(config['inference_mode']).toBe(true);
    const file = parseSafetensors(readFileSync(join(dir, 'adapter_model.safetensors')));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.size).toBe(2 * 7 * 2);
    const back = await readAdapterFolder(dir, { baseModules: listModelModules(model) });
    expect(back.modules.map((module) => module.name)).toEqual(adapter.modules.map((module) => module.name));
    back.modules.forEach((module, index) => {
      expect(Buffer.from(module.loraA.data)).toEqual(Buffer.from(adapter.modules[index]?.loraA.data ?? []));
      expect(Buffer.from(module.loraB.data)).toEqual(Buffer.from(adapter.modules[index]?.loraB.data ?? []));
    });
  });

  it('lists and reads several adapters in one folder (default at the top, others in DIR/<name>/)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-adapters-'));
    await writeAdapterFolder(dir, makeAdapter({ r: 2 }));
    await writeAdapterFolder(join(dir, 'second'), makeAdapter({ r: 4, target_modules: ['q_proj'] }, 2));
    mkdirSync(join(dir, 'not-an-adapter'));
    expect(await listAdapterFolders(dir)).toEqual(['default', 'second']);
    expect((await readAdapterFolder(dir)).config.r).toBe(2);
    expect((await readAdapterFolder(dir, { name: 'second' })).modules).toHaveLength(2);
  });

  it('replaces an existing folder whole and leaves no temporary folders', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'lorakit-replace-'));
    const dir = join(parent, 'adapter');
    await writeAdapterFolder(dir, makeAdapter({ r: 2 }));
    writeFileSync(join(dir, 'stale.txt'), 'old');
    await writeAdapterFolder(dir, makeAdapter({ r: 4 }));
    expect(existsSync(join(dir, 'stale.txt'))).toBe(false);
    expect(readdirSync(parent)).toEqual(['adapter']);
    expect((await readAdapterFolder(dir)).config.r).toBe(4);
  });

  it('says how to convert a pickle adapter_model.bin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-bin-'));
    writeFileSync(join(dir, 'adapter_config.json'), '{"peft_type": "LORA"}');
    writeFileSync(join(dir, 'adapter_model.bin'), 'pickle');
    await expect(readAdapterFolder(dir)).rejects.toThrow(
      /adapter_model.bin \(pickle\); convert it to safetensors/,
    );
  });

  it('warns once about unknown config keys and keeps them', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lorakit-warn-')), 'a');
    await writeAdapterFolder(dir, makeAdapter({ r: 2 }));
    const path = join(dir, 'adapter_config.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('{', '{\n  "my_key": 1, "other_key": 2,'));
    const warnings: string[] = [];
    const adapter = await readAdapterFolder(dir, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('my_key');
    expect(adapter.config.extra['other_key']).toBe(2);
  });
});
