"""Job: {"root": dir}. Small Llama and Qwen2 bases built by transformers from a config (random weights, seeded;
norms and biases moved away from 1 and 0 so a wrong tensor shows up), saved with save_pretrained to
ROOT/llama-base and ROOT/qwen2-base. Prints {"llama": dir, "qwen2": dir}. lorakit adds the tokenizer files."""
import os

import torch
from peers_common import collect_warnings, read_job, write_result
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

# vocab 260: the 256 bytes and the byte-level tokenizer's two special tokens, plus room.
SMALL = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, vocab_size=260, max_position_embeddings=128, rms_norm_eps=1e-6,
             eos_token_id=256, pad_token_id=257, bos_token_id=None)
MODELS = {
    "llama": (LlamaConfig, LlamaForCausalLM, dict(tie_word_embeddings=False, rope_theta=10000.0)),
    # Tied embeddings on the Qwen2 base: the head is the embedding matrix, absent from the weights file.
    "qwen2": (Qwen2Config, Qwen2ForCausalLM, dict(tie_word_embeddings=True, rope_theta=1000000.0)),
}


def main():
    job = read_job()
    out = {}
    warnings = []
    with collect_warnings(warnings):
        for name, (config_class, model_class, extra) in MODELS.items():
            torch.manual_seed(3)
            model = model_class(config_class(**SMALL, **extra))
            with torch.no_grad():
                for key, parameter in model.named_parameters():
                    if key.endswith("bias") or "norm" in key:
                        parameter.add_(torch.randn_like(parameter) * 0.1)
                    elif parameter.dim() == 2:
                        parameter.normal_(0.0, 0.1)  # larger than the 0.02 default, so logits spread out
            folder = os.path.join(job["root"], f"{name}-base")
            model.save_pretrained(folder)
            out[name] = folder
    write_result(out)


if __name__ == "__main__":
    main()
