// Every parity case (parity-cases.ts) on the cuda backend against the reference, at the case's tolerance
// (|ref − out| ≤ atol + rtol·|ref|): in the CPU emulation of the kernels on every machine where it was built
// (g++), with the threads of each block run in both orders so a missing barrier shows; and on the GPU where one
// is present (small shapes here; `pnpm test:gpu` runs the large ones).
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { createCudaBackend } from './create-cuda-backend.js';
import type { CudaBackend } from './create-cuda-backend.js';
import { loadCuda } from './load-cuda.js';
import type { CudaAddonVariant } from './load-cuda.js';
import { PARITY_CASES, ParityContext, worstMismatch } from './parity-cases.js';

const reference = createReferenceBackend();

for (const variant of ['emulated', 'device'] as const satisfies readonly CudaAddonVariant[]) {
  const loaded = loadCuda(variant);
  const skipReason = 'unavailable' in loaded ? loaded.unavailable : undefined;
  if (skipReason !== undefined) console.log(`cuda parity (${variant}) skipped: ${skipReason}`);
  const orders =
    variant === 'emulated' ? (['first-to-last', 'last-to-first'] as const) : (['hardware'] as const);
  describe.skipIf(skipReason !== undefined)(`cuda backend (${variant}) against reference`, () => {
    let backend: CudaBackend | undefined;
    const cuda = (): CudaBackend => (backend ??= createCudaBackend({ variant }));
    afterAll(() => backend?.dispose());

    for (const order of orders) {
      for (const parityCase of PARITY_CASES) {
        it(`${parityCase.name} (threads ${order})`, () => {
          const expectedContext = new ParityContext(reference, 'small', 42);
          const actualContext = new ParityContext(cuda(), 'small', 42);
          const module = 'unavailable' in loaded ? undefined : loaded.module;
          module?.setEmulationOrder?.(order === 'last-to-first');
          try {
            const expected = parityCase.run(expectedContext);
            const actual = parityCase.run(actualContext);
            for (const [name, values] of Object.entries(expected)) {
              // |ref − out| ≤ atol + rtol·|ref| with the case's atol/rtol (see parity-cases.ts).
              const mismatch = worstMismatch(
                values,
                actual[name] ?? Number.NaN,
                parityCase.atol,
                parityCase.rtol,
              );
              expect(mismatch, `${name}: ${mismatch}`).toBeUndefined();
            }
          } finally {
            module?.setEmulationOrder?.(false);
            expectedContext.dispose();
            actualContext.dispose();
          }
        });
      }
    }
  });
}
