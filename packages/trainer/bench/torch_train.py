"""The PyTorch peer for `lorakit bench train`: the same LoRA training step, on the same machine, in the same run.

Reads a job on stdin:
  {"config": {hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
              vocab_size, tie_word_embeddings, rms_norm_eps, rope_theta, max_position_embeddings},
   "rank": r, "batch": B, "seq": T, "steps": N, "warmup_steps": W, "threads": n, "implementation": "auto"|"peft"|"plain"}
and prints {"torch", "blas", "threads", "implementation", "tokens_per_s", "step_ms", "peak_rss_bytes",
"setup_rss_bytes", "losses"} on stdout.

One step = forward over [B, T] random ids, next-token cross-entropy on all T positions (targets are the ids
shifted by one), backward, AdamW over the LoRA A/B of q, k, v, o in every layer (r, alpha 2r, no dropout), fp32.
With transformers + peft installed ("auto"), the model is transformers' LlamaForCausalLM built from a config with
random weights and PEFT's LoRA; without them (Debian's torch 1.13 has no transformers), a plain Llama written
below: embedding, RMSNorm, RoPE, grouped-query causal attention, SwiGLU MLP, (tied) head.

Peak memory: the process's peak resident set (getrusage ru_maxrss), as on lorakit's side, plus the resident set
after building the model (setup_rss_bytes): the whole process, which is what a user's machine has to hold.
"""
import gc
import json
import math
import re
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def current_rss_bytes():
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak_rss_bytes()


class LoraLinear(nn.Module):
    """y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ with W frozen; A ~ U(±1/√in) (kaiming a=√5), B = 0, as PEFT initialises them."""

    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.base.weight.requires_grad_(False)
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features).uniform_(-1, 1) / math.sqrt(base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scale


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size), requires_grad=False)
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


class Block(nn.Module):
    def __init__(self, c, rank):
        super().__init__()
        h, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.heads, self.kv, self.head_dim = heads, kv, h // heads
        linear = lambda i, o: nn.Linear(i, o, bias=False)
        self.q = LoraLinear(linear(h, heads * self.head_dim), rank, 2 * rank)
        self.k = LoraLinear(linear(h, kv * self.head_dim), rank, 2 * rank)
        self.v = LoraLinear(linear(h, kv * self.head_dim), rank, 2 * rank)
        self.o = LoraLinear(linear(heads * self.head_dim, h), rank, 2 * rank)
        self.gate, self.up = linear(h, c["intermediate_size"]), linear(h, c["intermediate_size"])
        self.down = linear(c["intermediate_size"], h)
        self.norm1, self.norm2 = RMSNorm(h, c["rms_norm_eps"]), RMSNorm(h, c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        y = self.norm1(x)
        q = self.q(y).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k(y).view(b, t, self.kv, self.head_dim).transpose(1, 2)
        v = self.v(y).view(b, t, self.kv, self.head_dim).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        groups = self.heads // self.kv
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):
            attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # torch 1.13
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask
            attended = torch.softmax(scores, dim=-1) @ v
        x = x + self.o(attended.transpose(1, 2).reshape(b, t, -1))
        y = self.norm2(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class PlainLlama(nn.Module):
    def __init__(self, c, rank):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Block(c, rank) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.head = None if c["tie_word_embeddings"] else nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        for name, parameter in self.named_parameters():
            if "lora_" not in name:
                parameter.requires_grad_(False)
                if parameter.dim() == 2:
                    nn.init.normal_(parameter, std=0.02)

    def forward(self, ids):
        t = ids.shape[1]
        head_dim = self.c["hidden_size"] // self.c["num_attention_heads"]
        inverse = 1.0 / (self.c["rope_theta"] ** (torch.arange(0, head_dim, 2).float() / head_dim))
        angles = torch.outer(torch.arange(t).float(), inverse)
        angles = torch.cat((angles, angles), dim=-1)
        cos, sin = angles.cos(), angles.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        x = self.norm(x)
        return F.linear(x, self.embed.weight) if self.head is None else self.head(x)


def build_peft(c, rank):
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(**c, hidden_act="silu", attention_dropout=0.0)
    model = LlamaForCausalLM(config)
    lora = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0,
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    return model, lambda ids: model(input_ids=ids).logits


def blas_name():
    """BLAS_INFO of the build; Debian's "generic" is whatever libblas.so.3 points at (OpenBLAS when installed)."""
    match = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    name = match.group(1) if match else "unknown"
    if name == "generic":
        try:
            with open("/proc/self/maps", encoding="ascii", errors="replace") as handle:
                name = "openblas" if "openblas" in handle.read() else "generic blas"
        except OSError:
            pass
    return name


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(int(job.get("threads", 2)))
    torch.manual_seed(0)
    c, rank, b, t = job["config"], job["rank"], job["batch"], job["seq"]
    implementation = job.get("implementation", "auto")
    if implementation == "auto":
        try:
            import peft  # noqa: F401
            import transformers  # noqa: F401
            implementation = "peft"
        except ImportError:
            implementation = "plain"
    if implementation == "peft":
        model, logits_of = build_peft(c, rank)
    else:
        model = PlainLlama(c, rank)
        logits_of = model
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
    ids = torch.randint(0, c["vocab_size"], (b, t + 1))
    inputs, targets = ids[:, :t].contiguous(), ids[:, 1:].contiguous()

    def step():
        logits = logits_of(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), targets.reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()

    gc.collect()
    setup_rss = current_rss_bytes()
    losses = [step() for _ in range(job.get("warmup_steps", 1))]
    start = time.perf_counter()
    for _ in range(job["steps"]):
        losses.append(step())
    seconds = time.perf_counter() - start
    json.dump({
        "torch": torch.__version__,
        "blas": blas_name(),
        "threads": torch.get_num_threads(),
        "implementation": "transformers LlamaForCausalLM + peft LoRA" if implementation == "peft" else "plain torch modules",
        "tokens_per_s": b * t * job["steps"] / seconds,
        "step_ms": seconds * 1000 / job["steps"],
        "peak_rss_bytes": peak_rss_bytes(),
        "setup_rss_bytes": setup_rss,
        "losses": losses,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
