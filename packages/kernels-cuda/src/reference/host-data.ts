/**
 * The typed arrays behind a host tensor, for the reference ops. The validators have already checked the backend,
 * the dtype and that the tensor is alive; these only narrow DeviceTensor to HostTensor.
 */
import { BackendError } from '@lorakit/core';
import type { DeviceTensor } from '../device-tensor.js';
import { HostTensor } from '../host-tensor.js';

/** The raw storage: a Float32Array for f32, 16-bit patterns for f16/bf16. */
export function hostStorage(tensor: DeviceTensor): Float32Array | Uint16Array {
  if (!(tensor instanceof HostTensor)) {
    throw new BackendError(
      'BACKEND_MISMATCH',
      `tensor ${JSON.stringify(tensor.shape)} claims the ${tensor.backend} backend but is not a host tensor`,
    );
  }
  return tensor.storage;
}

/** The f32 values (throws for f16/bf16 tensors and after dispose). */
export function hostData(tensor: DeviceTensor): Float32Array {
  hostStorage(tensor);
  return (tensor as HostTensor).f32;
}
