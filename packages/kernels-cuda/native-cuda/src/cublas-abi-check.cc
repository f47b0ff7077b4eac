// Compiled only when cuBLAS's headers are installed (scripts/build-cuda.mjs): checks that the values and entry
// points cublas-loader.cc declares by hand are cuBLAS's. Nothing from this file is linked into the addon.
#include <cublas_v2.h>

static_assert(CUBLAS_OP_N == 0 && CUBLAS_OP_T == 1, "cublasOperation_t values");
static_assert(CUDA_R_32F == 0 && CUDA_R_16BF == 14, "cudaDataType values");
static_assert(CUBLAS_COMPUTE_32F == 68, "cublasComputeType_t value");
static_assert(CUBLAS_GEMM_DEFAULT == -1, "cublasGemmAlgo_t value");
static_assert(CUBLAS_STATUS_SUCCESS == 0, "cublasStatus_t value");
static_assert(sizeof(cublasOperation_t) == sizeof(int) && sizeof(cudaDataType) == sizeof(int), "enums passed as int");

// The loader's function types with cuBLAS's enum types in place of its ints: assigning the entry points to them
// compiles only if the parameter lists match (and picks the 32-bit-index overload, as dlsym of the name does).
using Sgemm = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const float*,
                                 const float*, int, long long, const float*, int, long long, const float*, float*, int,
                                 long long, int);
using GemmEx = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                  const void*, cudaDataType, int, long long, const void*, cudaDataType, int, long long,
                                  const void*, void*, cudaDataType, int, long long, int, cublasComputeType_t,
                                  cublasGemmAlgo_t);
using Create = cublasStatus_t (*)(cublasHandle_t*);
using Version = cublasStatus_t (*)(cublasHandle_t, int*);
static_assert(sizeof(cublasStatus_t) == sizeof(int) && sizeof(cublasHandle_t) == sizeof(void*), "status and handle");

int lorakit_cublas_abi_check() {
  const Sgemm sgemm = &cublasSgemmStridedBatched;
  const GemmEx gemm_ex = &cublasGemmStridedBatchedEx;
  const Create create = &cublasCreate_v2;
  const Version version = &cublasGetVersion_v2;
  return (sgemm != nullptr) + (gemm_ex != nullptr) + (create != nullptr) + (version != nullptr);
}
