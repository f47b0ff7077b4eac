/**
 * The one hand-written type of the native CPU addon (native/build/Release/lorakit_cpu.node): every function it
 * exports, with the arguments' meaning. Only load-native.ts loads it and only the cpu backend calls it; nothing
 * else in lorakit knows that C++ exists.
 *
 * Conventions for every op: tensors are passed as their host storage (Float32Array, row-major, contiguous);
 * sizes are passed explicitly and the native side checks every array's length against them (a mismatch throws an
 * Error ending in "(native check)", never an out-of-bounds access); optional tensors are `null`; outputs are
 * written in place. Shapes, dtypes, ownership and aliasing are validated in TypeScript before the call.
 */

export interface NativeCpuFeatures {
  avx2: boolean;
  fma: boolean;
  /** AVX-512F: the GEMM then uses its 6×32 AVX-512 micro-kernel (the rest stays AVX2/FMA). */
  avx512f: boolean;
  /** Whether the addon was built with OpenMP (otherwise it runs on one thread). */
  openmp: boolean;
}

export interface NativeModule {
  /** What this CPU supports; the loader refuses the addon without AVX2 and FMA. */
  cpuFeatures(): NativeCpuFeatures;
  /** Threads the ops use (default: the online CPUs). */
  threadCount(): number;
  /** Sets the thread count (at least 1); returns the value in effect. Results do not depend on it. */
  setThreadCount(count: number): number;
  /** The GEMM micro-kernel in use: 'avx512' by default where the CPU has AVX-512F, else 'avx2'. */
  gemmKernel(): 'avx2' | 'avx512';
  /** Selects the GEMM micro-kernel (tests and benchmarks); false, and no change, when the CPU lacks it. */
  setGemmKernel(kernel: 'avx2' | 'avx512'): boolean;

  /**
   * out[b] = alpha·op(a[b])·op(b[b]) + beta·out[b] for b < batch; op(a) is [m, k] (a stored [k, m] when
   * transposeA), op(b) is [k, n] (b stored [n, k] when transposeB). aBatchStride is 0 (a shared by all batch
   * entries) or m·k; bBatchStride 0 or k·n. With beta = 0, out's old values are ignored (NaN included).
   */
  matmul(
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
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

  /**
   * out = x·Wᵀ + bias + scale·(dropout(x)·Aᵀ)·Bᵀ, fused (see native/src/lora-linear.cc); x [tokens, inFeatures],
   * weight [outFeatures, inFeatures], loraA [rank, inFeatures], loraB [outFeatures, rank], out [tokens,
   * outFeatures], shrink [tokens, rank] receives dropout(x)·Aᵀ. rank 0 (loraA/loraB null) is a plain linear layer.
   * The dropout mask is dropout-mask.ts's: element index = token·inFeatures + column.
   */
  loraLinearForward(
    x: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    loraA: Float32Array | null,
    loraB: Float32Array | null,
    out: Float32Array,
    shrink: Float32Array | null,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
    rank: number,
    scale: number,
    dropoutProbability: number,
    dropoutSeed: number,
  ): void;

  /**
   * Gradients of loraLinearForward given dy [tokens, outFeatures]; each output is skipped when null:
   * dx = dy·W + scale·((dy·B)·A)⊙mask/(1−p) (overwritten), dA = scale·(dy·B)ᵀ·dropout(x), dB = scale·dyᵀ·shrink,
   * dWeight = dyᵀ·x, dBias = Σ_tokens dy; dA/dB/dWeight/dBias are added into when accumulate.
   */
  loraLinearBackward(
    dy: Float32Array,
    x: Float32Array,
    weight: Float32Array,
    loraA: Float32Array | null,
    loraB: Float32Array | null,
    shrink: Float32Array | null,
    dx: Float32Array | null,
    dA: Float32Array | null,
    dB: Float32Array | null,
    dWeight: Float32Array | null,
    dBias: Float32Array | null,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
    rank: number,
    scale: number,
    dropoutProbability: number,
    dropoutSeed: number,
    accumulate: boolean,
  ): void;

  /**
   * Multi-adapter forward: out = x·Wᵀ + bias, then for each row t with a = rowAdapter[t] ≥ 0,
   * out[t] += scales[a]·(x[t]·A_aᵀ)·B_aᵀ at rank ranks[a] (fp32 intermediate). loraA[a] is [ranks[a], inFeatures],
   * loraB[a] is [outFeatures, ranks[a]]; rowAdapter values must be −1 or < adapter count (checked natively too).
   */
  loraMultiForward(
    x: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    loraA: readonly Float32Array[],
    loraB: readonly Float32Array[],
    ranks: Int32Array,
    scales: Float32Array,
    rowAdapter: Int32Array,
    out: Float32Array,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
  ): void;

  /**
   * Segmented form: as loraMultiForward, with segments given as (start, length, adapter) triples; rows covered by
   * no segment get the base output only. Segments are checked natively to lie within [0, tokens).
   */
  loraSegmentedForward(
    x: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    loraA: readonly Float32Array[],
    loraB: readonly Float32Array[],
    ranks: Int32Array,
    scales: Float32Array,
    segments: Int32Array,
    out: Float32Array,
    tokens: number,
    inFeatures: number,
    outFeatures: number,
  ): void;

  // The ops below are written by another engineer. Declare each as an optional method (`rmsNorm?(…): void`): the
  // cpu backend calls it when the loaded addon has it and falls back to the reference op when it does not.
  // --- other ops (begin) ---
  // Non-GEMM ops (native/src/ops-*.cc). Sizes follow the arrays; every length is checked natively.

  /** out[t] = table[ids[t]]; out [tokens, hidden], table [vocabulary, hidden]; ids checked in [0, vocabulary). */
  embedding(
    out: Float32Array,
    table: Float32Array,
    ids: Int32Array,
    tokens: number,
    vocabulary: number,
    hidden: number,
  ): void;
  /** dTable[ids[t]] += dy[t] (fp64 sums per row, rounded once); dTable zeroed first unless accumulate. */
  embeddingBackward(
    dTable: Float32Array,
    dy: Float32Array,
    ids: Int32Array,
    tokens: number,
    vocabulary: number,
    hidden: number,
    accumulate: boolean,
  ): void;
  /** out = x·rstd·weight over rows of `hidden`; rstd [rows] receives 1/√(mean(x²) + eps) when not null. */
  rmsNorm(
    out: Float32Array,
    x: Float32Array,
    weight: Float32Array,
    rstd: Float32Array | null,
    rows: number,
    hidden: number,
    eps: number,
  ): void;
  /** dx (overwritten) and dWeight (added into when accumulate; skipped when null) of rmsNorm. */
  rmsNormBackward(
    dx: Float32Array,
    dy: Float32Array,
    x: Float32Array,
    weight: Float32Array,
    rstd: Float32Array,
    dWeight: Float32Array | null,
    rows: number,
    hidden: number,
    accumulate: boolean,
  ): void;
  /**
   * Rotates x [rows, heads, headDim] in place (rotate_half form). scaling: [factor, lowFreqFactor, highFreqFactor,
   * originalMaxPositionEmbeddings] or null; inverse rotates by −angle.
   */
  rope(
    x: Float32Array,
    positions: Int32Array,
    rows: number,
    heads: number,
    headDim: number,
    theta: number,
    scaling: Float64Array | null,
    inverse: boolean,
  ): void;
  /** Causal GQA attention: q/out [B, T, Hq, D], k/v [B, T, Hkv, D], logSumExp [B, Hq, T]. */
  attention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    out: Float32Array,
    logSumExp: Float32Array,
    batch: number,
    tokens: number,
    queryHeads: number,
    keyValueHeads: number,
    headDim: number,
    scale: number,
  ): void;
  /** Gradients of attention (dq, dk, dv overwritten), recomputing probabilities from logSumExp. */
  attentionBackward(
    dOut: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    out: Float32Array,
    logSumExp: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    batch: number,
    tokens: number,
    queryHeads: number,
    keyValueHeads: number,
    headDim: number,
    scale: number,
  ): void;
  /** One query per sequence over caches [B, maxT, Hkv, D]; q/out [B, Hq, D]; lengths checked in [1, maxT]. */
  decodeAttention(
    q: Float32Array,
    keyCache: Float32Array,
    valueCache: Float32Array,
    lengths: Int32Array,
    out: Float32Array,
    batch: number,
    maxTokens: number,
    queryHeads: number,
    keyValueHeads: number,
    headDim: number,
    scale: number,
  ): void;
  /** Copies k/v [B, Tnew, Hkv, D] into the caches at offsets[b] (checked: offsets[b] + Tnew ≤ maxT). */
  writeKvCache(
    keyCache: Float32Array,
    valueCache: Float32Array,
    k: Float32Array,
    v: Float32Array,
    offsets: Int32Array,
    batch: number,
    maxTokens: number,
    newTokens: number,
    keyValueHeads: number,
    headDim: number,
  ): void;
  /** out = silu(gate)·up over `size` elements. */
  siluMul(out: Float32Array, gate: Float32Array, up: Float32Array, size: number): void;
  siluMulBackward(
    dGate: Float32Array,
    dUp: Float32Array,
    dy: Float32Array,
    gate: Float32Array,
    up: Float32Array,
    size: number,
  ): void;
  /** losses [T] and, unless null, dLogits [T, V] (may be the logits array itself: written in place). */
  crossEntropy(
    logits: Float32Array,
    targets: Int32Array,
    losses: Float32Array,
    dLogits: Float32Array | null,
    tokens: number,
    vocabulary: number,
    ignoreIndex: number,
    gradScale: number,
  ): void;
  /** One AdamW step in place; stepSize = lr/(1−β1^t), correctionRoot = √(1−β2^t), decay = 1 − lr·wd. */
  adamw(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    size: number,
    beta1: number,
    beta2: number,
    eps: number,
    stepSize: number,
    correctionRoot: number,
    decay: number,
  ): void;
  /** Σ x² over all arrays, fp64 (same result for any thread count). */
  sumOfSquares(arrays: readonly Float32Array[]): number;
  scale(x: Float32Array, factor: number, size: number): void;
  /** out = a + b; out may be a. */
  add(out: Float32Array, a: Float32Array, b: Float32Array, size: number): void;
  /** W += scale·B·A (W [out, in]), or W [in, out] += scale·(B·A)ᵀ with fanInFanOut. */
  merge(
    weight: Float32Array,
    loraA: Float32Array,
    loraB: Float32Array,
    outFeatures: number,
    inFeatures: number,
    rank: number,
    scale: number,
    fanInFanOut: boolean,
  ): void;
  /** out = x converted (Float32Array for 'f32', Uint16Array bit patterns for 'f16'/'bf16'), bit-exact with the reference. */
  cast(
    out: Float32Array | Uint16Array,
    x: Float32Array | Uint16Array,
    size: number,
    outDtype: 'f32' | 'f16' | 'bf16',
    xDtype: 'f32' | 'f16' | 'bf16',
  ): void;
  // --- other ops (end) ---
}
