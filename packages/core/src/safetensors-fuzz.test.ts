// Hostile input for the safetensors reader: every mutated or hand-crafted file must either parse into a
// consistent result or throw a LorakitError with code SAFETENSORS_INVALID, never anything else.
import { describe, expect, it } from 'vitest';
import { dtypeBytes } from './dtype.js';
import { LorakitError } from './errors.js';
import { parseSafetensors, parseSafetensorsHeader, serializeSafetensors } from './safetensors.js';

const encoder = new TextEncoder();

/** A file from header text and a data buffer of `dataLength` bytes; `declaredLength` overrides the u64 prefix. */
function build(header: string, dataLength: number, declaredLength?: bigint): Uint8Array {
  const json = encoder.encode(header);
  const bytes = new Uint8Array(8 + json.length + dataLength);
  new DataView(bytes.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  bytes.set(json, 8);
  return bytes;
}

/** Parses and, on success, checks the result is self-consistent; returns the error code or 'ok'. */
function outcome(bytes: Uint8Array): string {
  try {
    const file = parseSafetensors(bytes);
    const header = parseSafetensorsHeader(bytes, bytes.length);
    let covered = 0;
    for (const [, tensor] of file.tensors) {
      const count = tensor.shape.reduce((product, size) => product * size, 1);
      expect(tensor.data.byteLength).toBe(count * dtypeBytes(tensor.dtype));
      expect(tensor.data.buffer).toBe(bytes.buffer);
      expect(tensor.data.byteOffset + tensor.data.byteLength).toBeLessThanOrEqual(
        bytes.byteOffset + bytes.length,
      );
      covered += tensor.data.byteLength;
    }
    expect(header.dataStart + covered).toBe(bytes.length);
    return 'ok';
  } catch (error) {
    if (!(error instanceof LorakitError)) throw error;
    expect(error.code).toBe('SAFETENSORS_INVALID');
    return error.code;
  }
}

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const valid = serializeSafetensors(
  {
    'layers.0.weight': { dtype: 'F32', shape: [2, 3], data: new Uint8Array(24).fill(0x41) },
    bias: { dtype: 'BF16', shape: [3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
    empty: { dtype: 'F16', shape: [0, 5], data: new Uint8Array(0) },
    mask: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
  },
  { format: 'pt', note: 'é' },
);

describe('safetensors reader under hostile input', () => {
  it('parses the unmutated file', () => {
    expect(outcome(valid)).toBe('ok');
  });

  it('rejects every truncation and an extra trailing byte', () => {
    for (let length = 0; length < valid.length; length++) {
      expect(outcome(valid.slice(0, length))).toBe('SAFETENSORS_INVALID');
    }
    const longer = new Uint8Array(valid.length + 1);
    longer.set(valid);
    expect(outcome(longer)).toBe('SAFETENSORS_INVALID');
  });

  it('survives 3000 random bit flips', () => {
    const next = random(20240607);
    const results = { ok: 0, SAFETENSORS_INVALID: 0 } as Record<string, number>;
    for (let iteration = 0; iteration < 3000; iteration++) {
      const bytes = valid.slice();
      const flips = 1 + Math.floor(next() * 3);
      for (let flip = 0; flip < flips; flip++) {
        const position = Math.floor(next() * bytes.length);
        bytes[position] = (bytes[position] ?? 0) ^ (1 << Math.floor(next() * 8));
      }
      const result = outcome(bytes);
      results[result] = (results[result] ?? 0) + 1;
    }
    // flips in the data bytes keep the file valid; most flips in the header break it
    expect(results['ok']).toBeGreaterThan(100);
    expect(results['SAFETENSORS_INVALID']).toBeGreaterThan(1000);
  });

  it('survives 3000 random edits of the JSON header with JSON punctuation and digits', () => {
    const next = random(7);
    const headerLength = new DataView(valid.buffer).getUint32(0, true);
    const alphabet = '{}[]",:0123456789-.e tn\\';
    for (let iteration = 0; iteration < 3000; iteration++) {
      const bytes = valid.slice();
      const edits = 1 + Math.floor(next() * 2);
      for (let edit = 0; edit < edits; edit++) {
        const position = 8 + Math.floor(next() * headerLength);
        bytes[position] = alphabet.charCodeAt(Math.floor(next() * alphabet.length));
      }
      outcome(bytes);
    }
  });

  const entry = (body: string): string => `{"w":${body}}`;
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty input', new Uint8Array(0), /too short/],
    ['7 bytes', new Uint8Array(7), /too short/],
    ['header length 2^60', build('{}', 0, 2n ** 60n), /header length 1152921504606846976 is over/],
    ['header length 2^64 - 1', build('{}', 0, 2n ** 64n - 1n), /is over the 100000000-byte limit/],
    ['header length past the end', build('{}', 0, 3n), /runs past the end/],
    ['header not starting with {', build(' {}', 0), /does not start with "\{"/],
    ['broken JSON', build('{"w":', 0), /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff, 0x7d]), /not valid UTF-8/],
    ['a JSON array', build('[]', 0), /does not start with "\{"/],
    ['a JSON object that is followed by garbage', build('{}x', 0), /not valid JSON/],
    ['an entry that is a number', build(entry('1'), 0), /tensor "w" is 1, not an object/],
    ['an entry that is null', build(entry('null'), 0), /tensor "w" is null/],
    [
      'unknown dtype',
      build(entry('{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}'), 1),
      /dtype "F8_E4M3"/,
    ],
    ['missing dtype', build(entry('{"shape":[1],"data_offsets":[0,1]}'), 1), /dtype undefined/],
    ['negative dim', build(entry('{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}'), 0), /shape \[-1\]/],
    ['fractional dim', build(entry('{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}'), 1), /shape \[1.5\]/],
    ['string dim', build(entry('{"dtype":"U8","shape":["1"],"data_offsets":[0,1]}'), 1), /shape \["1"\]/],
    ['shape not an array', build(entry('{"dtype":"U8","shape":1,"data_offsets":[0,1]}'), 1), /shape 1;/],
    [
      'shape overflow [2^40, 2^40]',
      build(entry('{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}'), 4),
      /too large to address/,
    ],
    ['huge dim', build(entry('{"dtype":"U8","shape":[1e300],"data_offsets":[0,1]}'), 1), /shape \[1e\+300\]/],
    [
      'shape/byte mismatch',
      build(entry('{"dtype":"F32","shape":[2],"data_offsets":[0,4]}'), 4),
      /= 8 bytes but/,
    ],
    [
      'offsets past end',
      build(entry('{"dtype":"U8","shape":[8],"data_offsets":[0,8]}'), 4),
      /outside the 4-byte/,
    ],
    [
      'offsets reversed',
      build(entry('{"dtype":"U8","shape":[0],"data_offsets":[4,0]}'), 4),
      /\[4, 0\] outside/,
    ],
    ['one offset', build(entry('{"dtype":"U8","shape":[0],"data_offsets":[0]}'), 0), /data_offsets \[0\]/],
    [
      'negative offset',
      build(entry('{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}'), 0),
      /data_offsets \[-1,0\]/,
    ],
    [
      'overlapping offsets',
      build(
        '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}',
        6,
      ),
      /tensor "b" at data_offsets \[2, 6\] overlaps/,
    ],
    [
      'gap between tensors',
      build(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}',
        6,
      ),
      /tensor "b" at data_offsets \[4, 6\] leaves a gap/,
    ],
    ['not starting at 0', build(entry('{"dtype":"U8","shape":[2],"data_offsets":[2,4]}'), 4), /leaves a gap/],
    [
      'trailing data',
      build(entry('{"dtype":"U8","shape":[2],"data_offsets":[0,2]}'), 3),
      /cover 2 bytes but .* 3/,
    ],
    ['data without tensors', build('{}', 8), /cover 0 bytes but the data buffer holds 8/],
    [
      'metadata with a number',
      build('{"__metadata__":{"a":1}}', 0),
      /"__metadata__" key "a" is 1, not a string/,
    ],
    ['metadata with null', build('{"__metadata__":{"a":null}}', 0), /key "a" is null/],
    ['metadata an array', build('{"__metadata__":["a"]}', 0), /"__metadata__" is \["a"\]/],
    [
      'duplicate tensor name',
      build(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}',
        4,
      ),
      /names "a" twice/,
    ],
    ['duplicate escaped name', build('{"\\u0061":{"x":1},"a":{"y":2}}', 0), /names "a" twice/],
  ];

  for (const [name, bytes, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => parseSafetensors(bytes, { source: 'bad.safetensors' })).toThrow(message);
      expect(outcome(bytes)).toBe('SAFETENSORS_INVALID');
    });
  }

  it('rejects deeply nested JSON without a stack overflow', () => {
    const depth = 100_000;
    const bytes = build(`{"w":${'['.repeat(depth)}${']'.repeat(depth)}}`, 0);
    expect(outcome(bytes)).toBe('SAFETENSORS_INVALID');
  });

  it('accepts unknown extra fields in an entry, as the Rust crate does', () => {
    expect(outcome(build(entry('{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":true}'), 1))).toBe(
      'ok',
    );
  });
});
