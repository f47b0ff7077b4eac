/**
 * What target resolution, counting and adapter checks need to know about a model without loading weights:
 * its adaptable modules. Architectures (architectures.ts) produce these from a Hugging Face config.json.
 */

/** One module of a base model that LoRA can adapt. */
export interface ModelModule {
  /** Module path as PEFT names it, without "base_model.model." (e.g. "model.layers.0.self_attn.q_proj"). */
  readonly name: string;
  /** `linear` (nn.Linear, or GPT-2's Conv1D with `fanInFanOut`), or `embedding` (nn.Embedding). */
  readonly kind: 'linear' | 'embedding';
  /** Input features (for an embedding: the vocabulary size). */
  readonly in: number;
  /** Output features (for an embedding: the embedding width). */
  readonly out: number;
  /** Decoder layer index, or undefined outside the layer stack (embeddings, head). */
  readonly layer: number | undefined;
  /** True when the weight is stored [in, out] (GPT-2's Conv1D) instead of PyTorch's [out, in]. */
  readonly fanInFanOut: boolean;
  /** True when the module has a bias. */
  readonly bias: boolean;
  /** True for the output head (lm_head), which "all-linear" leaves out. */
  readonly outputHead: boolean;
}
