/**
 * The LoRA parts beyond a linear layer's A/B, built from the backend's ops (shared by inference and training):
 *
 * lora_bias (PEFT: lora_B is an nn.Linear with a bias, added after the scale):
 *   y += s·b on the rows using the adapter;  dL/db = s·Σ_rows dy  (dropout never touches the bias).
 *   Done as a rank-1 matmul: y += s·m·bᵀ with m [N, 1] the row mask (ones when every row uses it).
 *
 * Embedding LoRA (PEFT's lora_embedding_A [r, vocab], lora_embedding_B [hidden, r], no dropout):
 *   x[t] += s·B·A[:, ids[t]]. The gather needs Aᵀ [vocab, r], made on the device as Aᵀ·I_r.
 *   Backward with g = dL/dx [N, hidden] and u[t] = A[:, ids[t]] (the "shrink", [N, r]):
 *   dB = s·gᵀ·u,  dA[:, v] = Σ_{t: ids[t] = v} s·(g·B)[t]  (a scatter-add into Aᵀ's rows, transposed back by I_r·dAᵀᵀ).
 */
import type { Backend, DeviceTensor, TensorPool } from '@lorakit/kernels-cuda';

/** A LoRA module's extra tensors (embedding factors use the same names: loraA [r, vocab], loraB [hidden, r]). */
export interface ExtraLoraModule {
  readonly loraA: DeviceTensor;
  readonly loraB: DeviceTensor;
  readonly scale: number;
  readonly r: number;
  /** [out]: lora_B's bias. */
  readonly loraBias?: DeviceTensor;
}

function identity(backend: Backend, pool: TensorPool, r: number): DeviceTensor {
  const eye = pool.acquire([r, r]);
  const values = new Float32Array(r * r);
  for (let i = 0; i < r; i++) values[i * r + i] = 1;
  backend.write(eye, values);
  return eye;
}

/** out[rows] += s·loraBias; `rowMask` [N] of 0/1, or undefined for every row. */
export function addLoraBias(
  backend: Backend,
  pool: TensorPool,
  out: DeviceTensor,
  module: ExtraLoraModule,
  rowMask?: Float32Array,
): void {
  if (!module.loraBias) return;
  const rows = out.shape[0]!;
  const mask = pool.acquire([rows, 1]);
  if (rowMask) backend.write(mask, rowMask);
  else backend.fill(mask, 1);
  const bias = backend.view(module.loraBias, [1, module.loraBias.shape[0]!]);
  backend.matmul(out, mask, bias, { alpha: module.scale, beta: 1 });
}

/** gradient (+)= s·Σ_rows dy, the lora_bias gradient of a layer every row of which uses the adapter. */
export function loraBiasBackward(
  backend: Backend,
  pool: TensorPool,
  dy: DeviceTensor,
  module: ExtraLoraModule,
  gradient: DeviceTensor,
  accumulate: boolean,
): void {
  const ones = pool.acquire([dy.shape[0]!, 1]);
  backend.fill(ones, 1);
  backend.matmul(backend.view(gradient, [1, gradient.shape[0]!]), ones, dy, {
    transposeA: true,
    alpha: module.scale,
    beta: accumulate ? 1 : 0,
  });
}

/** u[t] = A[:, ids[t]] for each id: [ids.length, r]. */
function embeddingShrink(
  backend: Backend,
  pool: TensorPool,
  module: ExtraLoraModule,
  ids: Int32Array,
): DeviceTensor {
  const vocab = module.loraA.shape[1]!;
  const transposed = pool.acquire([vocab, module.r]);
  backend.matmul(transposed, module.loraA, identity(backend, pool, module.r), { transposeA: true });
  const shrink = pool.acquire([ids.length, module.r]);
  backend.embedding(shrink, transposed, ids);
  return shrink;
}

/** x[t] += s·B·A[:, tokens[t]] for the given rows of x (all rows when `rows` is undefined). */
export function addEmbeddingLora(
  backend: Backend,
  pool: TensorPool,
  x: DeviceTensor,
  module: ExtraLoraModule,
  tokens: Int32Array,
  rows?: Int32Array,
): void {
  if (!rows) {
    const shrink = embeddingShrink(backend, pool, module, tokens);
    backend.matmul(x, shrink, module.loraB, { transposeB: true, alpha: module.scale, beta: 1 });
    return;
  }
  if (rows.length === 0) return;
  const shrink = embeddingShrink(
    backend,
    pool,
    module,
    rows.map((row) => tokens[row]!),
  );
  const delta = pool.acquire([rows.length, x.shape[1]!]);
  backend.matmul(delta, shrink, module.loraB, { transposeB: true, alpha: module.scale });
  // The scatter-add of the embedding backward adds each delta row into its row of x.
  backend.embeddingBackward(x, delta, rows, { accumulate: true });
}

/** dA [r, vocab] and dB [hidden, r] of embedding LoRA from dx = dL/d(embedding output) [N, hidden]. */
export function embeddingLoraBackward(
  backend: Backend,
  pool: TensorPool,
  dx: DeviceTensor,
  module: ExtraLoraModule,
  tokens: Int32Array,
  gradients: { readonly gradA: DeviceTensor; readonly gradB: DeviceTensor },
  accumulate: boolean,
): void {
  const beta = accumulate ? 1 : 0;
  const shrink = embeddingShrink(backend, pool, module, tokens);
  backend.matmul(gradients.gradB, dx, shrink, { transposeA: true, alpha: module.scale, beta });
  const dShrink = pool.acquire([tokens.length, module.r]);
  backend.matmul(dShrink, dx, module.loraB, { alpha: module.scale });
  const dTransposed = pool.acquire([module.loraA.shape[1]!, module.r]);
  backend.embeddingBackward(dTransposed, dShrink, tokens);
  backend.matmul(gradients.gradA, identity(backend, pool, module.r), dTransposed, {
    transposeB: true,
    beta,
  });
}
