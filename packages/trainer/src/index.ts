/**
 * @lorakit/trainer — LoRA and full fine-tuning of Llama-family checkpoints: JSONL datasets in four formats,
 * AdamW with warmup and cosine/linear decay, gradient accumulation and clipping, evaluation with early stopping,
 * atomic checkpoints that resume bit for bit, metrics.jsonl and typed events.
 */
export { train } from './train.js';
export type { TrainOptions, TrainResult, TrainingEvents, TrainingMethod } from './train-options.js';
export { TypedEmitter } from './typed-emitter.js';
export type { EventMap } from './typed-emitter.js';
export type { StepMetrics } from './metrics-log.js';

export { DatasetError } from './dataset-error.js';
export { detectRecordFormat, toDatasetRecord } from './dataset-record.js';
export type { ChatMessage, DatasetFormat, DatasetRecord, RecordSource } from './dataset-record.js';
export { readDataset, parseDatasetText } from './read-dataset.js';
export type { Dataset, ReadDatasetOptions } from './read-dataset.js';
export type { ExampleTokenizer } from './example-tokenizer.js';
export { modelExampleTokenizer } from './model-example-tokenizer.js';
export { encodeExample, IGNORE_INDEX } from './encode-example.js';
export type { EncodedSequence, EncodeExampleOptions, TextSegment } from './encode-example.js';
export { renderChatSegments } from './render-chat-segments.js';
export { prepareSequences } from './prepare-sequences.js';
export type { PrepareSequencesOptions } from './prepare-sequences.js';
export { splitDataset } from './split-dataset.js';
export type { DatasetSplit, SplitFractions } from './split-dataset.js';
export { seededPermutation, mixSeed } from './seeded-permutation.js';
export { makeBatch } from './make-batch.js';
export type { TokenBatch } from './make-batch.js';
export { TrainingData } from './training-data.js';
export type { TrainingDataOptions } from './training-data.js';

export { learningRateAt } from './learning-rate-schedule.js';
export type { LearningRateDecay, LearningRateSchedule } from './learning-rate-schedule.js';
export { AdamWOptimizer } from './adamw-optimizer.js';
export type { AdamWSettings, AdamWState, OptimizedParameter } from './adamw-optimizer.js';
export { readTrainingCheckpoint, writeTrainingCheckpoint } from './training-checkpoint.js';
export type { TrainingCheckpoint, TrainingState } from './training-checkpoint.js';
export { evaluateLoss } from './evaluate-loss.js';
export { writeTrainingOutput } from './write-training-output.js';
export type { WriteTrainingOutputOptions } from './write-training-output.js';

export { benchTrain } from './bench-train.js';
export type { BenchTrainOptions, BenchTrainResult } from './bench-train.js';
export { TRAIN_BENCH_PRESETS } from './train-bench-presets.js';
export type { TrainBenchPreset, TrainBenchPresetName } from './train-bench-presets.js';
export { runTorchTrainPeer } from './torch-train-peer.js';
export type { TorchTrainPeerJob, TorchTrainPeerRun, TorchTrainPeerSkip } from './torch-train-peer.js';
