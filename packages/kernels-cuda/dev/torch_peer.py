"""PyTorch peer for the dev/ benchmarks: the same shapes as dev/matmul.mjs and dev/lora-linear.mjs, on 2 threads.

Run with both PyTorch builds, in the same session as the native benchmarks:
  /usr/bin/python3 dev/torch_peer.py            # Debian python3-torch 1.13 + libopenblas0-pthread
  /path/to/venv/bin/python dev/torch_peer.py    # PyPI torch (MKL / oneDNN)
LoRA forward is PyTorch's three products (x·Wᵀ + b, then (x·Aᵀ)·Bᵀ·s); its backward is what autograd runs for
dx, dA and dB (W frozen), timed as forward + backward minus forward.
"""
import time

import torch

torch.set_num_threads(2)
torch.manual_seed(0)


def best_ms(run, repeats):
    for _ in range(2):
        run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {torch.__config__.show().count('mkl') and 'mkl' or 'openblas'}")
for n in (512, 1024, 2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    ms = best_ms(lambda: torch.mm(a, b), 20 if n < 2048 else 6)
    print(f"matmul {n}³: {2 * n**3 / ms / 1e6:.1f} GFLOP/s ({ms:.2f} ms)")

T, IN, OUT, R, S = 512, 2048, 2048, 16, 2.0
x = torch.randn(T, IN)
w = torch.randn(OUT, IN) * 0.05
bias = torch.randn(OUT)
lora_a = (torch.randn(R, IN) * 0.05).requires_grad_()
lora_b = (torch.randn(OUT, R) * 0.05).requires_grad_()
dy = torch.randn(T, OUT)
with torch.no_grad():
    base = best_ms(lambda: torch.nn.functional.linear(x, w), 15)
    forward = best_ms(lambda: torch.nn.functional.linear(x, w, bias) + S * ((x @ lora_a.t()) @ lora_b.t()), 15)
print(f"[T={T}, {IN}→{OUT}, r={R}] base x·Wᵀ {base:.2f} ms, LoRA forward {forward:.2f} ms ({forward / base:.3f}× base)")

xg = x.clone().requires_grad_()


def forward_backward():
    y = torch.nn.functional.linear(xg, w, bias) + S * ((xg @ lora_a.t()) @ lora_b.t())
    y.backward(dy)


def forward_only():
    with torch.enable_grad():
        torch.nn.functional.linear(xg, w, bias) + S * ((xg @ lora_a.t()) @ lora_b.t())


both = best_ms(forward_backward, 10)
fwd = best_ms(forward_only, 10)
dx_alone = best_ms(lambda: dy @ w, 15)
print(f"LoRA backward (dx, dA, dB) ≈ {both - fwd:.2f} ms (forward+backward {both:.2f} − forward {fwd:.2f}); dx = dy·W alone {dx_alone:.2f} ms")
