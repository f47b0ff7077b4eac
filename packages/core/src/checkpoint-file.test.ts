import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';
import { LorakitError } from './errors.js';
import { serializeSafetensors } from './safetensors.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import type { Tensor } from './tensor.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lorakit-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function u8(values: number[], shape: number[] = [values.length]): Tensor {
  return { dtype: 'U8', shape, data: new Uint8Array(values) };
}

/** Four 8-byte tensors: with maxShardBytes 16 they make two shards of two tensors. */
const TENSORS = new Map<string, Tensor>([
  ['embed.weight', u8([1, 2, 3, 4, 5, 6, 7, 8], [2, 4])],
  ['layers.0.q.weight', u8([9, 9, 9, 9, 9, 9, 9, 9])],
  ['layers.0.k.weight', u8([7, 7, 7, 7, 7, 7, 7, 7])],
  ['norm.weight', { dtype: 'F32', shape: [2], data: new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]) }],
]);

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LorakitError);
  expect((error as LorakitError).code).toBe(code);
  expect((error as LorakitError).message).toMatch(message);
}

function expectSameTensors(actual: Map<string, Tensor>, expected: Map<string, Tensor>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, tensor] of expected) {
    expect(actual.get(name)?.dtype).toBe(tensor.dtype);
    expect(actual.get(name)?.shape).toEqual(tensor.shape);
    expect([...(actual.get(name)?.data ?? [])]).toEqual([...tensor.data]);
  }
}

describe('safetensors files', () => {
  it('round-trips a file and leaves no temporary files behind', async () => {
    const path = join(dir, 'a.safetensors');
    await writeSafetensorsFile(path, TENSORS, { format: 'pt' });
    const file = await readSafetensorsFile(path);
    expect(file.metadata).toEqual({ format: 'pt' });
    expectSameTensors(file.tensors, TENSORS);
    expect(await readFile(path)).toEqual(Buffer.from(serializeSafetensors(TENSORS, { format: 'pt' })));
    expect(await readdir(dir)).toEqual(['a.safetensors']);
  });

  it('reports a missing file, a damaged file and a missing folder with typed errors', async () => {
    await expectError(
      readSafetensorsFile(join(dir, 'nope.safetensors')),
      'FILE_NOT_FOUND',
      /nope\.safetensors does not exist/,
    );
    await writeFile(join(dir, 'bad.safetensors'), new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0]));
    await expectError(
      readSafetensorsFile(join(dir, 'bad.safetensors')),
      'SAFETENSORS_INVALID',
      /bad\.safetensors: header length 4294967295/,
    );
    await expectError(
      writeFileAtomic(join(dir, 'no', 'x.txt'), 'x'),
      'FILE_NOT_FOUND',
      /folder does not exist/,
    );
  });

  it('replaces an existing file atomically', async () => {
    const path = join(dir, 'config.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, [new Uint8Array([110, 101]), new Uint8Array([119])]);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});

describe('checkpoints', () => {
  it('writes and reads a single model.safetensors', async () => {
    const written = await writeCheckpoint(dir, TENSORS);
    expect(written).toEqual([join(dir, 'model.safetensors')]);
    const checkpoint = await readCheckpoint(dir);
    expect(checkpoint.files).toEqual([join(dir, 'model.safetensors')]);
    expect(checkpoint.metadata).toEqual({ format: 'pt' });
    expect(checkpoint.indexMetadata).toBeUndefined();
    expectSameTensors(checkpoint.tensors, TENSORS);
  });

  it('writes shards and an index above maxShardBytes, and reads them back as one', async () => {
    const written = await writeCheckpoint(dir, TENSORS, { maxShardBytes: 16 });
    const shard1 = 'model-00001-of-00002.safetensors';
    const shard2 = 'model-00002-of-00002.safetensors';
    expect(written).toEqual([
      join(dir, shard1),
      join(dir, shard2),
      join(dir, 'model.safetensors.index.json'),
    ]);
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8')) as unknown;
    expect(index).toEqual({
      metadata: { total_parameters: 26, total_size: 32 },
      weight_map: {
        'embed.weight': shard1,
        'layers.0.k.weight': shard2,
        'layers.0.q.weight': shard1,
        'norm.weight': shard2,
      },
    });
    const checkpoint = await readCheckpoint(dir);
    expect(checkpoint.files).toEqual([join(dir, shard1), join(dir, shard2)]);
    expect(checkpoint.indexMetadata).toEqual({ total_parameters: 26, total_size: 32 });
    expectSameTensors(checkpoint.tensors, TENSORS);
  });

  it('gives a tensor larger than maxShardBytes a shard of its own', async () => {
    await writeCheckpoint(dir, TENSORS, { maxShardBytes: 4 });
    expect((await readdir(dir)).filter((name) => name.endsWith('.safetensors'))).toHaveLength(4);
    expectSameTensors((await readCheckpoint(dir)).tensors, TENSORS);
  });

  it('removes the other layout left by an earlier save', async () => {
    await writeCheckpoint(dir, TENSORS, { maxShardBytes: 16 });
    await writeCheckpoint(dir, new Map([['only', u8([1])]]));
    expect((await readdir(dir)).sort()).toEqual(['model.safetensors']);
    await writeCheckpoint(dir, TENSORS, { maxShardBytes: 16 });
    expect((await readdir(dir)).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
  });

  it('reports a missing folder, missing weights and a missing shard', async () => {
    await expectError(
      readCheckpoint(join(dir, 'absent')),
      'FILE_NOT_FOUND',
      /model folder .*absent does not exist/,
    );
    await expectError(
      readCheckpoint(dir),
      'FILE_NOT_FOUND',
      /has neither model\.safetensors nor model\.safetensors\.index\.json/,
    );
    await writeCheckpoint(dir, TENSORS, { maxShardBytes: 16 });
    await rm(join(dir, 'model-00002-of-00002.safetensors'));
    await expectError(
      readCheckpoint(dir),
      'FILE_NOT_FOUND',
      /shard model-00002-of-00002\.safetensors listed in .* does not exist/,
    );
  });

  it('reports a tensor missing from the shard the index names', async () => {
    await writeCheckpoint(dir, TENSORS, { maxShardBytes: 16 });
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    index.weight_map['norm.weight'] = 'model-00001-of-00002.safetensors';
    await writeFile(indexPath, JSON.stringify(index));
    await expectError(
      readCheckpoint(dir),
      'SAFETENSORS_INVALID',
      /tensor "norm\.weight" is missing from shard .*model-00001-of-00002/,
    );
  });

  it('rejects shard names that leave the folder and malformed indexes', async () => {
    const indexPath = join(dir, 'model.safetensors.index.json');
    for (const shard of [
      '../model.safetensors',
      'sub/model.safetensors',
      'sub\\model.safetensors',
      '/etc/passwd',
      '',
    ]) {
      await writeFile(indexPath, JSON.stringify({ weight_map: { w: shard } }));
      await expectError(readCheckpoint(dir), 'SAFETENSORS_INVALID', /is not a plain file name in the folder/);
    }
    await writeFile(indexPath, JSON.stringify({ weight_map: { w: 3 } }));
    await expectError(readCheckpoint(dir), 'SAFETENSORS_INVALID', /weight_map entry "w" is not a file name/);
    await writeFile(indexPath, JSON.stringify({ metadata: {} }));
    await expectError(readCheckpoint(dir), 'SAFETENSORS_INVALID', /no "weight_map" object/);
    await writeFile(indexPath, '{"weight_map":');
    await expectError(readCheckpoint(dir), 'JSON_INVALID', /is not valid JSON/);
  });

  it('rejects a bad maxShardBytes before writing anything', async () => {
    await expectError(
      writeCheckpoint(join(dir, 'out'), TENSORS, { maxShardBytes: 0 }),
      'INVALID_ARGUMENT',
      /maxShardBytes 0/,
    );
    await expectError(
      writeCheckpoint(join(dir, 'out'), { w: u8([1, 2], [3]) }),
      'SAFETENSORS_INVALID',
      /tensor "w" is U8 \[3\], which needs 3 bytes, but has 2/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
