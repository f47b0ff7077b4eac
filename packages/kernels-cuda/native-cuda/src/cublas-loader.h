// cuBLAS, loaded at run time with dlopen so the addon needs no CUDA library to load. Only the GEMMs are used
// (fp32: cublasSgemmStridedBatched; bf16 storage with fp32 compute: cublasGemmStridedBatchedEx).
#pragma once

#include <string>

#include "kernels.h"

namespace lk {

/** Tries `explicit_path` (when non-empty), then libcublas.so.13, .so.12 and libcublas.so on the loader's path. */
void cublas_load(const std::string& explicit_path);
/** "libcublas.so.13 (version 130002)" when loaded, else why not. */
std::string cublas_description();
bool cublas_available();
/** Lets tests and benchmarks force the own kernels. */
void cublas_set_enabled(bool enabled);

/** The row-major GEMM of kernels.h's gemm() through cuBLAS; false when cuBLAS is not loaded or not enabled. */
bool cublas_gemm(DType dtype, bool transpose_a, bool transpose_b, int batch, int m, int n, int k, float alpha, const void* a,
                 long long a_batch_stride, const void* b, long long b_batch_stride, float beta, void* out);

}  // namespace lk
