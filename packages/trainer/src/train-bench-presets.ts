/**
 * The model shapes `lorakit bench train` measures (CLI.md), as transformers config.json fields. Llama
 * architecture, random weights. To add one: a name and its config fields; the benchmark and the PyTorch peer
 * read nothing else.
 */
export interface TrainBenchPreset {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  vocab_size: number;
  tie_word_embeddings: boolean;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
}

export const TRAIN_BENCH_PRESETS = {
  tiny: {
    hidden_size: 256,
    intermediate_size: 688,
    num_hidden_layers: 4,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    vocab_size: 512,
    tie_word_embeddings: false,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 2048,
  },
  // SmolLM2-135M's shapes (HuggingFaceTB/SmolLM2-135M config.json): the weights are random here.
  'smollm2-135m': {
    hidden_size: 576,
    intermediate_size: 1536,
    num_hidden_layers: 30,
    num_attention_heads: 9,
    num_key_value_heads: 3,
    vocab_size: 49152,
    tie_word_embeddings: true,
    rms_norm_eps: 1e-5,
    rope_theta: 100000,
    max_position_embeddings: 8192,
  },
} as const satisfies Record<string, TrainBenchPreset>;

export type TrainBenchPresetName = keyof typeof TRAIN_BENCH_PRESETS;
