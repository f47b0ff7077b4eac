/** The storage types the cost formulas know, with their size in bytes per element. */

export type WeightDtype = 'fp32' | 'bf16' | 'fp16';

/** To add a type: its name as users write it and its bytes per element. */
export const DTYPE_BYTES = { fp32: 4, bf16: 2, fp16: 2 } as const satisfies Record<WeightDtype, number>;
