/**
 * The tiny base's files before pretraining: a Llama config, the tokenizer files and a random initialisation
 * (normal, std 0.02; residual output projections scaled by 1/√(2·layers) as in GPT-2, so the residual stream's
 * variance does not grow with depth; norms 1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromFloat32 } from '../../packages/core/dist/index.js';
import { writeCheckpoint } from '../../packages/core/dist/node.js';
import { createRandom } from './random.mjs';

export const SPECIAL_TOKENS = ['<|bos|>', '<|eos|>', '<|pad|>', '<|system|>', '<|user|>', '<|assistant|>'];

/** Each message is "<|role|>\n" + content + eos; the conversation opens with bos. */
export const CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

export function modelConfig(tokenIds) {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 256,
    intermediate_size: 640,
    num_hidden_layers: 4,
    num_attention_heads: 8,
    num_key_value_heads: 2,
    head_dim: 32,
    hidden_act: 'silu',
    vocab_size: 768,
    max_position_embeddings: 512,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    tie_word_embeddings: true,
    initializer_range: 0.02,
    bos_token_id: tokenIds.bos,
    eos_token_id: tokenIds.eos,
    pad_token_id: tokenIds.pad,
    use_cache: true,
    torch_dtype: 'bfloat16',
  };
}

/** Random weights in transformers' names; F32. */
export function initialWeights(config, seed) {
  const random = createRandom(seed);
  const { hidden_size: hidden, intermediate_size: inner, num_hidden_layers: layers } = config;
  const headDim = config.head_dim;
  const tensors = new Map();
  const normal = (shape, std) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = random.normal() * std;
    return fromFloat32(values, shape, 'F32');
  };
  const ones = (size) => fromFloat32(new Float32Array(size).fill(1), [size], 'F32');
  const std = config.initializer_range;
  const residualStd = std / Math.sqrt(2 * layers);
  tensors.set('model.embed_tokens.weight', normal([config.vocab_size, hidden], std));
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `model.layers.${layer}`;
    tensors.set(`${prefix}.input_layernorm.weight`, ones(hidden));
    tensors.set(
      `${prefix}.self_attn.q_proj.weight`,
      normal([config.num_attention_heads * headDim, hidden], std),
    );
    tensors.set(
      `${prefix}.self_attn.k_proj.weight`,
      normal([config.num_key_value_heads * headDim, hidden], std),
    );
    tensors.set(
      `${prefix}.self_attn.v_proj.weight`,
      normal([config.num_key_value_heads * headDim, hidden], std),
    );
    tensors.set(
      `${prefix}.self_attn.o_proj.weight`,
      normal([hidden, config.num_attention_heads * headDim], residualStd),
    );
    tensors.set(`${prefix}.post_attention_layernorm.weight`, ones(hidden));
    tensors.set(`${prefix}.mlp.gate_proj.weight`, normal([inner, hidden], std));
    tensors.set(`${prefix}.mlp.up_proj.weight`, normal([inner, hidden], std));
    tensors.set(`${prefix}.mlp.down_proj.weight`, normal([hidden, inner], residualStd));
  }
  tensors.set('model.norm.weight', ones(hidden));
  return tensors;
}

/** Writes config, tokenizer files and generation defaults (everything but the weights) into `dir`. */
export async function writeModelFiles(dir, { config, tokenizer }) {
  await mkdir(dir, { recursive: true });
  const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(dir, 'config.json'), json(config));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    json({
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: '<|bos|>',
      eos_token: '<|eos|>',
      pad_token: '<|pad|>',
      unk_token: null,
      add_bos_token: false,
      add_eos_token: false,
      clean_up_tokenization_spaces: false,
      model_max_length: config.max_position_embeddings,
      chat_template: CHAT_TEMPLATE,
    }),
  );
  await writeFile(
    join(dir, 'generation_config.json'),
    json({
      bos_token_id: config.bos_token_id,
      eos_token_id: config.eos_token_id,
      pad_token_id: config.pad_token_id,
      do_sample: false,
      max_new_tokens: 64,
    }),
  );
}

/** Writes the weights as one model.safetensors. */
export async function writeWeights(dir, tensors) {
  await writeCheckpoint(dir, tensors);
}
