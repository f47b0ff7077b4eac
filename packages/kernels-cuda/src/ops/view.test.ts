/**
 * Backend.view on every backend present (and the CPU emulation of the cuda addon where it was built): a view is
 * the same memory under another shape, its size is checked, and its life ends with its base's — a view of a
 * disposed base is a TENSOR_DISPOSED error, never a read of memory the allocator may have handed out again.
 */
import { isLorakitError } from '@lorakit/core';
import type { LorakitError } from '@lorakit/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { createCudaBackend } from '../cuda/create-cuda-backend.js';
import type { CudaBackend } from '../cuda/create-cuda-backend.js';
import { loadCuda } from '../cuda/load-cuda.js';
import { backendsPresent } from '../testing/index.js';

const targets: { label: string; backend: () => Backend }[] = (await backendsPresent()).map((backend) => ({
  label: backend.name,
  backend: () => backend,
}));
const emulation = loadCuda('emulated');
if ('unavailable' in emulation) console.log(`view (cuda emulated) skipped: ${emulation.unavailable}`);
else {
  let emulated: CudaBackend | undefined;
  targets.push({
    label: 'cuda emulated',
    backend: () => (emulated ??= createCudaBackend({ variant: 'emulated' })),
  });
  afterAll(() => emulated?.dispose());
}

/** The typed error `call` throws (fails the test when it throws none or an untyped one). */
function thrownBy(call: () => unknown): LorakitError {
  try {
    call();
  } catch (error) {
    if (isLorakitError(error)) return error;
    throw error;
  }
  throw new Error('expected a typed error, got none');
}

const counting = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);

describe.each(targets)('view on $label', ({ backend: get }) => {
  it('refuses a shape with another element count, naming both shapes', () => {
    const backend = get();
    using base = backend.zeros([2, 6]);
    const error = thrownBy(() => backend.view(base, [5, 2]));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toBe(
      'view: cannot view a tensor of shape [2, 6] (12 elements) as [5, 2] (10 elements); a view keeps the element count; copy into a new tensor to change it',
    );
    expect(thrownBy(() => backend.view(base, [3, -4])).code).toBe('INVALID_ARGUMENT');
  });

  it('shares memory: writes through the view are seen by the base and the other way round', () => {
    const backend = get();
    using base = backend.fromArray(counting(12), [2, 6], 'bf16');
    const view = backend.view(base, [2, 3, 2]);
    expect(view.shape).toEqual([2, 3, 2]);
    expect(view.dtype).toBe('bf16');
    expect(view.size).toBe(12);
    expect([...backend.toArray(view)]).toEqual(counting(12)); // small integers are exact in bf16
    backend.write(
      view,
      counting(12).map((value) => -value),
    );
    expect([...backend.toArray(base)]).toEqual(counting(12).map((value) => -value));

    using f32 = backend.fromArray(counting(24), [4, 6]);
    const attention = backend.view(f32, [2, 2, 3, 2]); // [T, features] as [B, T, H, D]
    using ones = backend.fromArray(Array<number>(24).fill(1), [2, 2, 3, 2]);
    backend.add(attention, attention, ones); // an op writing through the view
    // Adding 1 to small integers is exact in f32: tolerance 0.
    expect([...backend.toArray(f32)]).toEqual(counting(24).map((value) => value + 1));
    backend.fill(f32, 0.5);
    expect([...backend.toArray(attention)]).toEqual(Array<number>(24).fill(0.5));
  });

  it('disposing a view leaves the base and its memory alone', () => {
    const backend = get();
    using base = backend.fromArray(counting(6), [2, 3]);
    const inUse = (): number | undefined =>
      'memoryStats' in backend ? (backend as CudaBackend).memoryStats().inUseBytes : undefined;
    const before = inUse();
    const view = backend.view(base, [6]);
    view.dispose();
    expect(view.disposed).toBe(true);
    expect(base.disposed).toBe(false);
    expect(inUse()).toBe(before);
    // Had the view given the buffer back, this new tensor could take it and zero the base's values.
    using other = backend.zeros([2, 3]);
    backend.add(base, base, other);
    expect([...backend.toArray(base)]).toEqual(counting(6));
    expect(thrownBy(() => backend.toArray(view)).code).toBe('TENSOR_DISPOSED');
  });

  it('a view (and a view of it) is TENSOR_DISPOSED in an op once the base is disposed', () => {
    const backend = get();
    const base = backend.fromArray(counting(8), [2, 4]);
    const view = backend.view(base, [2, 2, 2]);
    const viewOfView = backend.view(view, [8]);
    view.dispose(); // the middle view's dispose does not end the view taken from it
    expect(backend.toArray(viewOfView)[7]).toBe(8);
    base.dispose();
    expect(viewOfView.disposed).toBe(true);
    using other = backend.zeros([8]);
    const error = thrownBy(() => backend.add(other, viewOfView, other));
    expect(error.code).toBe('TENSOR_DISPOSED');
    expect(error.message).toContain('add');
    expect(thrownBy(() => backend.toArray(viewOfView)).code).toBe('TENSOR_DISPOSED');
    expect(thrownBy(() => backend.view(base, [8])).code).toBe('TENSOR_DISPOSED');
  });
});

describe.each(targets)('aliasing through views ($label)', ({ backend }) => {
  it('refuses an output that shares memory with an input through a view', () => {
    const b = backend();
    const base = b.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const view = b.view(base, [2, 3]);
    const gate = b.fromArray([1, 1, 1, 1, 1, 1], [2, 3]);
    try {
      expect(view.memory).toBe(base.memory);
      expect(thrownBy(() => b.siluMul(view, base, gate)).message).toContain(
        'siluMul: out [2, 3] shares its memory with gate',
      );
    } finally {
      for (const tensor of [view, base, gate]) tensor.dispose();
    }
  });
});
