/**
 * SwiGLU's gate and the residual add:
 *   out = silu(gate)·up with silu(x) = x·σ(x);
 *   dUp = dy·silu(gate),  dGate = dy·up·σ(gate)·(1 + gate·(1 − σ(gate)));
 *   out = a + b (out may be a).
 */
import type { DeviceTensor } from '../device-tensor.js';
import { validateAdd, validateSiluMul, validateSiluMulBackward } from '../validate/elementwise.js';
import { hostData } from './host-data.js';

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function referenceSiluMul(out: DeviceTensor, gate: DeviceTensor, up: DeviceTensor): void {
  const { size } = validateSiluMul('siluMul', 'reference', out, gate, up);
  const outData = hostData(out);
  const gateData = hostData(gate);
  const upData = hostData(up);
  for (let i = 0; i < size; i++) {
    const g = gateData[i] as number;
    outData[i] = g * sigmoid(g) * (upData[i] as number);
  }
}

export function referenceSiluMulBackward(args: {
  dGate: DeviceTensor;
  dUp: DeviceTensor;
  dy: DeviceTensor;
  gate: DeviceTensor;
  up: DeviceTensor;
}): void {
  const { size } = validateSiluMulBackward('siluMulBackward', 'reference', args);
  const dGate = hostData(args.dGate);
  const dUp = hostData(args.dUp);
  const dy = hostData(args.dy);
  const gate = hostData(args.gate);
  const up = hostData(args.up);
  for (let i = 0; i < size; i++) {
    const g = gate[i] as number;
    const s = sigmoid(g);
    const d = dy[i] as number;
    dUp[i] = d * g * s;
    dGate[i] = d * (up[i] as number) * s * (1 + g * (1 - s));
  }
}

export function referenceAdd(out: DeviceTensor, a: DeviceTensor, b: DeviceTensor): void {
  const { size } = validateAdd('add', 'reference', out, a, b);
  const outData = hostData(out);
  const aData = hostData(a);
  const bData = hostData(b);
  for (let i = 0; i < size; i++) outData[i] = (aData[i] as number) + (bData[i] as number);
}
