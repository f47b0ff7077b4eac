import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('the lorakit process', () => {
  it('prints one JSON document on stdout and exits 0', () => {
    const result = run('params', '--model', 'smollm2-135m', '--rank', '8', '--json');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    // smollm2-135m: 30 layers, hidden 576, 9 heads, 3 KV heads (head_dim 64): q,o 576→576, k,v 576→192
    expect(JSON.parse(result.stdout)).toMatchObject({
      total_params: 134_515_008,
      lora_params: 30 * 8 * (2 * 1152 + 2 * 768),
    });
  });

  it('exits 1 with one line and no stack trace on bad input; --debug adds the stack', () => {
    const plain = run('inspect', '/no/such/adapter');
    expect(plain.status).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr.trim().split('\n')).toEqual([
      'lorakit: /no/such/adapter/adapter_config.json: not found; an adapter folder holds adapter_config.json and adapter_model.safetensors',
    ]);
    const debug = run('inspect', '/no/such/adapter', '--debug');
    expect(debug.status).toBe(1);
    expect(debug.stderr).toContain('FileError');
    expect(debug.stderr.split('\n').length).toBeGreaterThan(3);
  });

  it('exits 2 on an unknown verb or option', () => {
    const verb = run('inspekt');
    expect(verb.status).toBe(2);
    expect(verb.stderr).toContain("unknown command 'inspekt'");
    expect(verb.stderr).toContain('inspect');
    const option = run('params', '--model', 'gpt2', '--rnak', '4');
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("unknown option '--rnak'");
  });
});
