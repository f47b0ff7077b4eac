/**
 * Bytes per parameter of QLoRA's NF4 storage with double quantization (Dettmers et al. 2023, "QLoRA", §3
 * "Double Quantization"): 4 bits per weight; one absmax per block of 64 weights, itself quantized to 8 bits;
 * one fp32 constant per 256 of those absmax values. So 4 + 8/64 + 32/(64·256) = 4.127 bits = 0.5159 bytes.
 */

/** Weights per first-level quantization block. */
export const NF4_BLOCK_SIZE = 64;
/** First-level constants per second-level (fp32) constant. */
export const NF4_SECOND_BLOCK_SIZE = 256;

/** 0.515869…: bytes one NF4 weight occupies with its share of both levels of quantization constants. */
export const NF4_BYTES_PER_PARAMETER =
  (4 + 8 / NF4_BLOCK_SIZE + 32 / (NF4_BLOCK_SIZE * NF4_SECOND_BLOCK_SIZE)) / 8;
