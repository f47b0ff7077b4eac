"""Job: {"dirs": {id: adapter_dir}}. For each, PEFT's LoraConfig.from_pretrained with warnings raised as errors
and logging warnings collected. Prints {id: {"ok", "error", "warnings", "fields"}} (fields: PEFT's to_dict)."""
from peers_common import collect_warnings, read_job, to_json, write_result

from peft import LoraConfig


def main():
    job = read_job()
    results = {}
    for case_id, folder in job["dirs"].items():
        collected = []
        entry = {"ok": False, "error": None, "warnings": collected, "fields": None}
        try:
            with collect_warnings(collected, as_errors=True):
                config = LoraConfig.from_pretrained(folder)
            entry["fields"] = to_json(config.to_dict())
            entry["ok"] = True
        except Exception as error:  # reported to the test, which names the case
            entry["error"] = f"{type(error).__name__}: {error}"
        results[case_id] = entry
    write_result(results)


if __name__ == "__main__":
    main()
