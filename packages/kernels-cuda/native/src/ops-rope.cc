// Rotary position embedding, Llama's rotate_half form, in place on x [rows, heads, D]: for i < D/2 the pair
// (x_i, x_{i+D/2}) at position p turns by a = p·invFreq_i:
//   x_i' = x_i·cos a − x_{i+D/2}·sin a,   x_{i+D/2}' = x_{i+D/2}·cos a + x_i·sin a    (inverse: a → −a)
// invFreq_i = θ^(−2i/D) with optional Llama-3 scaling, computed step by step in f32 as transformers (and the
// reference, src/reference/rope.ts) do; the angle p·invFreq_i is rounded to f32 too, cos/sin and the rotation are
// fp64 and rounded once. The cos/sin table of a row is shared by its heads.
#include <cmath>
#include <vector>

#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {
namespace {

struct Llama3Scaling {
  double factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings;
};

inline float f32(double value) { return static_cast<float>(value); }

// fp-contract=off here and in rotateRow: GCC would otherwise narrow the f32-rounded steps to float and fuse them
// into multiply-adds, skipping roundings the reference (and transformers) perform.
__attribute__((optimize("fp-contract=off"))) std::vector<float> inverseFrequencies(size_t headDim, double theta,
                                                                                  const Llama3Scaling* scaling) {
  size_t half = headDim / 2;
  std::vector<float> frequencies(half);
  for (size_t i = 0; i < half; i++) {
    float exponent = f32(static_cast<double>(2 * i) / static_cast<double>(headDim));
    frequencies[i] = f32(1.0 / f32(std::pow(theta, static_cast<double>(exponent))));
  }
  if (!scaling) return frequencies;
  const double context = scaling->originalMaxPositionEmbeddings;
  const float twoPi = f32(2 * M_PI);
  float lowWavelength = f32(context / scaling->lowFreqFactor);
  float highWavelength = f32(context / scaling->highFreqFactor);
  for (size_t i = 0; i < half; i++) {
    float frequency = frequencies[i];
    float wavelength = f32(static_cast<double>(twoPi) / frequency);
    float scaled = wavelength > lowWavelength ? f32(frequency / scaling->factor) : frequency;
    float smooth = f32(f32(f32(context / wavelength) - f32(scaling->lowFreqFactor)) /
                       f32(scaling->highFreqFactor - scaling->lowFreqFactor));
    float smoothed = f32(f32(f32(static_cast<double>(f32(1.0 - smooth)) * scaled) / scaling->factor) +
                         static_cast<double>(f32(static_cast<double>(smooth) * scaled)));
    bool medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
    frequencies[i] = medium ? smoothed : scaled;
  }
  return frequencies;
}

__attribute__((optimize("fp-contract=off"))) void rotateRow(float* base, const double* cosines, const double* sines,
                                                           size_t half) {
  for (size_t i = 0; i < half; i++) {
    const double first = base[i], second = base[i + half];
    base[i] = static_cast<float>(first * cosines[i] - second * sines[i]);
    base[i + half] = static_cast<float>(second * cosines[i] + first * sines[i]);
  }
}

// rope(x, positions, rows, heads, headDim, theta, scaling | null, inverse)
//   scaling: a Float64Array [factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings] or null.
Napi::Value Rope(const Napi::CallbackInfo& info) {
  const char* op = "rope";
  Napi::Env env = info.Env();
  size_t rows = sizeArg(info, 2, op, "rows");
  size_t heads = sizeArg(info, 3, op, "heads");
  size_t headDim = sizeArg(info, 4, op, "headDim");
  double theta = numberArg(info, 5, op, "theta");
  bool inverse = boolArg(info, 7, op, "inverse");
  if (headDim % 2 != 0) throwError(env, "rope: headDim must be even (native check)");
  float* x = floatArray(info, 0, op, "x", rows * heads * headDim);
  const int32_t* positions = intArray(info, 1, op, "positions", rows);
  Llama3Scaling scaling{};
  const Llama3Scaling* scalingPointer = nullptr;
  if (!info[6].IsUndefined() && !info[6].IsNull()) {
    if (!info[6].IsTypedArray() || info[6].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[6].As<Napi::Float64Array>().ElementLength() != 4) {
      throwError(env, "rope: scaling must be a Float64Array of 4 values or null (native check)");
    }
    const double* values = info[6].As<Napi::Float64Array>().Data();
    scaling = {values[0], values[1], values[2], values[3]};
    scalingPointer = &scaling;
  }
  std::vector<float> frequencies = inverseFrequencies(headDim, theta, scalingPointer);
  size_t half = headDim / 2;
  double direction = inverse ? -1.0 : 1.0;
  parallelFor(rows, 1 + 4096 / (heads * headDim + 1), [&](size_t begin, size_t end) {
    std::vector<double> cosines(half), sines(half);
    for (size_t row = begin; row < end; row++) {
      double position = positions[row];
      for (size_t i = 0; i < half; i++) {
        const double angle = f32(position * frequencies[i]);
        cosines[i] = std::cos(angle);
        sines[i] = direction * std::sin(angle);
      }
      for (size_t head = 0; head < heads; head++) {
        rotateRow(x + (row * heads + head) * headDim, cosines.data(), sines.data(), half);
      }
    }
  });
  return env.Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("rope", Rope)

}  // namespace lorakit
