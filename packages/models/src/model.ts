/**
 * A loaded Llama-family model: weights on a backend, attached LoRA adapters, KV caches and training sessions.
 * Disposing the model disposes everything hanging off it (and the backend when the model created it).
 */
import { fromFloat32, LorakitError, MathError, nearestNames } from '@lorakit/core';
import type {
  Adapter,
  FloatDType,
  ModelConfig,
  ModelDimensions,
  ModelModule,
  ResolvedArchitecture,
  Tensor,
} from '@lorakit/core';
import { TensorPool } from '@lorakit/kernels-cuda';
import type { Backend } from '@lorakit/kernels-cuda';
import { attachToBackend } from './attached-adapter.js';
import type { AttachedAdapter } from './attached-adapter.js';
import { inferenceForward } from './inference-forward.js';
import { KvCache } from './kv-cache.js';
import type { ModelParts } from './model-parts.js';
import { TrainingSession } from './training-session.js';
import type { TrainingSessionOptions } from './training-session.js';

/** Token ids and generation defaults from generation_config.json, with config.json as the fallback. */
export interface GenerationDefaults {
  /** Every end-of-sequence id (generation_config may list several). */
  readonly eosTokenIds: readonly number[];
  readonly bosTokenId?: number;
  readonly padTokenId?: number;
  /** generation_config.json verbatim ({} when absent): temperature, top_p, top_k, max_new_tokens … */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface ForwardInput {
  /** Row-major [batch, T] token ids. */
  tokens: Int32Array | readonly number[];
  /** Number of sequences (default 1); every sequence has the same length T. */
  batch?: number;
  /** Per sequence: an attached adapter's name, or null for the base model. */
  adapters?: readonly (string | null)[];
  /** Continue from (and append to) this cache. */
  cache?: KvCache;
}

export interface ModelInit {
  directory: string;
  config: ModelConfig;
  architecture: ResolvedArchitecture;
  modules: readonly ModelModule[];
  generation: GenerationDefaults;
  parts: ModelParts;
  ownsBackend: boolean;
}

export class Model implements Disposable {
  readonly directory: string;
  readonly backend: Backend;
  readonly config: ModelConfig;
  readonly architecture: ResolvedArchitecture;
  readonly dimensions: ModelDimensions;
  readonly modules: readonly ModelModule[];
  readonly generation: GenerationDefaults;
  /** config.max_position_embeddings, or Infinity when the config has none. */
  readonly maxPositions: number;
  /** @internal weights and settings the passes read. */
  readonly parts: ModelParts;
  readonly #adapters = new Map<string, AttachedAdapter>();
  readonly #caches = new Set<KvCache>();
  readonly #sessions = new Set<TrainingSession>();
  readonly #pool: TensorPool;
  readonly #ownsBackend: boolean;
  #disposed = false;

  constructor(init: ModelInit) {
    this.directory = init.directory;
    this.config = init.config;
    this.architecture = init.architecture;
    this.modules = init.modules;
    this.generation = init.generation;
    this.parts = init.parts;
    this.backend = init.parts.backend;
    this.dimensions = init.parts.dimensions;
    this.maxPositions = init.config.max_position_embeddings ?? Number.POSITIVE_INFINITY;
    this.#ownsBackend = init.ownsBackend;
    this.#pool = new TensorPool(this.backend);
  }

  get adapterNames(): readonly string[] {
    return [...this.#adapters.keys()];
  }

  /** Uploads an adapter under `name`; every module it names must exist in this model with the same shape. */
  attachAdapter(name: string, adapter: Adapter): void {
    this.#alive();
    if (this.#adapters.has(name)) {
      throw new LorakitError('INVALID_ARGUMENT', `an adapter named "${name}" is already attached`, {
        fix: 'detach it first or pick another name',
      });
    }
    this.#adapters.set(name, attachToBackend(this.backend, name, adapter, this.modules));
  }

  detachAdapter(name: string): void {
    this.#adapter(name).dispose();
    this.#adapters.delete(name);
  }

  /** @internal the attached adapter called `name` (typed error naming the attached ones otherwise). */
  attachedAdapter(name: string): AttachedAdapter {
    return this.#adapter(name);
  }

  /** The adapter's current (possibly trained) values as a core Adapter with F32 host tensors. */
  exportAdapter(name: string): Adapter {
    return this.#adapter(name).toAdapter();
  }

  /** Every base weight in transformers' names, as host tensors (F32 unless asked), for writeCheckpoint. */
  exportWeights(options: { dtype?: FloatDType } = {}): Map<string, Tensor> {
    this.#alive();
    const tensors = new Map<string, Tensor>();
    for (const [name, tensor] of this.parts.weights.byName) {
      tensors.set(name, fromFloat32(this.backend.toArray(tensor), tensor.shape, options.dtype ?? 'F32'));
    }
    return tensors;
  }

  createKvCache(batch: number, maxLength: number): KvCache {
    this.#alive();
    const { layers, kvHeads, headDim } = this.dimensions;
    const cache = new KvCache(this.backend, { batch, maxLength, layers, kvHeads, headDim }, (disposed) =>
      this.#caches.delete(disposed),
    );
    this.#caches.add(cache);
    return cache;
  }

  /** Last-position logits, Float32Array [batch × vocab]; with a cache, positions continue from its lengths. */
  forward(input: ForwardInput): Float32Array {
    this.#alive();
    const batch = input.batch ?? 1;
    const names = input.adapters ?? new Array<null>(batch).fill(null);
    if (names.length !== batch) {
      throw new MathError(
        'INVALID_ARGUMENT',
        `forward: ${names.length} adapter entries for ${batch} sequences`,
      );
    }
    const tokens = input.tokens instanceof Int32Array ? input.tokens : Int32Array.from(input.tokens);
    const adapters = names.map((name) => (name === null ? undefined : this.#adapter(name)));
    return inferenceForward(this.parts, { tokens, batch, adapters, cache: input.cache }, this.#pool);
  }

  /** Last-position logits of one sequence, without a cache. */
  logits(tokens: readonly number[] | Int32Array, options: { adapter?: string | null } = {}): Float32Array {
    return this.forward({ tokens, adapters: [options.adapter ?? null] });
  }

  createTrainingSession(options: TrainingSessionOptions): TrainingSession {
    this.#alive();
    const adapter = options.method === 'lora' ? this.#adapter(options.adapter ?? '') : undefined;
    const session = new TrainingSession(this.parts, options, adapter, (disposed) =>
      this.#sessions.delete(disposed),
    );
    this.#sessions.add(session);
    return session;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const session of [...this.#sessions]) session.dispose();
    for (const cache of [...this.#caches]) cache.dispose();
    for (const adapter of this.#adapters.values()) adapter.dispose();
    this.#adapters.clear();
    this.#pool.dispose();
    for (const tensor of this.parts.weights.byName.values()) tensor.dispose();
    if (this.#ownsBackend) this.backend.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #alive(): void {
    if (this.#disposed)
      throw new LorakitError('INVALID_ARGUMENT', `model ${this.directory} was used after dispose()`);
  }

  #adapter(name: string): AttachedAdapter {
    this.#alive();
    const adapter = this.#adapters.get(name);
    if (!adapter) {
      const attached = [...this.#adapters.keys()];
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `no adapter named "${name}" is attached${attached.length ? `; attached: ${attached.join(', ')} (nearest: ${nearestNames(name, attached, 1).join(', ')})` : ''}`,
        { fix: 'attach it first with model.attachAdapter(name, adapter)' },
      );
    }
    return adapter;
  }
}
