// Multi-adapter LoRA in one batch (loraMultiForward: a per-row adapter index; loraSegmentedForward: row ranges).
//   1. out = x·Wᵀ + b for every row: one GEMM, shared by all adapters;
//   2. rows are grouped by adapter into contiguous runs; each adapter adds s_a·(x_rows·A_aᵀ)·B_aᵀ at its own rank
//      r_a with an fp32 intermediate. Runs of ≥ kGemmRunRows rows: when there is exactly one, it joins the base
//      GEMM as r extra K columns (as loraLinearForward does); otherwise two thin GEMMs each (shrink, then expand
//      with beta = 1). Shorter runs (decode: one row per request) go through lora-multi-kernels.h, which streams
//      A_a and B_a once per 4 rows, every thread on its own adapters: 64 distinct adapters in a 64-row batch cost
//      the time to read their 16 MiB (r = 16, 2048×2048) at the cores' memory bandwidth.
// The grouping depends only on the indices, never on the thread count, so results are thread-count independent.
#include <algorithm>
#include <string>
#include <vector>

#include "lora-multi-kernels.h"
#include "lora-scratch.h"
#include "matmul.h"
#include "napi-args.h"
#include "registry.h"
#include "thread-pool.h"

namespace lorakit {

namespace {

struct Adapter {
  const float* loraA;  // [rank, in]
  const float* loraB;  // [out, rank]
  size_t rank;
  float scale;
};

struct MultiLayer {
  const float* x;  // [tokens, in]
  const float* weight;
  const float* bias;
  float* out;  // [tokens, out]
  size_t tokens = 0, in = 0, outFeatures = 0;
  std::vector<Adapter> adapters;
};

// Contiguous rows of one adapter from which two thin GEMMs beat streaming the adapter per 4 rows.
constexpr size_t kGemmRunRows = 16;

// A run of rows that share an adapter: either contiguous [start, start + count) or listed in `rows`.
struct Run {
  int adapter;
  size_t start;
  size_t count;
  const size_t* rows;  // null when contiguous
};

// Reads (loraA[], loraB[], ranks, scales) at argument positions 3..6 and checks every length natively.
MultiLayer readLayer(const Napi::CallbackInfo& info, const char* op, size_t outIndex) {
  Napi::Env env = info.Env();
  MultiLayer layer;
  layer.tokens = sizeArg(info, outIndex + 1, op, "tokens");
  layer.in = sizeArg(info, outIndex + 2, op, "inFeatures");
  layer.outFeatures = sizeArg(info, outIndex + 3, op, "outFeatures");
  layer.x = floatArray(info, 0, op, "x", layer.tokens * layer.in);
  layer.weight = floatArray(info, 1, op, "weight", layer.outFeatures * layer.in);
  layer.bias = optionalFloatArray(info, 2, op, "bias", layer.outFeatures);
  layer.out = floatArray(info, outIndex, op, "out", layer.tokens * layer.outFeatures);
  if (!info[3].IsArray() || !info[4].IsArray()) throwError(env, std::string(op) + ": loraA and loraB must be arrays (native check)");
  auto listA = info[3].As<Napi::Array>(), listB = info[4].As<Napi::Array>();
  const size_t count = listA.Length();
  if (listB.Length() != count) throwError(env, std::string(op) + ": loraA and loraB differ in length (native check)");
  const int32_t* ranks = intArray(info, 5, op, "ranks", count);
  const float* scales = floatArray(info, 6, op, "scales", count);
  // Raw Node-API here: one call per array instead of node-addon-api's several (this runs for every adapter on
  // every call; with 64 adapters the wrappers' overhead was a measurable part of a decode step).
  layer.adapters.reserve(count);
  auto floatElement = [&](napi_value list, size_t a, const char* which, size_t expected) {
    napi_value element;
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    bool isTypedArray = false;
    if (napi_get_element(env, list, static_cast<uint32_t>(a), &element) != napi_ok ||
        napi_is_typedarray(env, element, &isTypedArray) != napi_ok || !isTypedArray ||
        napi_get_typedarray_info(env, element, &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array) {
      throwError(env, std::string(op) + ": adapter " + std::to_string(a) + " " + which + " must be a Float32Array (native check)");
    }
    if (length != expected) {
      requireLength(env, op, (std::string("adapter ") + std::to_string(a) + " " + which).c_str(), length, expected);
    }
    return static_cast<const float*>(data);
  };
  for (size_t a = 0; a < count; a++) {
    if (ranks[a] < 0) throwError(env, std::string(op) + ": ranks[" + std::to_string(a) + "] is negative (native check)");
    const size_t rank = static_cast<size_t>(ranks[a]);
    layer.adapters.push_back(Adapter{floatElement(listA, a, "loraA", rank * layer.in),
                                     floatElement(listB, a, "loraB", layer.outFeatures * rank), rank, scales[a]});
  }
  return layer;
}

bool isLongRun(const Run& run) { return !run.rows && run.count >= kGemmRunRows; }

// A long run's adapter term through two thin GEMMs: shrink = x_rows·Aᵀ, then out_rows += s·shrink·Bᵀ.
void longRun(const MultiLayer& layer, const Run& run, const Adapter& adapter) {
  const size_t in = layer.in, outFeatures = layer.outFeatures;
  float* shrink = loraScratch(ScratchSlot::Shrink, run.count * adapter.rank);
  GemmProblem p;
  p.m = run.count;
  p.n = adapter.rank;
  p.a = GemmOperand::single(layer.x + run.start * in, in, false, in);
  p.b = GemmOperand::single(adapter.loraA, in, true, in);
  p.c = shrink;
  p.ldc = adapter.rank;
  gemm(p);
  GemmProblem e;
  e.m = run.count;
  e.n = outFeatures;
  e.a = GemmOperand::single(shrink, adapter.rank, false, adapter.rank);
  e.b = GemmOperand::single(adapter.loraB, adapter.rank, true, adapter.rank);
  e.c = layer.out + run.start * outFeatures;
  e.ldc = outFeatures;
  e.alpha = adapter.scale;
  e.beta = 1.0f;
  gemm(e);
}

// Short runs, in pieces of ≤ 4 rows that stream their adapter's A and B once; pieces write disjoint rows, so
// they run in parallel (each thread streams its own adapters: the phase runs at the memory bandwidth of all cores).
void shortRuns(const MultiLayer& layer, const std::vector<Run>& runs) {
  struct Piece {
    const Run* run;
    size_t offset, count;
  };
  std::vector<Piece> pieces;
  for (const Run& run : runs) {
    const Adapter& adapter = layer.adapters[static_cast<size_t>(run.adapter)];
    if (isLongRun(run) || adapter.rank == 0 || adapter.scale == 0.0f) continue;
    for (size_t offset = 0; offset < run.count; offset += kSmallGroupRows) {
      pieces.push_back(Piece{&run, offset, std::min(kSmallGroupRows, run.count - offset)});
    }
  }
  parallelFor(pieces.size(), 1, [&](size_t begin, size_t end) {
    std::vector<float> shrink;
    for (size_t index = begin; index < end; index++) {
      const Piece& piece = pieces[index];
      const Adapter& adapter = layer.adapters[static_cast<size_t>(piece.run->adapter)];
      const float* xRows[kSmallGroupRows];
      float* outRows[kSmallGroupRows];
      for (size_t c = 0; c < piece.count; c++) {
        size_t row = piece.run->rows ? piece.run->rows[piece.offset + c] : piece.run->start + piece.offset + c;
        xRows[c] = layer.x + row * layer.in;
        outRows[c] = layer.out + row * layer.outFeatures;
      }
      shrink.resize(piece.count * adapter.rank);
      shrinkRows(xRows, piece.count, adapter.loraA, adapter.rank, layer.in, shrink.data());
      expandRows(shrink.data(), piece.count, adapter.scale, adapter.loraB, adapter.rank, 0, layer.outFeatures, outRows);
    }
  });
}

// out = x·Wᵀ + b, plus every run's adapter term. When exactly one long run has an adapter term (one request's
// prefill, or a batch on one adapter), it joins the base GEMM as r extra K columns — [x | s·S]·[W | B]ᵀ with S
// the run's shrink, zero outside its rows — as loraLinearForward does; other long runs take two thin GEMMs.
void computeLayer(const MultiLayer& layer, const std::vector<Run>& runs) {
  GemmProblem base;
  base.m = layer.tokens;
  base.n = layer.outFeatures;
  base.a = GemmOperand::single(layer.x, layer.in, false, layer.in);
  base.b = GemmOperand::single(layer.weight, layer.in, true, layer.in);
  base.c = layer.out;
  base.ldc = layer.outFeatures;
  base.bias = layer.bias;
  auto contributes = [&](const Run& run) {
    const Adapter& adapter = layer.adapters[static_cast<size_t>(run.adapter)];
    return adapter.rank > 0 && adapter.scale != 0.0f;
  };
  const Run* joined = nullptr;
  size_t longRuns = 0;
  for (const Run& run : runs) {
    if (isLongRun(run) && contributes(run)) {
      longRuns++;
      joined = &run;
    }
  }
  if (longRuns != 1) joined = nullptr;
  if (joined) {
    const Adapter& adapter = layer.adapters[static_cast<size_t>(joined->adapter)];
    const size_t rank = adapter.rank;
    float* shrink = loraScratch(ScratchSlot::Shrink, layer.tokens * rank);
    std::fill(shrink, shrink + joined->start * rank, 0.0f);
    std::fill(shrink + (joined->start + joined->count) * rank, shrink + layer.tokens * rank, 0.0f);
    GemmProblem p;
    p.m = joined->count;
    p.n = rank;
    p.a = GemmOperand::single(layer.x + joined->start * layer.in, layer.in, false, layer.in);
    p.b = GemmOperand::single(adapter.loraA, layer.in, true, layer.in);
    p.c = shrink + joined->start * rank;
    p.ldc = rank;
    gemm(p);
    base.a.append(shrink, rank, false, rank, adapter.scale);
    base.b.append(adapter.loraB, rank, true, rank, 1.0f);
  }
  gemm(base);
  shortRuns(layer, runs);
  for (const Run& run : runs) {
    if (isLongRun(run) && contributes(run) && &run != joined) {
      longRun(layer, run, layer.adapters[static_cast<size_t>(run.adapter)]);
    }
  }
}

// loraMultiForward(x, weight, bias, loraA[], loraB[], ranks, scales, rowAdapter, out, tokens, in, out)
Napi::Value LoraMultiForward(const Napi::CallbackInfo& info) {
  const char* op = "loraMultiForward";
  const MultiLayer layer = readLayer(info, op, 8);
  const int32_t* rowAdapter = intArray(info, 7, op, "rowAdapter", layer.tokens);
  const int count = static_cast<int>(layer.adapters.size());
  // Rows sorted by adapter (counting sort keeps row order within an adapter), then cut into contiguous runs.
  std::vector<size_t> start(static_cast<size_t>(count) + 1, 0);
  for (size_t t = 0; t < layer.tokens; t++) {
    const int32_t a = rowAdapter[t];
    if (a < -1 || a >= count) {
      throwError(info.Env(), std::string(op) + ": rowAdapter[" + std::to_string(t) + "] = " + std::to_string(a) +
                                 " is out of range (native check)");
    }
    if (a >= 0) start[static_cast<size_t>(a) + 1]++;
  }
  for (int a = 0; a < count; a++) start[static_cast<size_t>(a) + 1] += start[static_cast<size_t>(a)];
  std::vector<size_t> sorted(start.back()), next(start.begin(), start.end() - 1);
  for (size_t t = 0; t < layer.tokens; t++) {
    if (rowAdapter[t] >= 0) sorted[next[static_cast<size_t>(rowAdapter[t])]++] = t;
  }
  std::vector<Run> runs;
  for (int a = 0; a < count; a++) {
    size_t i = start[static_cast<size_t>(a)];
    const size_t end = start[static_cast<size_t>(a) + 1];
    while (i < end) {
      size_t j = i + 1;
      while (j < end && sorted[j] == sorted[j - 1] + 1) j++;
      // A long contiguous run goes to the GEMM path; short ones are listed row by row.
      runs.push_back(j - i >= kGemmRunRows ? Run{a, sorted[i], j - i, nullptr} : Run{a, 0, j - i, sorted.data() + i});
      i = j;
    }
  }
  computeLayer(layer, runs);
  return info.Env().Undefined();
}

// loraSegmentedForward(x, weight, bias, loraA[], loraB[], ranks, scales, segments, out, tokens, in, out)
Napi::Value LoraSegmentedForward(const Napi::CallbackInfo& info) {
  const char* op = "loraSegmentedForward";
  const MultiLayer layer = readLayer(info, op, 8);
  if (!info[7].IsTypedArray() || info[7].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throwError(info.Env(), std::string(op) + ": segments must be an Int32Array (native check)");
  }
  auto segments = info[7].As<Napi::Int32Array>();
  if (segments.ElementLength() % 3 != 0) throwError(info.Env(), std::string(op) + ": segments must hold (start, length, adapter) triples (native check)");
  std::vector<Run> runs;
  std::vector<bool> covered(layer.tokens, false);
  for (size_t s = 0; s + 2 < segments.ElementLength(); s += 3) {
    const int32_t startRow = segments[s], length = segments[s + 1], adapter = segments[s + 2];
    if (startRow < 0 || length < 0 || static_cast<size_t>(startRow) + static_cast<size_t>(length) > layer.tokens ||
        adapter < -1 || adapter >= static_cast<int32_t>(layer.adapters.size())) {
      throwError(info.Env(), std::string(op) + ": segment " + std::to_string(s / 3) + " is out of range (native check)");
    }
    for (int32_t row = startRow; row < startRow + length; row++) {
      if (covered[static_cast<size_t>(row)]) throwError(info.Env(), std::string(op) + ": segments overlap (native check)");
      covered[static_cast<size_t>(row)] = true;
    }
    if (adapter >= 0 && length > 0) runs.push_back(Run{adapter, static_cast<size_t>(startRow), static_cast<size_t>(length), nullptr});
  }
  computeLayer(layer, runs);
  return info.Env().Undefined();
}

}  // namespace

LORAKIT_NATIVE_OP("loraMultiForward", LoraMultiForward)
LORAKIT_NATIVE_OP("loraSegmentedForward", LoraSegmentedForward)

}  // namespace lorakit
