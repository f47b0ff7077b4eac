import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTYPES, dtypeBytes } from './dtype.js';
import type { DType } from './dtype.js';
import { LorakitError } from './errors.js';
import {
  parseSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderSize,
  serializeSafetensors,
} from './safetensors.js';
import type { Tensor } from './tensor.js';
import { toFloat32 } from './tensor.js';

const encoder = new TextEncoder();

/** A file from a header string (padded with `padding` spaces) and data bytes. */
function fileFrom(header: string, data: number[], padding = 0): Uint8Array {
  const json = encoder.encode(header + ' '.repeat(padding));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('parseSafetensors', () => {
  it('reads a hand-built file: values, metadata, order of offsets and zero-copy views', () => {
    // JSON lists "b" first but its bytes come second; F32 1.5 = 0x3fc00000, F16 -2 = 0xc000, BF16 1 = 0x3f80
    const header =
      '{"b":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},' +
      '"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"h":{"dtype":"F16","shape":[1,1],"data_offsets":[4,6]}}';
    const bytes = fileFrom(header, [0x00, 0x00, 0xc0, 0x3f, 0x00, 0xc0, 0x80, 0x3f], 3);
    const file = parseSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()]).toEqual(['a', 'h', 'b']);
    const a = file.tensors.get('a') as Tensor;
    expect(a.dtype).toBe('F32');
    expect(a.shape).toEqual([1]);
    expect([...toFloat32(a)]).toEqual([1.5]);
    expect([...toFloat32(file.tensors.get('h') as Tensor)]).toEqual([-2]);
    expect(file.tensors.get('h')?.shape).toEqual([1, 1]);
    expect([...toFloat32(file.tensors.get('b') as Tensor)]).toEqual([1]);
    expect(a.data.buffer).toBe(bytes.buffer);
    expect(a.data.byteOffset).toBe(8 + header.length + 3);
  });

  it('reports the header entries and data start without the data', () => {
    // 55 bytes of JSON + 1 space of padding
    const bytes = fileFrom(
      '{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}',
      new Array(16).fill(0),
      1,
    );
    const size = safetensorsHeaderSize(bytes.subarray(0, 8), bytes.length);
    expect(size).toBe(8 + 56);
    const header = parseSafetensorsHeader(bytes.subarray(0, size), bytes.length, { source: 'x.safetensors' });
    expect(header).toEqual({
      metadata: undefined,
      dataStart: 64,
      entries: [{ name: 'x', dtype: 'I64', shape: [2], begin: 0, end: 16 }],
    });
  });

  it('accepts an empty file with a "{}" header and several zero-size tensors at one offset', () => {
    expect(parseSafetensors(fileFrom('{}', [], 6)).tensors.size).toBe(0);
    const file = parseSafetensors(
      fileFrom(
        '{"e":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]},"f":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},' +
          '"g":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
        [9, 8],
      ),
    );
    expect([...file.tensors.keys()]).toEqual(['e', 'f', 'g']);
    expect(file.tensors.get('e')?.data.byteLength).toBe(0);
    expect([...(file.tensors.get('g')?.data ?? [])]).toEqual([9, 8]);
  });

  it('names the source and the tensor in errors', () => {
    const bytes = fileFrom('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]);
    expect(() => parseSafetensors(bytes, { source: 'adapter.safetensors' })).toThrow(
      /^adapter\.safetensors: tensor "w" is F32 \[2\] = 8 bytes but its data_offsets \[0, 4\] span 4/,
    );
  });
});

describe('serializeSafetensors', () => {
  it('writes the exact bytes Python safetensors writes for a small file', () => {
    const bytes = serializeSafetensors({
      a: { dtype: 'F16', shape: [2], data: new Uint8Array([0x00, 0x3c, 0x00, 0xc0]) },
      n: { dtype: 'I32', shape: [1], data: new Uint8Array([7, 0, 0, 0]) },
    });
    // I32 (alignment 4) before F16 (alignment 2); 107 bytes of JSON padded to 112 = 0x70.
    const json =
      '{"n":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}     ';
    expect(bytes.length).toBe(128);
    expect(hex(bytes.subarray(0, 8))).toBe('7000000000000000');
    expect(new TextDecoder().decode(bytes.subarray(8, 120))).toBe(json);
    expect(hex(bytes.subarray(120))).toBe('07000000003c00c0');
  });

  it('puts __metadata__ first and pads the header so data starts at a multiple of 8', () => {
    for (let length = 1; length <= 16; length++) {
      const bytes = serializeSafetensors(
        { ['x'.repeat(length)]: { dtype: 'U8', shape: [1], data: new Uint8Array([5]) } },
        { k: 'v' },
      );
      const headerLength = new DataView(bytes.buffer).getUint32(0, true);
      expect((8 + headerLength) % 8).toBe(0);
      const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
      expect(text.startsWith('{"__metadata__":{"k":"v"},')).toBe(true);
      expect(text.trimEnd().length).toBeGreaterThan(headerLength - 8);
      expect(bytes[bytes.length - 1]).toBe(5);
    }
  });

  it('orders by dtype alignment, largest first, then by name', () => {
    const tensor = (dtype: DType): Tensor => ({ dtype, shape: [1], data: new Uint8Array(dtypeBytes(dtype)) });
    const bytes = serializeSafetensors({
      b: tensor('BOOL'),
      f16: tensor('F16'),
      z: tensor('F32'),
      a: tensor('F32'),
      i64: tensor('I64'),
      bf: tensor('BF16'),
      f64: tensor('F64'),
      u8: tensor('U8'),
    });
    expect([...parseSafetensors(bytes).tensors.keys()]).toEqual([
      'i64',
      'f64',
      'a',
      'z',
      'bf',
      'f16',
      'u8',
      'b',
    ]);
  });

  it('rejects bad input with SAFETENSORS_INVALID', () => {
    const cases: Array<[Record<string, Tensor>, Record<string, string> | undefined, RegExp]> = [
      [{ w: { dtype: 'F32', shape: [2], data: new Uint8Array(4) } }, undefined, /needs 8 bytes, but has 4/],
      [{ w: { dtype: 'F32', shape: [-1], data: new Uint8Array(0) } }, undefined, /shape \[-1\]/],
      [{ w: { dtype: 'U16' as DType, shape: [1], data: new Uint8Array(2) } }, undefined, /unknown dtype U16/],
      [{ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }, undefined, /reserved/],
      [{}, { n: 3 as unknown as string }, /metadata "n" is a number/],
    ];
    for (const [tensors, metadata, message] of cases) {
      expect(() => serializeSafetensors(tensors, metadata)).toThrow(message);
      try {
        serializeSafetensors(tensors, metadata);
      } catch (error) {
        expect(error).toBeInstanceOf(LorakitError);
        expect((error as LorakitError).code).toBe('SAFETENSORS_INVALID');
      }
    }
  });
});

describe('write → read round trip', () => {
  const dtypes = Object.keys(DTYPES) as DType[];
  const tensorArbitrary = fc
    .record({
      dtype: fc.constantFrom(...dtypes),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    })
    .chain(({ dtype, shape }) => {
      const length = shape.reduce((product, size) => product * size, 1) * dtypeBytes(dtype);
      return fc
        .uint8Array({ minLength: length, maxLength: length })
        .map((data): Tensor => ({ dtype, shape, data }));
    });
  const nameArbitrary = fc
    .string({ unit: 'binary', maxLength: 12 })
    .filter((name) => name !== '__metadata__');

  it('keeps every dtype, shape and byte (NaN payloads included) and the metadata', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(nameArbitrary, tensorArbitrary), {
          selector: ([name]) => name,
          maxLength: 8,
        }),
        fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary' })), {
          nil: undefined,
        }),
        (entries, metadata) => {
          const tensors = new Map(entries);
          const bytes = serializeSafetensors(tensors, metadata);
          const file = parseSafetensors(bytes);
          expect(file.metadata).toEqual(metadata === undefined ? undefined : { ...metadata });
          expect(file.tensors.size).toBe(tensors.size);
          for (const [name, tensor] of tensors) {
            const read = file.tensors.get(name);
            expect(read?.dtype).toBe(tensor.dtype);
            expect(read?.shape).toEqual(tensor.shape);
            expect(hex(read?.data ?? new Uint8Array(1))).toBe(hex(tensor.data));
          }
          expect((8 + new DataView(bytes.buffer).getUint32(0, true)) % 8).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps NaN bit patterns exactly', () => {
    // F32 signalling NaN with payload 1, negative quiet NaN with payload; F16 and BF16 NaNs with payloads
    const f32 = new Uint8Array([0x01, 0x00, 0x80, 0x7f, 0x34, 0x12, 0xc0, 0xff]);
    const f16 = new Uint8Array([0x01, 0x7c, 0xff, 0xfe]);
    const bf16 = new Uint8Array([0x81, 0x7f, 0xc1, 0xff]);
    const file = parseSafetensors(
      serializeSafetensors({
        f32: { dtype: 'F32', shape: [2], data: f32 },
        f16: { dtype: 'F16', shape: [2], data: f16 },
        bf16: { dtype: 'BF16', shape: [2], data: bf16 },
      }),
    );
    expect(hex(file.tensors.get('f32')?.data ?? new Uint8Array())).toBe('0100807f3412c0ff');
    expect(hex(file.tensors.get('f16')?.data ?? new Uint8Array())).toBe('017cfffe');
    expect(hex(file.tensors.get('bf16')?.data ?? new Uint8Array())).toBe('817fc1ff');
  });
});
