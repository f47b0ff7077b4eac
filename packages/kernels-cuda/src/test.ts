/** @lorakit/kernels-cuda/test — what a new backend needs to be tested like the built-in ones. */
export {
  backendsPresent,
  referenceBackend,
  expectClose,
  finiteDifference,
  weightedSum,
  SeededRandom,
  randomTensor,
  withTensors,
} from './testing/index.js';
export type {
  ExpectCloseOptions,
  Tolerance,
  FiniteDifferenceOptions,
  RandomTensor,
  TensorSpec,
} from './testing/index.js';
