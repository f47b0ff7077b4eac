"""Job: {"root": dir}. Makes small Llama and Qwen2 bases (save_pretrained before wrapping), then for each case a
PEFT model with get_peft_model, LoRA tensors perturbed away from their initial values so every merge changes the
weights, saved with save_pretrained to ROOT/CASE/adapter, and merge_and_unload's weights to
ROOT/CASE/merged.safetensors. Prints a manifest: per case its base, PEFT's own r/alpha/scale per module, and the
saved keys, which the TypeScript side compares with what lorakit reads."""
import os

import torch
from peers_common import collect_warnings, read_job, to_json, write_result
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

from peft import LoraConfig, get_peft_model
from peft.tuners.lora import LoraLayer

PREFIX = "base_model.model."
SMALL = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, vocab_size=96, tie_word_embeddings=False, max_position_embeddings=64)

CASES = {
    "lora": ("llama", [dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"])]),
    "dora": ("llama", [dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], use_dora=True)]),
    "modules-to-save": ("llama", [dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                       modules_to_save=["lm_head"])]),
    "embedding": ("llama", [dict(r=4, lora_alpha=8, target_modules=["embed_tokens", "q_proj"])]),
    "lora-bias": ("qwen2", [dict(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj"], lora_bias=True)]),
    "patterns": ("llama", [dict(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                                rank_pattern={"model.layers.1.self_attn.q_proj": 2, "q_proj": 4},
                                alpha_pattern={"v_proj": 32})]),
    "rslora": ("llama", [dict(r=16, lora_alpha=8, target_modules="all-linear", use_rslora=True)]),
    "multi": ("llama", [dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]),
                        dict(r=2, lora_alpha=4, target_modules=["k_proj", "o_proj"])]),
}
ADAPTER_NAMES = ["default", "second"]


def make_bases(root):
    bases = {}
    for name, (config_class, model_class) in {"llama": (LlamaConfig, LlamaForCausalLM),
                                               "qwen2": (Qwen2Config, Qwen2ForCausalLM)}.items():
        torch.manual_seed(1)
        model = model_class(config_class(**SMALL))
        with torch.no_grad():  # norms away from 1 and biases away from 0, so a wrong tensor shows up
            for key, parameter in model.named_parameters():
                if key.endswith("bias") or "norm" in key:
                    parameter.add_(torch.randn_like(parameter) * 0.1)
        folder = os.path.join(root, f"{name}-base")
        model.save_pretrained(folder)
        bases[name] = folder
    return bases


def perturb(model):
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_magnitude_vector" in name:
                parameter.mul_(1 + 0.1 * torch.randn_like(parameter))
            elif ".lora_" in name:
                parameter.add_(torch.randn_like(parameter) * 0.2)
            elif "modules_to_save" in name:
                parameter.add_(torch.randn_like(parameter) * 0.05)


def describe(model, adapter_name):
    modules = {}
    for name, module in model.named_modules():
        if isinstance(module, LoraLayer) and adapter_name in module.r:
            modules[name[len(PREFIX):]] = {"r": module.r[adapter_name], "alpha": module.lora_alpha[adapter_name],
                                            "scale": float(module.scaling[adapter_name])}
    return modules


def make_case(root, case_id, base_dir, settings):
    collected = []
    folder = os.path.join(root, case_id)
    with collect_warnings(collected):
        base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
        model = get_peft_model(base, LoraConfig(task_type="CAUSAL_LM", **settings[0]))
        for name, extra in zip(ADAPTER_NAMES[1:], settings[1:]):
            model.add_adapter(name, LoraConfig(task_type="CAUSAL_LM", **extra))
        perturb(model)
        model.save_pretrained(os.path.join(folder, "adapter"), selected_adapters=ADAPTER_NAMES[:len(settings)])
        adapters = {name: describe(model, name) for name in ADAPTER_NAMES[:len(settings)]}
        if len(settings) == 1:
            merged = model.merge_and_unload()
            state = {key: value.detach().contiguous().clone() for key, value in merged.state_dict().items()}
            save_file(state, os.path.join(folder, "merged.safetensors"), metadata={"format": "pt"})
    return {"adapter": os.path.join(folder, "adapter"), "modules": to_json(adapters), "warnings": collected}


def main():
    job = read_job()
    bases = make_bases(job["root"])
    manifest = {"bases": bases, "cases": {}}
    for case_id, (base_name, settings) in CASES.items():
        torch.manual_seed(7)
        entry = make_case(job["root"], case_id, bases[base_name], settings)
        entry["base"] = bases[base_name]
        manifest["cases"][case_id] = entry
    write_result(manifest)


if __name__ == "__main__":
    main()
