/** A tensor of seeded uniform values on a backend, returned with its host values (for building expectations). */
import type { Backend } from '../backend.js';
import type { DeviceTensor } from '../device-tensor.js';
import type { SeededRandom } from './seeded-random.js';

export interface RandomTensor {
  tensor: DeviceTensor;
  values: Float32Array;
}

export function randomTensor(
  backend: Backend,
  random: SeededRandom,
  shape: readonly number[],
  low = -1,
  high = 1,
): RandomTensor {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  const values = random.floats(size, low, high);
  return { tensor: backend.fromArray(values, shape), values };
}
