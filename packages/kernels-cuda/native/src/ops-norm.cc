// RMSNorm over the last dimension H, as Llama's (and the reference's, src/reference/norm.ts):
//   forward:   rstd = 1/√(Σx²/H + eps),  y = x·rstd·w
//   backward:  dx_j = rstd·w_j·dy_j − (rstd³/H)·x_j·Σ_i dy_i·w_i·x_i,   dw_j (+)= Σ_rows dy_j·x_j·rstd
// Sums and the per-element products are in fp64 and rounded once, like the reference, so results agree with it
// to the last bit or one rounding step. Rows run in parallel; dw splits the columns, each summing rows in order.
#include <vector>

#include "napi-args.h"
#include "ops-simd.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

inline __m256d low4(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline __m256d high4(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
inline __m256 join(__m256d low, __m256d high) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(low)), _mm256_cvtpd_ps(high), 1);
}

// Σ a·b·c in fp64 (each product exact up to one rounding), vectorised with four lanes per accumulator.
double tripleDot(const float* a, const float* b, const float* c, size_t n) {
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 av = _mm256_loadu_ps(a + i), bv = _mm256_loadu_ps(b + i), cv = _mm256_loadu_ps(c + i);
    acc0 = _mm256_fmadd_pd(_mm256_mul_pd(low4(av), low4(bv)), low4(cv), acc0);
    acc1 = _mm256_fmadd_pd(_mm256_mul_pd(high4(av), high4(bv)), high4(cv), acc1);
  }
  double sum = simd::horizontalSum(_mm256_add_pd(acc0, acc1));
  for (; i < n; i++) sum += static_cast<double>(a[i]) * b[i] * c[i];
  return sum;
}

// rmsNorm(out, x, weight, rstd | null, rows, hidden, eps)
Napi::Value RmsNorm(const Napi::CallbackInfo& info) {
  const char* op = "rmsNorm";
  size_t rows = sizeArg(info, 4, op, "rows");
  size_t hidden = sizeArg(info, 5, op, "hidden");
  double eps = numberArg(info, 6, op, "eps");
  float* out = floatArray(info, 0, op, "out", rows * hidden);
  const float* x = floatArray(info, 1, op, "x", rows * hidden);
  const float* weight = floatArray(info, 2, op, "weight", hidden);
  float* rstd = optionalFloatArray(info, 3, op, "rstd", rows);
  parallelFor(rows, 1 + 16384 / (hidden + 1), [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const float* xr = x + row * hidden;
      float* yr = out + row * hidden;
      double inverse = 1.0 / std::sqrt(simd::dotDouble(xr, xr, hidden) / static_cast<double>(hidden) + eps);
      __m256d inverse4 = _mm256_set1_pd(inverse);
      size_t h = 0;
      for (; h + 8 <= hidden; h += 8) {
        __m256 xv = _mm256_loadu_ps(xr + h), wv = _mm256_loadu_ps(weight + h);
        __m256d lo = _mm256_mul_pd(_mm256_mul_pd(low4(xv), inverse4), low4(wv));
        __m256d hi = _mm256_mul_pd(_mm256_mul_pd(high4(xv), inverse4), high4(wv));
        _mm256_storeu_ps(yr + h, join(lo, hi));
      }
      for (; h < hidden; h++) yr[h] = static_cast<float>(static_cast<double>(xr[h]) * inverse * weight[h]);
      if (rstd) rstd[row] = static_cast<float>(inverse);
    }
  });
  return info.Env().Undefined();
}

// rmsNormBackward(dx, dy, x, weight, rstd, dWeight | null, rows, hidden, accumulate)
Napi::Value RmsNormBackward(const Napi::CallbackInfo& info) {
  const char* op = "rmsNormBackward";
  size_t rows = sizeArg(info, 6, op, "rows");
  size_t hidden = sizeArg(info, 7, op, "hidden");
  bool accumulate = boolArg(info, 8, op, "accumulate");
  float* dx = floatArray(info, 0, op, "dx", rows * hidden);
  const float* dy = floatArray(info, 1, op, "dy", rows * hidden);
  const float* x = floatArray(info, 2, op, "x", rows * hidden);
  const float* weight = floatArray(info, 3, op, "weight", hidden);
  const float* rstd = floatArray(info, 4, op, "rstd", rows);
  float* dWeight = optionalFloatArray(info, 5, op, "dWeight", hidden);
  double invHidden = 1.0 / static_cast<double>(hidden);
  parallelFor(rows, 1 + 8192 / (hidden + 1), [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const float* dyr = dy + row * hidden;
      const float* xr = x + row * hidden;
      float* dxr = dx + row * hidden;
      double dot = tripleDot(dyr, weight, xr, hidden);
      double inverse = rstd[row];
      double correction = inverse * inverse * inverse * invHidden * dot;
      __m256d inverse4 = _mm256_set1_pd(inverse), correction4 = _mm256_set1_pd(correction);
      size_t h = 0;
      for (; h + 8 <= hidden; h += 8) {
        __m256 dyv = _mm256_loadu_ps(dyr + h), wv = _mm256_loadu_ps(weight + h), xv = _mm256_loadu_ps(xr + h);
        __m256d lo = _mm256_mul_pd(_mm256_mul_pd(inverse4, low4(wv)), low4(dyv));
        __m256d hi = _mm256_mul_pd(_mm256_mul_pd(inverse4, high4(wv)), high4(dyv));
        lo = _mm256_fnmadd_pd(correction4, low4(xv), lo);
        hi = _mm256_fnmadd_pd(correction4, high4(xv), hi);
        _mm256_storeu_ps(dxr + h, join(lo, hi));
      }
      for (; h < hidden; h++) {
        dxr[h] = static_cast<float>(inverse * weight[h] * dyr[h] - correction * xr[h]);
      }
    }
  });
  if (dWeight) {
    parallelFor(hidden, rows * hidden >= 65536 ? 64 : hidden, [&](size_t begin, size_t end) {
      std::vector<double> sums(end - begin, 0.0);
      for (size_t row = 0; row < rows; row++) {
        const float* dyr = dy + row * hidden;
        const float* xr = x + row * hidden;
        double inverse = rstd[row];
        for (size_t h = begin; h < end; h++) sums[h - begin] += static_cast<double>(dyr[h]) * xr[h] * inverse;
      }
      for (size_t h = begin; h < end; h++) {
        dWeight[h] = static_cast<float>((accumulate ? static_cast<double>(dWeight[h]) : 0.0) + sums[h - begin]);
      }
    });
  }
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("rmsNorm", RmsNorm)
LORAKIT_NATIVE_OP("rmsNormBackward", RmsNormBackward)

}  // namespace lorakit
