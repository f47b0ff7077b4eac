/** @lorakit/core/node — the file-system side of core: safetensors files, checkpoints, adapter and model folders. */
export { writeFileAtomic } from './atomic-write.js';
export { writeFolderAtomic } from './atomic-folder.js';
export type { WriteFolderAtomicOptions } from './atomic-folder.js';
export { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
export {
  readCheckpoint,
  writeCheckpoint,
  SINGLE_FILE,
  INDEX_FILE,
  DEFAULT_MAX_SHARD_BYTES,
} from './checkpoint-file.js';
export type { Checkpoint, WriteCheckpointOptions } from './checkpoint-file.js';
export {
  readAdapterFolder,
  writeAdapterFolder,
  listAdapterFolders,
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
} from './adapter-folder.js';
export type { ReadAdapterFolderOptions } from './adapter-folder.js';
export { loadModelConfig, readModelConfigFile } from './model-config-file.js';
export type { LoadedModelConfig } from './model-config-file.js';
export { mergeAdapterFolder } from './merge-adapter-folder.js';
export type { MergeAdapterFolderOptions, MergeAdapterFolderResult } from './merge-adapter-folder.js';
