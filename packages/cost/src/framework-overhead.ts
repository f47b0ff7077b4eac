/**
 * A fixed allowance for what the framework holds besides tensors: the CUDA context and loaded kernels,
 * cuBLAS/cuDNN workspaces, NCCL buffers and allocator fragmentation. Hugging Face's "Model training anatomy"
 * guide (transformers docs) measures 1.3 GB for the CUDA kernels alone with nvidia-smi after a 1-element
 * tensor; CUDA ≥ 11.7 lazy module loading lowers that, fragmentation adds back. We take 1 GiB, per GPU.
 * Note that peaks read from torch.cuda memory statistics (most published figures) exclude the context.
 */
export const FRAMEWORK_OVERHEAD_BYTES = 2 ** 30;
