/**
 * @lorakit/models — Llama-family checkpoints in TypeScript: loading, forward (training and KV-cached inference),
 * explicit backward, LoRA adapters (several per batch), tokenizer, chat templates and generation.
 */
// --- core model (M1) ---
export { loadModel, SUPPORTED_MODEL_TYPES } from './load-model.js';
export type { LoadModelOptions } from './load-model.js';
export { Model } from './model.js';
export type { ForwardInput, GenerationDefaults } from './model.js';
export { KvCache } from './kv-cache.js';
export { TrainingSession } from './training-session.js';
export type {
  TrainableParameter,
  TrainingSessionOptions,
  TrainingBatch,
  TrainingForwardOptions,
  ForwardResult,
} from './training-session.js';
export { createLoraAdapter } from './create-lora-adapter.js';
export type { CreateLoraAdapterOptions } from './create-lora-adapter.js';
export { sumAdapters } from './sum-adapters.js';
// --- end core model (M1) ---
// --- tokenizer, chat templates, sampling and generation (M2) ---
export { Tokenizer, createTokenizer } from './tokenizer.js';
export type { CreateTokenizerOptions, EncodeOptions, DecodeOptions } from './tokenizer.js';
export { loadTokenizer } from './tokenizer-file.js';
export type { LoadTokenizerOptions } from './tokenizer-file.js';
export { applyChatTemplate, checkChatMessages } from './chat-template.js';
export type { ChatMessage, ChatTemplateOptions } from './chat-template.js';
export { encodeChat, renderChat } from './chat-template-tokens.js';
export type { EncodeChatOptions } from './chat-template-tokens.js';
export { sampleToken, samplingDistribution, checkSamplingOptions } from './sampler.js';
export type { SamplingOptions } from './sampler.js';
export { createSeededRandom } from './sampler-random.js';
export { StreamingDetokenizer } from './detokenizer.js';
export type { DetokenizerOptions } from './detokenizer.js';
export { StopSequenceMatcher } from './stop-sequences.js';
export type { StopSequenceResult } from './stop-sequences.js';
export { generate } from './generate.js';
export { generateStream } from './generate-stream.js';
export type { GenerationStream } from './generate-stream.js';
export type { GenerateOptions, GenerateResult, GenerationModel, FinishReason } from './generate-steps.js';
// --- end tokenizer, chat templates, sampling and generation (M2) ---
