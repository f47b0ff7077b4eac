"""Job: {"cases": {id: {"model": dir, "adapter": dir | null, "ids": [int]}}}. For each: transformers loads the
model folder in fp32 (a base or a merged model), PeftModel.from_pretrained adds the adapter when given, and the
logits of the last position of `ids` are returned. Prints {id: {"logits": [float] | null, "error": str | null,
"warnings": [str]}}."""
import torch
from peers_common import collect_warnings, read_job, write_result
from transformers import AutoModelForCausalLM

from peft import PeftModel


def run_case(case):
    collected = []
    try:
        with collect_warnings(collected):
            model = AutoModelForCausalLM.from_pretrained(case["model"], dtype=torch.float32)
            if case.get("adapter"):
                model = PeftModel.from_pretrained(model, case["adapter"])
        model.eval()
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([case["ids"]])).logits[0, -1]
        return {"logits": logits.tolist(), "error": None, "warnings": collected}
    except Exception as error:  # reported to the TypeScript side, which fails the case with this line
        return {"logits": None, "error": f"{type(error).__name__}: {error}", "warnings": collected}


def main():
    job = read_job()
    write_result({key: run_case(case) for key, case in job["cases"].items()})


if __name__ == "__main__":
    main()
