/**
 * Test helpers for the op tests (and for any new backend's parity tests): the backends present, closeness with
 * a stated tolerance, finite differences and seeded random inputs.
 */
export { backendsPresent, referenceBackend } from './backends-present.js';
export { expectClose } from './expect-close.js';
export type { ExpectCloseOptions, Tolerance } from './expect-close.js';
export { finiteDifference, weightedSum } from './finite-difference.js';
export type { FiniteDifferenceOptions } from './finite-difference.js';
export { SeededRandom } from './seeded-random.js';
export { randomTensor } from './random-tensor.js';
export type { RandomTensor } from './random-tensor.js';
export { withTensors } from './with-tensors.js';
export type { TensorSpec } from './with-tensors.js';
