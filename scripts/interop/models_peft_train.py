"""Job: {"cases": {id: {"base": dir, "out": dir, "steps": n, "ids": [int]}}}. For each: PEFT's get_peft_model
(LoRA r 4, alpha 8, q/k/v/o, no dropout) on the base, `steps` AdamW steps (lr 1e-2) of next-token loss on
seeded random batches, save_pretrained to `out`, and the PEFT model's last-position logits of `ids`. Prints
{id: {"logits": [float] | null, "losses": [float], "error": str | null}}."""
import torch
from peers_common import collect_warnings, read_job, write_result
from transformers import AutoModelForCausalLM

from peft import LoraConfig, get_peft_model


def run_case(case):
    collected = []
    try:
        with collect_warnings(collected):
            base = AutoModelForCausalLM.from_pretrained(case["base"], dtype=torch.float32)
            config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM",
                                target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
            model = get_peft_model(base, config)
        vocab = base.config.vocab_size
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
        generator = torch.Generator().manual_seed(5)
        losses = []
        model.train()
        for _ in range(case["steps"]):
            batch = torch.randint(0, 256, (2, 16), generator=generator)
            loss = model(input_ids=batch, labels=batch).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        model.save_pretrained(case["out"])
        model.eval()
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([case["ids"]])).logits[0, -1]
        return {"logits": logits.tolist(), "losses": losses, "error": None, "warnings": collected}
    except Exception as error:
        return {"logits": None, "losses": [], "error": f"{type(error).__name__}: {error}", "warnings": collected}


def main():
    job = read_job()
    write_result({key: run_case(case) for key, case in job["cases"].items()})


if __name__ == "__main__":
    main()
