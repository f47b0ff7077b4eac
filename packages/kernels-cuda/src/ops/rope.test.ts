import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { Llama3RopeScaling } from '../ops.js';
import { ropeInverseFrequencies } from '../reference/rope.js';
import {
  backendsPresent,
  expectClose,
  finiteDifference,
  referenceBackend,
  SeededRandom,
  weightedSum,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

/** Llama 3.1's rope_scaling (config.json of Llama-3.1-8B). */
const LLAMA_31: Llama3RopeScaling = {
  factor: 8,
  lowFreqFactor: 1,
  highFreqFactor: 4,
  originalMaxPositionEmbeddings: 8192,
};

function rope(
  backend: Backend,
  x: ArrayLike<number>,
  shape: [number, number, number],
  positions: Int32Array,
  theta: number,
  options: { scaling?: Llama3RopeScaling; inverse?: boolean } = {},
): Float32Array {
  return withTensors(backend, { x: { values: x, shape } }, (t) =>
    backend.rope({ x: t.x, positions, theta, ...options }),
  ).x;
}

describe('rope (reference values)', () => {
  it('is the identity at position 0', () => {
    const x = new SeededRandom(1).floats(2 * 3 * 8);
    expectClose(rope(referenceBackend(), x, [2, 3, 8], new Int32Array(2), 10_000), x, { atol: 0, rtol: 0 });
  });

  it('rotates pair (i, i + D/2) by position·θ^(−2i/D)', () => {
    // D = 4, θ = 10⁴: inverse frequencies 1 and 10⁻²; position 1 rotates pair (0, 2) by 1 rad and (1, 3) by 0.01 rad.
    const out = rope(referenceBackend(), [1, 2, 3, 4], [1, 1, 4], Int32Array.from([1]), 10_000);
    const [c1, s1, c2, s2] = [Math.cos(1), Math.sin(1), Math.cos(0.01), Math.sin(0.01)];
    // f32 storage of the result: ~1e-7 relative.
    expectClose(out, [1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2], {
      atol: 1e-6,
      rtol: 1e-6,
    });
    // Position 3 rotates by three times the angle.
    const three = rope(referenceBackend(), [1, 0, 0, 0], [1, 1, 4], Int32Array.from([3]), 10_000);
    expectClose(three, [Math.cos(3), 0, Math.sin(3), 0], { atol: 1e-6, rtol: 1e-6 });
  });

  it('applies Llama-3 scaling to the inverse frequencies as transformers does', () => {
    const D = 128;
    const theta = 500_000;
    const scaled = ropeInverseFrequencies(D, theta, LLAMA_31);
    // Independent fp64 statement of `_compute_llama3_parameters`.
    const lowWavelength = 8192 / 1;
    const highWavelength = 8192 / 4;
    for (let i = 0; i < D / 2; i++) {
      const base = theta ** (-(2 * i) / D);
      const wavelength = (2 * Math.PI) / base;
      let expected: number;
      if (wavelength < highWavelength) expected = base;
      else if (wavelength > lowWavelength) expected = base / 8;
      else {
        const smooth = (8192 / wavelength - 1) / (4 - 1);
        expected = (1 - smooth) * (base / 8) + smooth * base;
      }
      // f32 steps against fp64: a few ulps.
      expectClose([scaled[i] as number], [expected], { atol: 0, rtol: 1e-6, label: `inv_freq[${i}]` });
    }
    // The three regimes: the highest frequency is unchanged, the lowest divided by the factor.
    expect(scaled[0]).toBe(1);
    expectClose([scaled[D / 2 - 1] as number], [theta ** (-(D - 2) / D) / 8], { atol: 0, rtol: 1e-6 });
    const unscaled = ropeInverseFrequencies(D, theta);
    const medium = Array.from(scaled).filter(
      (value, index) =>
        value !== unscaled[index] && Math.abs(value - (unscaled[index] as number) / 8) > 1e-12,
    );
    expect(medium.length).toBeGreaterThan(0);
  });

  it('the inverse undoes the rotation', () => {
    const x = new SeededRandom(2).floats(4 * 2 * 16);
    const positions = Int32Array.from([0, 5, 100, 9000]);
    const rotated = rope(referenceBackend(), x, [4, 2, 16], positions, 500_000, { scaling: LLAMA_31 });
    // Two f32 roundings of |x| ≤ 1.
    expectClose(
      rope(referenceBackend(), rotated, [4, 2, 16], positions, 500_000, { scaling: LLAMA_31, inverse: true }),
      x,
      { atol: 1e-6, rtol: 1e-6 },
    );
  });
});

describe.each(backends)('rope on $name', (backend: Backend) => {
  // Up to Llama 3's 128k context: backends must form the angle as transformers does, f32(position·invFreq) with
  // invFreq from ropeInverseFrequencies, or long positions drift by whole ulps of the angle.
  const positions = Int32Array.from([0, 1, 2, 17, 1000, 8191, 32768, 131071]);
  const shape: [number, number, number] = [positions.length, 3, 16];
  const x = new SeededRandom(3).floats(shape[0] * shape[1] * shape[2]);
  it.each([
    ['θ = 10⁴', 10_000, undefined, false],
    ['Llama-3 scaling', 500_000, LLAMA_31, false],
    ['inverse with scaling', 500_000, LLAMA_31, true],
  ] as const)('%s matches the reference', (_, theta, scaling, inverse) => {
    const options = { ...(scaling ? { scaling } : {}), inverse };
    // f32 sin/cos of the same f32 angle (accurate to an ulp) times |x| ≤ 1.
    expectClose(
      rope(backend, x, shape, positions, theta, options),
      rope(referenceBackend(), x, shape, positions, theta, options),
      {
        atol: 2e-6,
        rtol: 1e-5,
        label: `rope on ${backend.name}`,
        shape,
      },
    );
  });

  it('rejects odd head dimensions, negative positions and bad scaling', () => {
    expect(() =>
      backend.rope({ x: backend.zeros([2, 1, 5]), positions: new Int32Array(2), theta: 10_000 }),
    ).toThrow('rope: x [2, 1, 5] has an odd head dimension 5');
    expect(() =>
      backend.rope({ x: backend.zeros([2, 1, 4]), positions: Int32Array.from([0, -3]), theta: 10_000 }),
    ).toThrow('rope: positions[1] = -3 is out of range');
    expect(() =>
      backend.rope({ x: backend.zeros([2, 1, 4]), positions: new Int32Array(3), theta: 10_000 }),
    ).toThrow('rope: positions has 3 entries, expected 2');
    expect(() =>
      backend.rope({
        x: backend.zeros([2, 1, 4]),
        positions: new Int32Array(2),
        theta: 10_000,
        scaling: { ...LLAMA_31, highFreqFactor: 1 },
      }),
    ).toThrow('rope: scaling.highFreqFactor = 1 must be a finite number in (1, ∞)');
  });
});

describe('rope inverse finite differences (reference)', () => {
  it('rope(inverse) of dy is the gradient of L = Σ dy ⊙ rope(x)', () => {
    const random = new SeededRandom(4);
    const shape: [number, number, number] = [3, 2, 8];
    const positions = Int32Array.from([1, 7, 300]);
    const x = random.floats(48);
    const dy = random.floats(48);
    const gradient = rope(referenceBackend(), dy, shape, positions, 10_000, { inverse: true });
    const numeric = finiteDifference(
      (point) => weightedSum(rope(referenceBackend(), point, shape, positions, 10_000), dy),
      x,
    );
    // L is linear in x: only f32 rounding of the 48 outputs over 2h.
    expectClose(gradient, numeric, { atol: 1e-4, rtol: 1e-4 });
  });
});
