// cuBLAS through dlopen, with its entry points declared here (enums as int: their ABI) rather than taken from
// cublas_v2.h, so building needs no cuBLAS headers; cublas-abi-check.cc compares these values with the headers
// when they are installed. cuBLAS is column-major: a row-major C = op(A)·op(B) is computed as the column-major
// Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. with the operands swapped and the row-major leading dimensions.
#include "cublas-loader.h"

#include <dlfcn.h>

#include <mutex>
#include <stdexcept>

namespace lk {
namespace {

using Handle = void*;
using CreateFunction = int (*)(Handle*);
using VersionFunction = int (*)(Handle, int*);
using SgemmBatchedFunction = int (*)(Handle, int, int, int, int, int, const float*, const float*, int, long long,
                                     const float*, int, long long, const float*, float*, int, long long, int);
using GemmExBatchedFunction = int (*)(Handle, int, int, int, int, int, const void*, const void*, int, int, long long,
                                      const void*, int, int, long long, const void*, void*, int, int, long long, int, int,
                                      int);

constexpr int kOpN = 0, kOpT = 1;  // CUBLAS_OP_N, CUBLAS_OP_T
constexpr int kR32F = 0, kR16BF = 14;  // CUDA_R_32F, CUDA_R_16BF
constexpr int kCompute32F = 68;  // CUBLAS_COMPUTE_32F
constexpr int kGemmDefault = -1;  // CUBLAS_GEMM_DEFAULT

struct Cublas {
  void* library = nullptr;
  Handle handle = nullptr;
  SgemmBatchedFunction sgemm = nullptr;
  GemmExBatchedFunction gemm_ex = nullptr;
  std::string description = "not loaded";
  bool enabled = true;
};
Cublas cublas;
std::mutex load_mutex;

#if !defined(LORAKIT_CUDA_EMULATION)
bool try_open(const std::string& name) {
  void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) return false;
  auto create = reinterpret_cast<CreateFunction>(dlsym(library, "cublasCreate_v2"));
  auto version = reinterpret_cast<VersionFunction>(dlsym(library, "cublasGetVersion_v2"));
  auto sgemm = reinterpret_cast<SgemmBatchedFunction>(dlsym(library, "cublasSgemmStridedBatched"));
  auto gemm_ex = reinterpret_cast<GemmExBatchedFunction>(dlsym(library, "cublasGemmStridedBatchedEx"));
  if (!create || !sgemm || !gemm_ex) {
    cublas.description = name + " lacks the GEMM entry points";
    dlclose(library);
    return false;
  }
  Handle handle = nullptr;
  const int status = create(&handle);
  if (status != 0) {
    cublas.description = name + ": cublasCreate failed (status " + std::to_string(status) + ")";
    dlclose(library);
    return false;
  }
  int version_number = 0;
  if (version) version(handle, &version_number);
  cublas.library = library;
  cublas.handle = handle;
  cublas.sgemm = sgemm;
  cublas.gemm_ex = gemm_ex;
  cublas.description = name + " (version " + std::to_string(version_number) + ")";
  return true;
}
#endif

}  // namespace

void cublas_load(const std::string& explicit_path) {
  std::lock_guard<std::mutex> lock(load_mutex);
  if (cublas.library) return;
#if defined(LORAKIT_CUDA_EMULATION)
  (void)explicit_path;
  cublas.description = "not loaded (CPU emulation build)";
#else
  std::string tried;
  if (!explicit_path.empty()) {
    if (try_open(explicit_path)) return;
    tried = explicit_path + ", ";
  }
  for (const char* name : {"libcublas.so.13", "libcublas.so.12", "libcublas.so"}) {
    if (try_open(name)) return;
  }
  cublas.description = "not loaded (tried " + tried + "libcublas.so.13, .so.12, .so; set LORAKIT_CUBLAS_LIBRARY to its path)";
#endif
}

std::string cublas_description() { return cublas.description; }
bool cublas_available() { return cublas.handle != nullptr; }
void cublas_set_enabled(bool enabled) { cublas.enabled = enabled; }

bool cublas_gemm(DType dtype, bool transpose_a, bool transpose_b, int batch, int m, int n, int k, float alpha, const void* a,
                 long long a_batch_stride, const void* b, long long b_batch_stride, float beta, void* out) {
  if (!cublas.handle || !cublas.enabled) return false;
  if (dtype != DType::F32 && dtype != DType::BF16) return false;
  const int operation_b = transpose_b ? kOpT : kOpN, operation_a = transpose_a ? kOpT : kOpN;
  const int ld_b = transpose_b ? k : n, ld_a = transpose_a ? m : k;
  const long long out_stride = static_cast<long long>(m) * n;
  int status;
  if (dtype == DType::F32) {
    status = cublas.sgemm(cublas.handle, operation_b, operation_a, n, m, k, &alpha, static_cast<const float*>(b), ld_b,
                          b_batch_stride, static_cast<const float*>(a), ld_a, a_batch_stride, &beta,
                          static_cast<float*>(out), n, out_stride, batch);
  } else {
    status = cublas.gemm_ex(cublas.handle, operation_b, operation_a, n, m, k, &alpha, b, kR16BF, ld_b, b_batch_stride, a,
                            kR16BF, ld_a, a_batch_stride, &beta, out, kR16BF, n, out_stride, batch, kCompute32F,
                            kGemmDefault);
  }
  if (status != 0) throw std::runtime_error("cuBLAS GEMM failed (status " + std::to_string(status) + ")");
  return true;
}

}  // namespace lk
