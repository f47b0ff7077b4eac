/**
 * Rotary position embedding, Llama's "rotate_half" form: for i < D/2 the pair (x_i, x_{i+D/2}) at position p
 * rotates by angle p·invFreq_i:  x_i' = x_i·cos − x_{i+D/2}·sin,  x_{i+D/2}' = x_{i+D/2}·cos + x_i·sin;
 * the inverse rotates by −angle (the backward, since the rotation is orthogonal).
 * invFreq_i = θ^(−2i/D), then Llama-3 scaling as transformers' `_compute_llama3_parameters` does it:
 *   wavelen = 2π/invFreq; wavelen > L/low → invFreq/factor; wavelen < L/high → unchanged; otherwise
 *   (1 − s)·invFreq/factor + s·invFreq with s = (L/wavelen − low)/(high − low), L = originalMaxPositionEmbeddings.
 * transformers computes invFreq and the angle in float32; every step below is rounded to f32 the same way
 * (Math.fround), so angles at long positions agree with it to the last bit, not just to 1e-7 relative.
 */
import type { Llama3RopeScaling, RopeArgs } from '../ops.js';
import { validateRope } from '../validate/rope.js';
import { hostData } from './host-data.js';

const f32 = Math.fround;
// torch turns the Python scalar 2π into the tensor's dtype before dividing.
const TWO_PI = f32(2 * Math.PI);

/** The D/2 inverse frequencies (f32 values), with Llama-3 scaling when given. */
export function ropeInverseFrequencies(
  headDim: number,
  theta: number,
  scaling?: Llama3RopeScaling,
): Float32Array {
  const half = headDim / 2;
  const frequencies = new Float32Array(half);
  for (let i = 0; i < half; i++) frequencies[i] = f32(1 / f32(theta ** f32((2 * i) / headDim)));
  if (scaling === undefined) return frequencies;
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: context } = scaling;
  const lowFrequencyWavelength = f32(context / lowFreqFactor);
  const highFrequencyWavelength = f32(context / highFreqFactor);
  for (let i = 0; i < half; i++) {
    const frequency = frequencies[i] as number;
    const wavelength = f32(TWO_PI / frequency);
    const scaled = wavelength > lowFrequencyWavelength ? f32(frequency / factor) : frequency;
    const smooth = f32(
      f32(f32(context / wavelength) - f32(lowFreqFactor)) / f32(highFreqFactor - lowFreqFactor),
    );
    const smoothed = f32(f32(f32(f32(1 - smooth) * scaled) / factor) + f32(smooth * scaled));
    const medium = !(wavelength < highFrequencyWavelength) && !(wavelength > lowFrequencyWavelength);
    frequencies[i] = medium ? smoothed : scaled;
  }
  return frequencies;
}

export function referenceRope(args: RopeArgs): void {
  const { rows, heads, headDim } = validateRope('rope', 'reference', args);
  const x = hostData(args.x);
  const half = headDim / 2;
  const frequencies = ropeInverseFrequencies(headDim, args.theta, args.scaling);
  const direction = args.inverse ? -1 : 1;
  const cosines = new Float64Array(half);
  const sines = new Float64Array(half);
  for (let row = 0; row < rows; row++) {
    const position = args.positions[row] as number;
    for (let i = 0; i < half; i++) {
      const angle = f32(position * (frequencies[i] as number));
      cosines[i] = Math.cos(angle);
      sines[i] = direction * Math.sin(angle);
    }
    for (let head = 0; head < heads; head++) {
      const base = (row * heads + head) * headDim;
      for (let i = 0; i < half; i++) {
        const first = x[base + i] as number;
        const second = x[base + i + half] as number;
        const cosine = cosines[i] as number;
        const sine = sines[i] as number;
        x[base + i] = first * cosine - second * sine;
        x[base + i + half] = second * cosine + first * sine;
      }
    }
  }
}
