/**
 * Runs one call into the CUDA addon and turns what it throws into a typed error naming the op: a failed native
 * check (a bug on the TypeScript side, since the validators run first) is INVALID_ARGUMENT; a CUDA error
 * (out of memory, a failed launch, a lost device) is BACKEND_UNAVAILABLE, since the device may be unusable after it.
 */
import { BackendError, LorakitError } from '@lorakit/core';

export function callNative<T>(op: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof LorakitError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (message.endsWith('(native check)'))
      throw new BackendError('INVALID_ARGUMENT', `cuda ${op}: ${message}`, { cause: error });
    throw new BackendError('BACKEND_UNAVAILABLE', `cuda ${op}: ${message}`, {
      cause: error,
      fix: 'a CUDA error can leave the device unusable: restart the process, or use the cpu backend',
    });
  }
}
