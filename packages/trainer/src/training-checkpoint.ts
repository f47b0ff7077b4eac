/**
 * A resumable training checkpoint: one folder, written atomically (temporary sibling, then rename), holding
 *   parameters.safetensors  every trained tensor, f32, by the session's parameter names
 *   optimizer.safetensors   AdamW moments as "m.<name>" and "v.<name>", f32
 *   state.json              step, epoch position, best validation loss, patience, settings fingerprint
 * Everything a run needs to continue bit for bit: data order and dropout seeds are pure functions of
 * (seed, step), so no generator state beyond `step` and `seed` is stored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError, fromFloat32, parseSafetensors, serializeSafetensors, toFloat32 } from '@lorakit/core';
import type { Tensor } from '@lorakit/core';
import { writeFolderAtomic } from '@lorakit/core/node';
import type { AdamWState } from './adamw-optimizer.js';

export interface TrainingState {
  /** Optimizer steps completed. */
  step: number;
  seed: number;
  bestValidationLoss: number | null;
  bestStep: number | null;
  /** Evaluations since the best one (early stopping). */
  evaluationsWithoutImprovement: number;
  /** Settings that must match on resume (method, batch, schedule…), as a JSON string. */
  fingerprint: string;
}

export interface TrainingCheckpoint {
  state: TrainingState;
  parameters: Map<string, Float32Array>;
  optimizer: AdamWState;
}

const PARAMETERS_FILE = 'parameters.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'state.json';

function shaped(values: Float32Array): Tensor {
  return fromFloat32(values, [values.length]);
}

export async function writeTrainingCheckpoint(dir: string, checkpoint: TrainingCheckpoint): Promise<void> {
  const parameters = new Map<string, Tensor>();
  for (const [name, values] of checkpoint.parameters) parameters.set(name, shaped(values));
  const moments = new Map<string, Tensor>();
  for (const [name, values] of checkpoint.optimizer.firstMoments) moments.set(`m.${name}`, shaped(values));
  for (const [name, values] of checkpoint.optimizer.secondMoments) moments.set(`v.${name}`, shaped(values));
  const state = { ...checkpoint.state, optimizerStep: checkpoint.optimizer.step };
  await writeFolderAtomic(dir, async (temporary) => {
    await writeFile(join(temporary, PARAMETERS_FILE), serializeSafetensors(parameters));
    await writeFile(join(temporary, OPTIMIZER_FILE), serializeSafetensors(moments));
    await writeFile(join(temporary, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  });
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileError('FILE_NOT_FOUND', `${path}: cannot be read`, {
      fix: 'the checkpoint is incomplete; start without resume',
      cause: error,
    });
  }
}

export async function readTrainingCheckpoint(dir: string): Promise<TrainingCheckpoint> {
  const stateText = new TextDecoder().decode(await readBytes(join(dir, STATE_FILE)));
  const { optimizerStep, ...state } = JSON.parse(stateText) as TrainingState & { optimizerStep: number };
  const parameters = new Map<string, Float32Array>();
  for (const [name, tensor] of parseSafetensors(await readBytes(join(dir, PARAMETERS_FILE)), {
    source: join(dir, PARAMETERS_FILE),
  }).tensors) {
    parameters.set(name, toFloat32(tensor));
  }
  const firstMoments = new Map<string, Float32Array>();
  const secondMoments = new Map<string, Float32Array>();
  for (const [key, tensor] of parseSafetensors(await readBytes(join(dir, OPTIMIZER_FILE)), {
    source: join(dir, OPTIMIZER_FILE),
  }).tensors) {
    (key.startsWith('m.') ? firstMoments : secondMoments).set(key.slice(2), toFloat32(tensor));
  }
  return { state, parameters, optimizer: { step: optimizerStep, firstMoments, secondMoments } };
}
