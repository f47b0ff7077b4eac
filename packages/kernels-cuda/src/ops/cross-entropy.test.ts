import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import {
  backendsPresent,
  expectClose,
  finiteDifference,
  referenceBackend,
  SeededRandom,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

const [T, V] = [5, 13];
const TARGETS = Int32Array.from([3, -100, 12, 0, 3]);

function crossEntropy(
  backend: Backend,
  logits: ArrayLike<number>,
  targets: Int32Array,
  options: { gradScale?: number; inPlace?: boolean; ignoreIndex?: number; vocabulary?: number } = {},
): Record<'losses' | 'dLogits', Float32Array> {
  const rows = targets.length;
  const vocabulary = options.vocabulary ?? V;
  const shared = {
    ...(options.gradScale === undefined ? {} : { gradScale: options.gradScale }),
    ...(options.ignoreIndex === undefined ? {} : { ignoreIndex: options.ignoreIndex }),
  };
  if (options.inPlace) {
    const result = withTensors(
      backend,
      { logits: { values: logits, shape: [rows, vocabulary] }, losses: [rows] },
      (t) => backend.crossEntropy({ ...t, targets, dLogits: t.logits, ...shared }),
    );
    return { losses: result.losses, dLogits: result.logits };
  }
  const { losses, dLogits } = withTensors(
    backend,
    { logits: { values: logits, shape: [rows, vocabulary] }, losses: [rows], dLogits: [rows, vocabulary] },
    (t) => backend.crossEntropy({ ...t, targets, ...shared }),
  );
  return { losses, dLogits };
}

describe('crossEntropy (reference values)', () => {
  it('uniform logits give log V; ignored rows give 0 loss and 0 gradient', () => {
    const { losses, dLogits } = crossEntropy(
      referenceBackend(),
      new Float32Array(2 * 8).fill(0.25),
      Int32Array.from([5, -100]),
      { vocabulary: 8 },
    );
    expectClose(losses, [Math.log(8), 0], { atol: 1e-6, rtol: 1e-6 });
    // softmax = 1/8 everywhere; minus one at the target.
    const expected = new Array<number>(16)
      .fill(0)
      .map((_, index) => (index < 8 ? 1 / 8 - (index === 5 ? 1 : 0) : 0));
    expectClose(dLogits, expected, { atol: 1e-7, rtol: 1e-6 });
  });

  it('a custom ignore index is skipped; a confident correct row has a near-zero loss', () => {
    const logits = [20, 0, 0, 0, 0, 0, 0, 0];
    const { losses } = crossEntropy(referenceBackend(), [...logits, ...logits], Int32Array.from([0, 7]), {
      ignoreIndex: 7,
      vocabulary: 8,
    });
    // log(1 + 7·e⁻²⁰)
    expectClose(losses, [Math.log1p(7 * Math.exp(-20)), 0], { atol: 1e-7, rtol: 1e-3 });
  });
});

describe.each(backends)('crossEntropy on $name', (backend: Backend) => {
  const logits = new SeededRandom(41).floats(T * V, -8, 8);
  it.each([
    ['into a separate dLogits', false],
    ['in place (dLogits = logits)', true],
  ] as const)('losses and gradients %s match the reference', (_, inPlace) => {
    const expected = crossEntropy(referenceBackend(), logits, TARGETS, { gradScale: 0.25 });
    const actual = crossEntropy(backend, logits, TARGETS, { gradScale: 0.25, inPlace });
    // f32 exp/log over 13 logits of size ≤ 8.
    expectClose(actual.losses, expected.losses, {
      atol: 1e-5,
      rtol: 1e-5,
      label: `losses on ${backend.name}`,
    });
    expectClose(actual.dLogits, expected.dLogits, {
      atol: 1e-6,
      rtol: 1e-5,
      label: `dLogits on ${backend.name}`,
      shape: [T, V],
    });
  });

  it('rejects targets outside the vocabulary', () => {
    expect(() => crossEntropy(backend, logits, Int32Array.from([3, 1, V, 0, 3]))).toThrow(
      `crossEntropy: targets[2] = ${V} is out of range [0, ${V}) (or -100)`,
    );
    expect(() =>
      backend.crossEntropy({
        logits: backend.zeros([T, V]),
        targets: TARGETS,
        losses: backend.zeros([T + 1]),
      }),
    ).toThrow(`crossEntropy: losses has shape [${T + 1}], expected [${T}] for logits [${T}, ${V}]`);
  });
});

describe('crossEntropy dLogits finite differences (reference)', () => {
  it('dLogits is the gradient of gradScale·Σ losses', () => {
    const logits = new SeededRandom(42).floats(T * V, -3, 3);
    const gradScale = 0.5;
    const { dLogits } = crossEntropy(referenceBackend(), logits, TARGETS, { gradScale });
    const loss = (point: Float32Array): number =>
      gradScale *
      crossEntropy(referenceBackend(), point, TARGETS).losses.reduce((sum, value) => sum + value, 0);
    // Four counted losses ≲ 6 in f32, over 2h: ~1e-4.
    expectClose(dLogits, finiteDifference(loss, logits), { atol: 3e-4, rtol: 1e-3, shape: [T, V] });
  });
});
