"""The PyTorch peer for `lorakit bench kernels`: times the same cases, on the same machine, in the same run.

Reads {"cases": [{"op", "shape"}], "threads": N, "min_seconds": S} on stdin; prints {"torch": version,
"blas": ..., "results": [{"op", "shape", "ms"}]} on stdout. LoRA ops are written the way PEFT's Linear layer
runs them (three separate products), and the multi-adapter forward the way PEFT's mixed-batch forward does
(one masked sub-batch per adapter). Gradients of the backward: dx, dA, dB (the base weight is frozen).
"""
import json
import re
import statistics
import sys
import time

import torch


def timed(fn, min_seconds):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_seconds and len(times) < 50):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def run_case(op, shape, min_seconds):
    g = torch.Generator().manual_seed(0)
    rand = lambda *s: torch.rand(*s, generator=g) * 0.2 - 0.1
    if op == "matmul":
        m, n, k = shape
        a, b = rand(m, k), rand(k, n)
        return timed(lambda: torch.mm(a, b), min_seconds)
    if op == "linear":
        t, i, o = shape
        x, w = rand(t, i), rand(o, i)
        return timed(lambda: torch.nn.functional.linear(x, w), min_seconds)
    if op == "lora_linear_forward":
        t, i, o, r = shape
        x, w, a, b = rand(t, i), rand(o, i), rand(r, i), rand(o, r)
        s = 2.0
        return timed(lambda: torch.nn.functional.linear(x, w) + torch.nn.functional.linear(torch.nn.functional.linear(x, a), b) * s, min_seconds)
    if op == "lora_linear_backward":
        t, i, o, r = shape
        x = rand(t, i).requires_grad_(True)
        w = rand(o, i)
        a, b = rand(r, i).requires_grad_(True), rand(o, r).requires_grad_(True)
        dy = rand(t, o)
        # Only the backward is timed (lorakit's case times the backward op alone): the graph is built once and
        # replayed; autograd.grad returns dx, dA, dB without touching the frozen weight.
        y = torch.nn.functional.linear(x, w) + torch.nn.functional.linear(torch.nn.functional.linear(x, a), b) * 2.0
        return timed(lambda: torch.autograd.grad(y, [x, a, b], dy, retain_graph=True), min_seconds)
    if op == "lora_multi_forward":
        t, i, o, r, n = shape
        x, w = rand(t, i), rand(o, i)
        adapters = [(rand(r, i), rand(o, r)) for _ in range(n)]
        row_adapter = torch.arange(t) % n

        def step():
            y = torch.nn.functional.linear(x, w)
            for index, (a, b) in enumerate(adapters):
                rows = (row_adapter == index).nonzero().squeeze(1)
                if rows.numel() == 0:
                    continue
                sub = x.index_select(0, rows)
                y.index_add_(0, rows, torch.nn.functional.linear(torch.nn.functional.linear(sub, a), b) * 2.0)
            return y

        return timed(step, min_seconds)
    raise ValueError(f"unknown op {op}")


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(int(job.get("threads", 2)))
    results = []
    for case in job["cases"]:
        grad = case["op"] == "lora_linear_backward"
        with torch.set_grad_enabled(grad):
            ms = run_case(case["op"], case["shape"], float(job.get("min_seconds", 1.0)))
        results.append({"op": case["op"], "shape": case["shape"], "ms": ms})
    blas = "unknown"
    try:
        found = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
        blas = found.group(1) if found else blas
        if blas == "generic":
            # Debian's build calls the system BLAS through the generic interface; name the library it resolves to
            with open("/proc/self/maps") as maps:
                blas = "openblas" if "libopenblas" in maps.read() else "generic (reference BLAS)"
    except Exception:  # informational only
        pass
    json.dump({"torch": torch.__version__, "blas": blas, "threads": torch.get_num_threads(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
