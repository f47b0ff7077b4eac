"""Job: {"cases": {id: {"base": dir, "adapter": dir, "merged": file}}}. For each: transformers loads the base,
PeftModel.from_pretrained loads the adapter (set_peft_model_state_dict); every LoRA tensor in the PEFT model is
compared with the file; merge_and_unload's weights are saved to `merged` (safetensors). Prints per case:
{"ok", "error", "warnings", "missing": [...], "unexpected": [...], "max_load_diff", "compared"}."""
import torch
from peers_common import collect_warnings, read_job, write_result
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM

from peft import PeftModel

ADAPTER_PARTS = ("lora_A", "lora_B", "lora_embedding_A", "lora_embedding_B", "lora_magnitude_vector")


def saved_key(parameter_name, adapter_name):
    """The key save_pretrained would write for a PEFT parameter: without the adapter name, and the DoRA
    magnitude (a module's `weight` in memory) as a bare `lora_magnitude_vector`."""
    key = parameter_name.replace(f".{adapter_name}.", ".").replace(f".{adapter_name}", "")
    return key.removesuffix(".weight") if key.endswith("lora_magnitude_vector.weight") else key


def run_case(case):
    collected = []
    result = {"ok": False, "error": None, "warnings": collected}
    try:
        with collect_warnings(collected):
            base = AutoModelForCausalLM.from_pretrained(case["base"], dtype=torch.float32)
            model = PeftModel.from_pretrained(base, case["adapter"])
        file_tensors = load_file(f"{case['adapter']}/adapter_model.safetensors")
        adapter_name = "default"
        in_model = {}
        for name, parameter in model.named_parameters():
            if any(f".{part}" in name for part in ADAPTER_PARTS):
                in_model[saved_key(name, adapter_name)] = parameter.detach()
        lora_file_keys = {key for key in file_tensors if any(f".{part}" in key for part in ADAPTER_PARTS)}
        result["missing"] = sorted(set(in_model) - lora_file_keys)
        result["unexpected"] = sorted(lora_file_keys - set(in_model))
        diff = 0.0
        for key in sorted(lora_file_keys & set(in_model)):
            diff = max(diff, (in_model[key].float() - file_tensors[key].float()).abs().max().item())
        result["max_load_diff"] = diff
        result["compared"] = len(lora_file_keys & set(in_model))
        with collect_warnings(collected):
            merged = model.merge_and_unload()
        state = {key: value.detach().contiguous().clone() for key, value in merged.state_dict().items()}
        save_file(state, case["merged"], metadata={"format": "pt"})
        result["ok"] = True
    except Exception as error:
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def main():
    torch.manual_seed(0)
    job = read_job()
    write_result({case_id: run_case(case) for case_id, case in job["cases"].items()})


if __name__ == "__main__":
    main()
