/**
 * Times the kernel cases (kernel-cases.ts) on one backend: median milliseconds over repeated runs after a
 * warm-up, and GFLOP/s from the case's FLOP count. Inputs are random in [−0.1, 0.1]; the tensors are made once per
 * case and disposed after it, so only the op itself is timed.
 */
import type { Backend } from '../backend.js';
import type { DeviceTensor } from '../device-tensor.js';
import { caseFlops, KERNEL_CASES } from './kernel-cases.js';
import type { KernelCase } from './kernel-cases.js';

export interface KernelBenchResult {
  name: string;
  op: string;
  shape: number[];
  backend: string;
  /** Median wall time of one run, in milliseconds. */
  ms: number;
  gflops: number;
  runs: number;
}

export interface BenchKernelsOptions {
  cases?: readonly KernelCase[];
  /** Keep repeating each case until this much time has passed (default 1 s), with at least 3 runs. */
  minSeconds?: number;
  /** Called before each case, for progress on stderr. */
  onCase?: (kernelCase: KernelCase) => void;
}

export function benchKernels(backend: Backend, options: BenchKernelsOptions = {}): KernelBenchResult[] {
  const results: KernelBenchResult[] = [];
  for (const kernelCase of options.cases ?? KERNEL_CASES) {
    options.onCase?.(kernelCase);
    const tensors: DeviceTensor[] = [];
    const random = (shape: number[]): DeviceTensor => {
      const size = shape.reduce((product, dimension) => product * dimension, 1);
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = Math.random() * 0.2 - 0.1;
      const tensor = backend.fromArray(values, shape);
      tensors.push(tensor);
      return tensor;
    };
    try {
      const run = prepare(backend, kernelCase, random);
      const ms = timeMedian(backend, run, options.minSeconds ?? 1);
      results.push({
        name: `${kernelCase.op} [${kernelCase.shape.join(', ')}]`,
        op: kernelCase.op,
        shape: [...kernelCase.shape],
        backend: backend.name,
        ms: ms.median,
        gflops: caseFlops(kernelCase) / (ms.median / 1000) / 1e9,
        runs: ms.runs,
      });
    } finally {
      for (const tensor of tensors) tensor.dispose();
    }
  }
  return results;
}

function prepare(
  backend: Backend,
  kernelCase: KernelCase,
  random: (shape: number[]) => DeviceTensor,
): () => void {
  const [a = 0, b = 0, c = 0, d = 0, e = 0] = kernelCase.shape;
  switch (kernelCase.op) {
    case 'matmul': {
      const [x, y, out] = [random([a, c]), random([c, b]), random([a, b])];
      return () => backend.matmul(out, x, y);
    }
    case 'linear': {
      const [x, w, out] = [random([a, b]), random([c, b]), random([a, c])];
      return () => backend.matmul(out, x, w, { transposeB: true });
    }
    case 'lora_linear_forward': {
      const args = {
        x: random([a, b]),
        weight: random([c, b]),
        loraA: random([d, b]),
        loraB: random([c, d]),
        scale: 2,
        out: random([a, c]),
        shrink: random([a, d]),
      };
      return () => backend.loraLinearForward(args);
    }
    case 'lora_linear_backward': {
      const x = random([a, b]);
      const weight = random([c, b]);
      const loraA = random([d, b]);
      const loraB = random([c, d]);
      const shrink = random([a, d]);
      backend.loraLinearForward({ x, weight, loraA, loraB, scale: 2, out: random([a, c]), shrink });
      const args = {
        dy: random([a, c]),
        x,
        weight,
        loraA,
        loraB,
        scale: 2,
        shrink,
        dx: random([a, b]),
        dA: random([d, b]),
        dB: random([c, d]),
      };
      return () => backend.loraLinearBackward(args);
    }
    case 'lora_multi_forward': {
      const adapters = Array.from({ length: e }, () => ({
        loraA: random([d, b]),
        loraB: random([c, d]),
        scale: 2,
      }));
      const rowAdapter = Int32Array.from({ length: a }, (_, row) => row % e);
      const args = { x: random([a, b]), weight: random([c, b]), adapters, rowAdapter, out: random([a, c]) };
      return () => backend.loraMultiForward(args);
    }
  }
}

function timeMedian(backend: Backend, run: () => void, minSeconds: number): { median: number; runs: number } {
  run();
  backend.synchronize();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < minSeconds * 1000 && times.length < 50)) {
    const t0 = performance.now();
    run();
    backend.synchronize();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { median: times[Math.floor(times.length / 2)] as number, runs: times.length };
}
