/** @lorakit/core/test — test doubles other packages and users need: random models and adapters, a seeded PRNG. */
export { randomModelTensors, writeRandomModel, randomAdapter } from './testing/random-model.js';
export type { RandomModelOptions } from './testing/random-model.js';
export { seededRandom, randomValues } from './testing/seeded-random.js';
export { INTEROP_ENABLED, INTEROP_PYTHON, runInteropPython } from './testing/interop-python.js';
