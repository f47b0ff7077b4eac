import { describe, expect, it } from 'vitest';
import { NF4_BYTES_PER_PARAMETER } from './nf4-storage.js';

describe('NF4 with double quantization', () => {
  it('stores 4.127 bits = 0.5159 bytes per weight', () => {
    // (4 + 8/64 + 32/(64·256)) / 8 = (4 + 0.125 + 0.001953125) / 8 = 0.515869140625
    expect(NF4_BYTES_PER_PARAMETER).toBe(0.515869140625);
    expect(Number(NF4_BYTES_PER_PARAMETER.toFixed(4))).toBe(0.5159);
    expect(Number((NF4_BYTES_PER_PARAMETER * 8).toFixed(3))).toBe(4.127);
  });
});
