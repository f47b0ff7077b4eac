/**
 * The GPU catalog, as data: memory, peak dense bf16 tensor throughput (no 2:4 sparsity) and an on-demand
 * price per GPU-hour, each with where it comes from and when. Prices move: treat them as a starting point
 * and pass a custom GpuSpec (every cost function accepts one) with your own contract price.
 */

/** One accelerator model. */
export interface GpuSpec {
  /** How people name it, for reports. */
  readonly displayName: string;
  /** Memory one process can address, in bytes (GiB-sized where the device exposes GiB). */
  readonly memoryBytes: number;
  /** Peak dense bf16 tensor-core throughput in TFLOP/s, from the vendor's datasheet. */
  readonly peakBf16Tflops: number;
  /** On-demand price of one GPU for one hour, in US dollars. */
  readonly pricePerHour: number;
  /** Where the throughput and price come from. */
  readonly source: string;
  /** When the price was read (YYYY-MM). */
  readonly priceAsOf: string;
}

const GIB = 2 ** 30;

/**
 * To add a GPU: key it in kebab-case (vendor model-memory), take memory and dense bf16 TFLOP/s from the vendor
 * datasheet (the figure without sparsity), and a public on-demand price per single GPU with its source and month.
 * Prices are list prices as published by the named provider at the stated month, not quotes.
 */
export const GPU_CATALOG = {
  'a100-40gb': {
    displayName: 'NVIDIA A100 40GB SXM',
    memoryBytes: 40 * GIB,
    peakBf16Tflops: 312,
    pricePerHour: 4.1,
    source: 'NVIDIA A100 datasheet; AWS p4d.24xlarge on-demand $32.77/h for 8 GPUs (us-east-1)',
    priceAsOf: '2024-06',
  },
  'a100-80gb': {
    displayName: 'NVIDIA A100 80GB SXM',
    memoryBytes: 80 * GIB,
    peakBf16Tflops: 312,
    pricePerHour: 1.79,
    source: 'NVIDIA A100 datasheet; Lambda Cloud on-demand 8x A100 80GB SXM, per GPU',
    priceAsOf: '2024-06',
  },
  'h100-80gb': {
    displayName: 'NVIDIA H100 80GB SXM',
    memoryBytes: 80 * GIB,
    peakBf16Tflops: 989,
    pricePerHour: 2.99,
    source:
      'NVIDIA H100 datasheet (SXM, 989 TFLOP/s dense bf16); Lambda Cloud on-demand 8x H100 SXM, per GPU',
    priceAsOf: '2024-06',
  },
  'h100-pcie': {
    displayName: 'NVIDIA H100 80GB PCIe',
    memoryBytes: 80 * GIB,
    peakBf16Tflops: 756,
    pricePerHour: 2.49,
    source: 'NVIDIA H100 datasheet (PCIe, 756 TFLOP/s dense bf16); Lambda Cloud on-demand 1x H100 PCIe',
    priceAsOf: '2024-06',
  },
  h200: {
    displayName: 'NVIDIA H200 141GB SXM',
    memoryBytes: 141e9,
    peakBf16Tflops: 989,
    pricePerHour: 3.79,
    source:
      'NVIDIA H200 datasheet (141 GB HBM3e, 989 TFLOP/s dense bf16); AWS p5e.48xlarge capacity-block rate, per GPU',
    priceAsOf: '2025-01',
  },
  l4: {
    displayName: 'NVIDIA L4 24GB',
    memoryBytes: 24e9,
    peakBf16Tflops: 121,
    pricePerHour: 0.71,
    source:
      'NVIDIA L4 datasheet (121 TFLOP/s dense bf16); Google Cloud g2-standard-4 on-demand (us-central1)',
    priceAsOf: '2024-06',
  },
  l40s: {
    displayName: 'NVIDIA L40S 48GB',
    memoryBytes: 48e9,
    peakBf16Tflops: 362,
    pricePerHour: 1.86,
    source: 'NVIDIA L40S datasheet (362 TFLOP/s dense bf16); AWS g6e.xlarge on-demand (us-east-1)',
    priceAsOf: '2024-09',
  },
  a10g: {
    displayName: 'NVIDIA A10G 24GB',
    memoryBytes: 24 * GIB,
    peakBf16Tflops: 125,
    pricePerHour: 1.006,
    source:
      'NVIDIA A10 datasheet (125 TFLOP/s dense bf16; A10G is the AWS variant); AWS g5.xlarge on-demand (us-east-1)',
    priceAsOf: '2024-06',
  },
  'rtx-4090': {
    displayName: 'NVIDIA GeForce RTX 4090 24GB',
    memoryBytes: 24 * GIB,
    peakBf16Tflops: 165.2,
    pricePerHour: 0.69,
    source:
      'NVIDIA Ada Lovelace whitepaper (165.2 TFLOP/s bf16, fp32 accumulate); RunPod secure cloud on-demand',
    priceAsOf: '2024-06',
  },
  a6000: {
    displayName: 'NVIDIA RTX A6000 48GB',
    memoryBytes: 48 * GIB,
    peakBf16Tflops: 154.8,
    pricePerHour: 0.8,
    source: 'NVIDIA RTX A6000 datasheet (154.8 TFLOP/s dense bf16 tensor); Lambda Cloud on-demand 1x A6000',
    priceAsOf: '2024-06',
  },
} as const satisfies Record<string, GpuSpec>;

export type GpuName = keyof typeof GPU_CATALOG;
