/**
 * @lorakit/kernels-cuda — the ops every lorakit model run goes through: one typed interface (ops.ts) and three
 * backends (reference TypeScript, native CPU with AVX2/FMA, CUDA), picked once with `createBackend`.
 */
export type { BackendName, DeviceDType, DeviceTensor } from './device-tensor.js';
export type {
  Ops,
  MatmulOptions,
  DropoutOptions,
  LoraLinearForwardArgs,
  LoraLinearBackwardArgs,
  AdapterSlot,
  LoraMultiForwardArgs,
  LoraSegmentedForwardArgs,
  Llama3RopeScaling,
  RopeArgs,
  AttentionArgs,
  AttentionBackwardArgs,
  DecodeAttentionArgs,
  KvCacheWriteArgs,
  CrossEntropyArgs,
  AdamWArgs,
} from './ops.js';
export type { Backend } from './backend.js';
export { createBackend, availableBackends, BACKENDS, AUTO_ORDER } from './select-backend.js';
export type { BackendPreference, CreateBackendOptions } from './select-backend.js';
export { createReferenceBackend } from './reference/reference-backend.js';
export { createCpuBackend } from './cpu/cpu-backend.js';
export type { CpuBackendOptions } from './cpu/cpu-backend.js';
export { createCudaBackend } from './cuda/create-cuda-backend.js';
export type { CudaBackend, CudaBackendOptions } from './cuda/create-cuda-backend.js';
export { HostTensor } from './host-tensor.js';
export { TensorPool } from './tensor-pool.js';
export { dropoutFactor, lowbias32 } from './dropout-mask.js';
export { ropeInverseFrequencies } from './reference/rope.js';
export { benchKernels } from './bench/bench-kernels.js';
export type { KernelBenchResult, BenchKernelsOptions } from './bench/bench-kernels.js';
export { KERNEL_CASES, caseFlops, caseName } from './bench/kernel-cases.js';
export type { KernelCase, KernelOp } from './bench/kernel-cases.js';
export { runTorchPeer, torchPeerPythons } from './bench/torch-peers.js';
export type { TorchPeerRun, TorchPeerSkip } from './bench/torch-peers.js';
