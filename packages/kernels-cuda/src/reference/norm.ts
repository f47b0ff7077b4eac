/**
 * RMSNorm over the last dimension, as Llama's: y = x·rstd·w with rstd = 1/√(mean(x²) + eps).
 * Backward, per row with rstd from the forward:
 *   dx_j = rstd·w_j·dy_j − rstd³/H · x_j · Σ_i dy_i·w_i·x_i,   dw_j = Σ_rows dy_j·x_j·rstd.
 */
import type { DeviceTensor } from '../device-tensor.js';
import { validateRmsNorm, validateRmsNormBackward } from '../validate/norm.js';
import { hostData } from './host-data.js';

export function referenceRmsNorm(
  out: DeviceTensor,
  x: DeviceTensor,
  weight: DeviceTensor,
  eps: number,
  rstd?: DeviceTensor,
): void {
  const { rows, H } = validateRmsNorm('rmsNorm', 'reference', out, x, weight, eps, rstd);
  const xData = hostData(x);
  const weightData = hostData(weight);
  const outData = hostData(out);
  const rstdData = rstd ? hostData(rstd) : undefined;
  for (let row = 0; row < rows; row++) {
    let sumOfSquares = 0;
    for (let h = 0; h < H; h++) sumOfSquares += (xData[row * H + h] as number) ** 2;
    const inverse = 1 / Math.sqrt(sumOfSquares / H + eps);
    for (let h = 0; h < H; h++)
      outData[row * H + h] = (xData[row * H + h] as number) * inverse * (weightData[h] as number);
    if (rstdData) rstdData[row] = inverse;
  }
}

export function referenceRmsNormBackward(args: {
  dx: DeviceTensor;
  dy: DeviceTensor;
  x: DeviceTensor;
  weight: DeviceTensor;
  rstd: DeviceTensor;
  dWeight?: DeviceTensor;
  accumulate?: boolean;
}): void {
  const { rows, H } = validateRmsNormBackward('rmsNormBackward', 'reference', args);
  const dx = hostData(args.dx);
  const dy = hostData(args.dy);
  const x = hostData(args.x);
  const weight = hostData(args.weight);
  const rstd = hostData(args.rstd);
  const dWeightSums = new Float64Array(H);
  for (let row = 0; row < rows; row++) {
    const inverse = rstd[row] as number;
    let dot = 0;
    for (let h = 0; h < H; h++)
      dot += (dy[row * H + h] as number) * (weight[h] as number) * (x[row * H + h] as number);
    const correction = (inverse ** 3 / H) * dot;
    for (let h = 0; h < H; h++) {
      const index = row * H + h;
      dx[index] = inverse * (weight[h] as number) * (dy[index] as number) - correction * (x[index] as number);
      dWeightSums[h] = (dWeightSums[h] as number) + (dy[index] as number) * (x[index] as number) * inverse;
    }
  }
  if (args.dWeight) {
    const dWeight = hostData(args.dWeight);
    for (let h = 0; h < H; h++)
      dWeight[h] = (args.accumulate ? (dWeight[h] as number) : 0) + (dWeightSums[h] as number);
  }
}
