/**
 * Optimizers as data: bytes of state per trainable parameter and whether the state lives in paged (unified)
 * memory that the driver moves to CPU RAM when the GPU runs out.
 */

export interface OptimizerSpec {
  /** State bytes per trainable parameter, master weights excluded. */
  readonly stateBytesPerParameter: number;
  /** State allocated in CUDA unified memory, evicted to CPU RAM under memory pressure. */
  readonly paged: boolean;
  readonly source: string;
}

/**
 * To add an optimizer: its state bytes per parameter (count every buffer it allocates per parameter) and
 * the paper or code that says so.
 */
export const OPTIMIZERS = {
  adamw: {
    stateBytesPerParameter: 8,
    paged: false,
    source: 'Loshchilov & Hutter 2019 (AdamW): first and second moments, two fp32 values per parameter',
  },
  'adamw-8bit': {
    stateBytesPerParameter: 2,
    paged: false,
    source: 'Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization": two 8-bit moments',
  },
  'paged-adamw': {
    stateBytesPerParameter: 8,
    paged: true,
    source: 'Dettmers et al. 2023 (QLoRA) §3 "Paged Optimizers"; bitsandbytes PagedAdamW',
  },
  'paged-adamw-8bit': {
    stateBytesPerParameter: 2,
    paged: true,
    source: 'bitsandbytes PagedAdamW8bit: 8-bit moments in paged memory',
  },
  sgd: { stateBytesPerParameter: 0, paged: false, source: 'plain SGD keeps no state' },
} as const satisfies Record<string, OptimizerSpec>;

export type OptimizerName = keyof typeof OPTIMIZERS;
