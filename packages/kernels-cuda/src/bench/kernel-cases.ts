/**
 * The kernel benchmark's cases, as data (CLI.md "bench kernels"): op, shape and the floating-point operations one
 * run performs, so GFLOP/s = flops / seconds / 1e9. FLOP counts (multiply-add = 2):
 *   matmul [M,N,K]:                     2·M·N·K
 *   lora_linear_forward [T,in,out,r]:   2·T·in·out + 2·T·r·(in + out)          (base GEMM + shrink + expand)
 *   lora_linear_backward [T,in,out,r]:  2·T·out·in + 2·T·r·out·2 + 2·T·r·in·2  (dx base; dy·B and dB; (dy·B)·A and dA)
 *   lora_multi_forward [T,in,out,r,n]:  2·T·in·out + 2·T·r·(in + out)          (every row at its adapter's rank r)
 * To add a case, add a row here; the peer script (bench/torch_kernels.py) reads the same list as JSON.
 */

export type KernelOp =
  'matmul' | 'linear' | 'lora_linear_forward' | 'lora_linear_backward' | 'lora_multi_forward';

export interface KernelCase {
  op: KernelOp;
  shape: number[];
}

export const KERNEL_CASES: readonly KernelCase[] = [
  { op: 'matmul', shape: [512, 512, 512] },
  { op: 'matmul', shape: [1024, 1024, 1024] },
  { op: 'matmul', shape: [2048, 2048, 2048] },
  { op: 'matmul', shape: [512, 2048, 2048] },
  // y = x·Wᵀ at [T, in, out]: the base product the LoRA forward is compared with
  { op: 'linear', shape: [512, 2048, 2048] },
  ...[8, 16, 64].map((r) => ({ op: 'lora_linear_forward' as const, shape: [512, 2048, 2048, r] })),
  ...[8, 16, 64].map((r) => ({ op: 'lora_linear_backward' as const, shape: [512, 2048, 2048, r] })),
  ...[1, 8, 64].map((n) => ({ op: 'lora_multi_forward' as const, shape: [64, 2048, 2048, 16, n] })),
];

export function caseFlops(kernelCase: KernelCase): number {
  const [a = 0, b = 0, c = 0, d = 0] = kernelCase.shape;
  switch (kernelCase.op) {
    case 'matmul':
      return 2 * a * b * c;
    case 'linear':
      return 2 * a * b * c;
    case 'lora_linear_forward':
    case 'lora_multi_forward':
      return 2 * a * b * c + 2 * a * d * (b + c);
    case 'lora_linear_backward':
      return 2 * a * c * b + 4 * a * d * c + 4 * a * d * b;
  }
}

export function caseName(kernelCase: KernelCase): string {
  return `${kernelCase.op} [${kernelCase.shape.join(', ')}]`;
}
