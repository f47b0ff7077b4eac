/**
 * Backend selection: a registry of the backends (data) and `createBackend`, which picks one once. `auto` tries
 * cuda → cpu → reference and logs each step down with its reason ("cuda unavailable: no CUDA driver or GPU …"),
 * so a machine without a compiler, nvcc or GPU still works, on the next backend, with a clear message.
 * To add a backend: implement Backend, pass the shared op tests, and add a row here.
 */
import { BackendError, nearestNames } from '@lorakit/core';
import type { Backend } from './backend.js';
import { createCpuBackend } from './cpu/cpu-backend.js';
import { createCudaBackend } from './cuda/create-cuda-backend.js';
import type { BackendName } from './device-tensor.js';
import { createReferenceBackend } from './reference/reference-backend.js';

/** Each backend's factory; a factory throws BackendError('BACKEND_UNAVAILABLE', reason) when it cannot run here. */
export const BACKENDS = {
  cuda: () => createCudaBackend(),
  cpu: () => createCpuBackend(),
  reference: () => createReferenceBackend(),
} as const satisfies Record<BackendName, () => Backend>;

/** The order `auto` tries them in. */
export const AUTO_ORDER: readonly BackendName[] = ['cuda', 'cpu', 'reference'];

export type BackendPreference = 'auto' | BackendName;

export interface CreateBackendOptions {
  /** Receives one line per step down (default: nothing). */
  log?: (line: string) => void;
}

/** The backend asked for, or with `auto` the first of cuda → cpu → reference that runs on this machine. */
export function createBackend(
  preference: BackendPreference = 'auto',
  options: CreateBackendOptions = {},
): Backend {
  if (preference !== 'auto') {
    if (!Object.hasOwn(BACKENDS, preference)) {
      const names = ['auto', ...Object.keys(BACKENDS)];
      throw new BackendError('BACKEND_UNAVAILABLE', `unknown backend "${String(preference)}"`, {
        fix: `use one of ${names.join(', ')} (nearest: ${nearestNames(String(preference), names, 1).join(', ')})`,
      });
    }
    return BACKENDS[preference]();
  }
  for (const name of AUTO_ORDER) {
    try {
      return BACKENDS[name]();
    } catch (error) {
      if (!(error instanceof BackendError) || error.code !== 'BACKEND_UNAVAILABLE' || name === 'reference')
        throw error;
      options.log?.(`${error.message}; trying the next backend`);
    }
  }
  return createReferenceBackend();
}

/** Every backend that runs on this machine, `reference` first (the op tests run each one against it). */
export async function availableBackends(): Promise<Backend[]> {
  const backends: Backend[] = [createReferenceBackend()];
  for (const name of ['cpu', 'cuda'] as const) {
    try {
      backends.push(BACKENDS[name]());
    } catch (error) {
      if (!(error instanceof BackendError) || error.code !== 'BACKEND_UNAVAILABLE') throw error;
    }
  }
  return backends;
}
