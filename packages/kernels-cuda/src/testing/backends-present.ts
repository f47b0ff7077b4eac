/**
 * The backends the op tests run on: whatever ../select-backend.ts reports as available on this machine, plus a
 * shared `reference` instance to compare against. A backend absent here is reported once (with the names that
 * are missing) instead of failing; registering a backend in select-backend.ts is enough to put it under test.
 */
import type { Backend } from '../backend.js';
import type { BackendName } from '../device-tensor.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { availableBackends } from '../select-backend.js';

const ALL_BACKENDS: readonly BackendName[] = ['reference', 'cpu', 'cuda'];

let present: Promise<Backend[]> | undefined;
let reference: Backend | undefined;

/** The backends present on this machine (memoised per test file); logs which ones are absent. */
export function backendsPresent(): Promise<Backend[]> {
  present ??= availableBackends().then((backends) => {
    const missing = ALL_BACKENDS.filter((name) => !backends.some((backend) => backend.name === name));
    if (missing.length > 0 && process.env['LORAKIT_QUIET_BACKENDS'] !== '1') {
      console.info(
        `[ops tests] running on ${backends.map((backend) => backend.name).join(', ')}; not present here: ${missing.join(', ')}`,
      );
    }
    return backends;
  });
  return present;
}

/** The reference backend every other backend is compared with. */
export function referenceBackend(): Backend {
  reference ??= createReferenceBackend();
  return reference;
}
