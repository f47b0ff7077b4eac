import { describe, expect, it } from 'vitest';
import { getCatalogModel } from '@lorakit/core';
import { trainableParameters } from './trainable-parameters.js';

describe('trainableParameters', () => {
  const llama70b = getCatalogModel('llama-2-70b');

  it('computes 65,536,000 (0.095%) for r=16 on q,k,v,o of Llama-2-70B', () => {
    const counts = trainableParameters(llama70b, {
      method: 'lora',
      rank: 16,
      targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
    });
    // per layer 16·[(8192+8192) + (8192+1024) + (8192+1024) + (8192+8192)] = 16·51,200 = 819,200; × 80
    expect(counts.trainable).toBe(65_536_000);
    expect(counts.modules).toBe(320);
    expect(((100 * counts.trainable) / counts.total).toFixed(3)).toBe('0.095');
  });

  it('computes 103,546,880 for r=8 on all linear layers of Llama-2-70B', () => {
    const counts = trainableParameters(llama70b, { method: 'lora', rank: 8, targets: 'all-linear' });
    // per layer 8·[(8192+8192)·2 + (8192+1024)·2 + (8192+28672)·3] = 8·161,792 = 1,294,336; × 80
    expect(counts.trainable).toBe(103_546_880);
    expect(counts.modules).toBe(560);
  });

  it('trains everything in full fine-tuning and the same adapter in QLoRA as in LoRA', () => {
    const full = trainableParameters(llama70b, { method: 'full' });
    expect(full).toEqual({
      total: 68_976_648_192,
      trainable: 68_976_648_192,
      modules: 0,
      adapter: 65_536_000,
    });
    const qlora = trainableParameters(llama70b, { method: 'qlora', rank: 16 });
    expect(qlora.trainable).toBe(65_536_000);
  });

  it("counts phi3's fused qkv_proj as one module", () => {
    const counts = trainableParameters(getCatalogModel('phi-3-mini'), {
      method: 'lora',
      rank: 8,
      targets: ['qkv_proj'],
    });
    // in 3072, out (32 + 2·32)·96 = 9216: 8·(3072 + 9216) = 98,304 per layer; × 32 layers
    expect(counts).toMatchObject({ trainable: 3_145_728, modules: 32 });
  });

  it('rejects rank 0 and unknown targets', () => {
    expect(() => trainableParameters(llama70b, { method: 'lora', rank: 0 })).toThrow(
      'rank is 0; use a positive integer LoRA rank such as 8, 16 or 64',
    );
    expect(() => trainableParameters(llama70b, { method: 'lora', targets: ['q_prj'] })).toThrow(
      /nearest: q_proj/,
    );
  });
});
