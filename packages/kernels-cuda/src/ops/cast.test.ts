import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { DeviceDType } from '../device-tensor.js';
import { backendsPresent, expectClose, referenceBackend, SeededRandom } from '../testing/index.js';

const backends = await backendsPresent();

/** Round trip f32 → dtype → f32 through `cast`. */
function roundTrip(backend: Backend, values: readonly number[], dtype: DeviceDType): Float32Array {
  const source = backend.fromArray(values, [values.length]);
  const narrow = backend.zeros([values.length], dtype);
  const back = backend.zeros([values.length]);
  backend.cast(narrow, source);
  backend.cast(back, narrow);
  const result = backend.toArray(back);
  for (const tensor of [source, narrow, back]) tensor.dispose();
  return result;
}

describe('cast (reference values)', () => {
  it('rounds f32 to bf16 to nearest, ties to even', () => {
    // bf16 keeps 7 mantissa bits: 1 + 2⁻⁸ is a tie between 1 and 1 + 2⁻⁷ (→ 1, even); 1 + 3·2⁻⁸ is a tie between
    // 1 + 2⁻⁷ and 1 + 2⁻⁶ (→ 1 + 2⁻⁶, even); 1 + 2⁻⁸ + 2⁻¹⁶ is above the tie (→ 1 + 2⁻⁷).
    const values = [1, -2.5, 3.14159, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -16, 1e-40, 3e38];
    // 1e-40 is an f32 subnormal (bits 0x000116C2 → 0x0001 = 2⁻¹³³); 3e38 (0x7F61B1E6) rounds up to 0x7F62.
    const expected = [1, -2.5, 3.140625, 1, 1 + 2 ** -6, 1 + 2 ** -7, 2 ** -133, (1 + 98 / 128) * 2 ** 127];
    expectClose(roundTrip(referenceBackend(), values, 'bf16'), expected, { atol: 0, rtol: 0 });
  });

  it('rounds f32 to f16 to nearest, ties to even, with overflow to infinity and subnormals', () => {
    // f16: 10 mantissa bits, max 65504, smallest subnormal 2⁻²⁴; 1 + 2⁻¹¹ is a tie (→ 1).
    const values = [1 / 3, 65504, 65520, 1 + 2 ** -11, 2 ** -24, 2 ** -26, -0.1];
    const expected = [0.333251953125, 65504, Infinity, 1, 2 ** -24, 0, -0.0999755859375];
    expectClose(roundTrip(referenceBackend(), values, 'f16'), expected, { atol: 0, rtol: 0 });
  });

  it('fromArray/toArray store f16 and bf16 as their bit patterns', () => {
    const reference = referenceBackend();
    const tensor = reference.fromArray([1.5, -3.140625], [2], 'bf16');
    expectClose(reference.toArray(tensor), [1.5, -3.140625], { atol: 0, rtol: 0 });
    reference.fill(tensor, 0.1);
    // 0.1 in bf16 = 0.10009765625
    expectClose(reference.toArray(tensor), [0.10009765625, 0.10009765625], { atol: 0, rtol: 0 });
    const copy = reference.zeros([2], 'bf16');
    reference.copy(copy, tensor);
    expectClose(reference.toArray(copy), reference.toArray(tensor), { atol: 0, rtol: 0 });
    expect(() => reference.copy(reference.zeros([2]), tensor)).toThrow('copy: dst is f32, expected bf16');
  });
});

describe.each(backends)('cast on $name', (backend: Backend) => {
  const values = Array.from(new SeededRandom(71).floats(64, -1000, 1000));
  it.each(['f16', 'bf16'] as const)('f32 → %s → f32 matches the reference bit for bit', (dtype) => {
    expectClose(roundTrip(backend, values, dtype), roundTrip(referenceBackend(), values, dtype), {
      atol: 0,
      rtol: 0,
      label: `${dtype} round trip on ${backend.name}`,
    });
  });

  it('f16 ↔ bf16 goes through the exact f32 value', () => {
    const f16 = backend.fromArray(values, [64], 'f16');
    const bf16 = backend.zeros([64], 'bf16');
    backend.cast(bf16, f16);
    const expected = referenceBackend().fromArray(
      referenceBackend().toArray(referenceBackend().fromArray(values, [64], 'f16')),
      [64],
      'bf16',
    );
    expectClose(backend.toArray(bf16), referenceBackend().toArray(expected), { atol: 0, rtol: 0 });
    expect(() => backend.cast(bf16, backend.zeros([63]))).toThrow(
      'cast: out has shape [64], expected [63] for x [63]',
    );
  });
});
