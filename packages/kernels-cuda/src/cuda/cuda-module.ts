/**
 * The one hand-written type of the CUDA addon (native-cuda/build/lorakit_cuda.node, and its CPU emulation
 * lorakit_cuda_emulated.node used by tests): every function it exports, with the arguments' meaning. Only
 * load-cuda.ts loads it and only the cuda backend calls it.
 *
 * Conventions: tensors are device buffers (`CudaBufferHandle`, from `allocate`), row-major and contiguous, f32
 * unless a dtype code says otherwise; sizes are passed explicitly and the native side checks every buffer's byte
 * size and every index array's range against them (a mismatch throws an Error ending in "(native check)", never an
 * out-of-bounds access); optional buffers are `null`; outputs are written in place. Work is queued on one CUDA
 * stream; `download` and `synchronize` wait for it, and report an error of earlier queued work.
 */

declare const cudaBufferBrand: unique symbol;
/** A device allocation (a type-tagged N-API external); memory is returned to the addon's cache by `free`. */
export type CudaBufferHandle = { readonly [cudaBufferBrand]: true };

/** dtype codes of the native side. */
export const CUDA_DTYPE_CODES = { f32: 0, f16: 1, bf16: 2 } as const;
export type CudaDtypeCode = (typeof CUDA_DTYPE_CODES)[keyof typeof CUDA_DTYPE_CODES];

export interface CudaDeviceInfo {
  /** Whether device 0 can be used; when false, `reason` says why (no driver, no GPU, old driver …). */
  available: boolean;
  reason: string;
  /** cudaGetDeviceCount's error code (35: no driver or an older one, 100: no device). */
  errorCode: number;
  deviceCount: number;
  name: string;
  /** "9.0" for an H100/H200. */
  computeCapability: string;
  multiprocessors: number;
  totalMemoryBytes: number;
  /** 13000 for CUDA 13.0; 0 in the emulation. */
  runtimeVersion: number;
  driverVersion: number;
  /** True for the CPU emulation build (tests only). */
  emulated: boolean;
}

export interface CudaMemoryStats {
  /** Bytes handed out and not yet freed (rounded sizes). */
  inUseBytes: number;
  /** Bytes held in the free lists for reuse. */
  cachedBytes: number;
  /** cudaMalloc calls so far: constant once a loop reuses its shapes. */
  deviceAllocations: number;
  cacheHits: number;
}

type B = CudaBufferHandle;

export interface CudaModule {
  /** Probes device 0; never throws. Must be called (and report available) before anything else. */
  deviceInfo(): CudaDeviceInfo;
  /** dlopens cuBLAS (`path`, else libcublas.so.13/.12/.so); returns what was loaded or why not. Idempotent. */
  loadCublas(path: string): string;
  /** false makes matmuls use the own kernel even when cuBLAS is loaded (tests, benchmarks). */
  setCublasEnabled(enabled: boolean): void;
  /**
   * Emulation build only: run each block's threads last-to-first between barriers, so a missing __syncthreads
   * changes the result in one of the two orders.
   */
  setEmulationOrder?(reverse: boolean): void;

  allocate(bytes: number): B;
  /** Returns the buffer to the cache; the handle must not be used again. */
  free(buffer: B): void;
  /** Host → device, `values.byteLength` bytes from the buffer's start. */
  upload(buffer: B, values: Float32Array | Uint16Array): void;
  /** Device → host into `values` (waits for queued work). */
  download(buffer: B, values: Float32Array | Uint16Array): void;
  copy(destination: B, source: B, bytes: number): void;
  /** Writes `bitPattern` (a 2- or 4-byte element's bits) into `count` elements. */
  fill(buffer: B, count: number, elementBytes: 2 | 4, bitPattern: number): void;
  synchronize(): void;
  memoryStats(): CudaMemoryStats;
  /** Frees every cached (unused) block. */
  releaseCache(): void;

  /** out[b] = alpha·op(a[b])·op(b[b]) + beta·out[b]; dtype f32 or bf16 (fp32 compute); strides 0 or m·k / k·n. */
  matmul(
    out: B,
    a: B,
    b: B,
    dtype: CudaDtypeCode,
    batch: number,
    m: number,
    n: number,
    k: number,
    aBatchStride: number,
    bBatchStride: number,
    transposeA: boolean,
    transposeB: boolean,
    alpha: number,
    beta: number,
  ): void;
  /** ops.ts LoraLinearForward; rank 0 = plain linear (loraA/loraB null); dropoutSeed as a uint32. */
  loraLinearForward(
    x: B,
    weight: B,
    bias: B | null,
    loraA: B | null,
    loraB: B | null,
    out: B,
    shrink: B | null,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
    rank: number,
    scale: number,
    dropoutProbability: number,
    dropoutSeed: number,
  ): void;
  /** ops.ts LoraLinearBackward; each gradient is skipped when null; dx is always overwritten. */
  loraLinearBackward(
    dy: B,
    x: B,
    weight: B,
    loraA: B | null,
    loraB: B | null,
    shrink: B | null,
    dx: B | null,
    dA: B | null,
    dB: B | null,
    dWeight: B | null,
    dBias: B | null,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
    rank: number,
    scale: number,
    dropoutProbability: number,
    dropoutSeed: number,
    accumulate: boolean,
  ): void;
  /** Per-row adapters (rowAdapter[t] ∈ [−1, adapters)); adapter i is loraAs[i] [ranks[i], in], loraBs[i] [out, ranks[i]]. */
  loraMultiForward(
    x: B,
    weight: B,
    bias: B | null,
    out: B,
    loraAs: readonly B[],
    loraBs: readonly B[],
    ranks: Int32Array,
    scales: Float32Array,
    rowAdapter: Int32Array,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
  ): void;
  /** Segments (starts[s], lengths[s], adapters[s]) of rows; other rows get the base output. */
  loraSegmentedForward(
    x: B,
    weight: B,
    bias: B | null,
    out: B,
    loraAs: readonly B[],
    loraBs: readonly B[],
    ranks: Int32Array,
    scales: Float32Array,
    starts: Int32Array,
    lengths: Int32Array,
    adapters: Int32Array,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
  ): void;
  /** W ← W + s·B·A (W [out, in]), or W [in, out] gains s·(B·A)ᵀ with fanInFanOut. */
  merge(
    weight: B,
    loraA: B,
    loraB: B,
    outFeatures: number,
    inFeatures: number,
    rank: number,
    scale: number,
    fanInFanOut: boolean,
  ): void;
  cast(out: B, outDtype: CudaDtypeCode, x: B, xDtype: CudaDtypeCode, size: number): void;

  embedding(out: B, table: B, ids: Int32Array, tokens: number, vocabulary: number, hidden: number): void;
  embeddingBackward(
    dTable: B,
    dy: B,
    ids: Int32Array,
    tokens: number,
    vocabulary: number,
    hidden: number,
    accumulate: boolean,
  ): void;
  rmsNorm(out: B, rstd: B | null, x: B, weight: B, rows: number, hidden: number, eps: number): void;
  rmsNormBackward(
    dx: B,
    dWeight: B | null,
    dy: B,
    x: B,
    weight: B,
    rstd: B,
    rows: number,
    hidden: number,
    accumulate: boolean,
  ): void;
  /** frequencies: the headDim/2 inverse frequencies (reference/rope.ts's ropeInverseFrequencies). */
  rope(
    x: B,
    positions: Int32Array,
    frequencies: Float32Array,
    rows: number,
    heads: number,
    headDim: number,
    inverse: boolean,
  ): void;
  attention(
    q: B,
    k: B,
    v: B,
    out: B,
    logSumExp: B,
    batch: number,
    tokens: number,
    queryHeads: number,
    kvHeads: number,
    headDim: number,
    scale: number,
  ): void;
  attentionBackward(
    dOut: B,
    q: B,
    k: B,
    v: B,
    out: B,
    logSumExp: B,
    dq: B,
    dk: B,
    dv: B,
    batch: number,
    tokens: number,
    queryHeads: number,
    kvHeads: number,
    headDim: number,
    scale: number,
  ): void;
  decodeAttention(
    q: B,
    keyCache: B,
    valueCache: B,
    lengths: Int32Array,
    out: B,
    batch: number,
    maxTokens: number,
    queryHeads: number,
    kvHeads: number,
    headDim: number,
    scale: number,
  ): void;
  writeKvCache(
    keyCache: B,
    valueCache: B,
    k: B,
    v: B,
    offsets: Int32Array,
    batch: number,
    newTokens: number,
    maxTokens: number,
    kvHeads: number,
    headDim: number,
  ): void;
  siluMul(out: B, gate: B, up: B, size: number): void;
  siluMulBackward(dGate: B, dUp: B, dy: B, gate: B, up: B, size: number): void;
  crossEntropy(
    logits: B,
    targets: Int32Array,
    losses: B,
    dLogits: B | null,
    tokens: number,
    vocabulary: number,
    ignoreIndex: number,
    gradScale: number,
  ): void;
  /** stepSize = lr/(1−β1^t), secondCorrectionRoot = √(1−β2^t), decay = 1 − lr·wd (computed in TypeScript). */
  adamw(
    param: B,
    grad: B,
    m: B,
    v: B,
    size: number,
    beta1: number,
    beta2: number,
    eps: number,
    stepSize: number,
    secondCorrectionRoot: number,
    decay: number,
  ): void;
  /** Σ x² over the buffers (sizes[i] elements of tensors[i]), accumulated in fp64. */
  sumOfSquares(tensors: readonly B[], sizes: readonly number[]): number;
  scale(x: B, size: number, factor: number): void;
  /** out may be a. */
  add(out: B, a: B, b: B, size: number): void;
}
