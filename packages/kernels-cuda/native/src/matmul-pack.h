// Operand packing for the GEMM (matmul.cc): copies a block of A or B into the micro-kernel's panel order, so the
// kernel reads both with unit stride whatever the stored layout (transposes are handled here, not in the kernel).
//   packed A block (mc × kc): panels of 6 rows; panel p holds, for each k, rows 6p..6p+5 → [k][6]
//   packed B block (kc × nc): panels of `width` columns (16 for the AVX2 kernel, 32 for AVX-512); panel p holds,
//                             for each k, columns width·p … width·p + width − 1 → [k][width]
// Rows/columns past the matrix edge are zero, so edge tiles run the same kernel.
#pragma once

#include <cstddef>

#include "matmul.h"

namespace lorakit {

// Packs rows [row0, row0 + mc) × K range [k0, k0 + kc) of A into `out` (ceil(mc/6) panels of kc·6 floats).
void packA(const GemmOperand& a, size_t row0, size_t mc, size_t k0, size_t kc, float* out);

constexpr size_t kMaxPanelWidth = 32;

// Packs K range [k0, k0 + kc) × columns [column0, column0 + nc) of B into `out` (ceil(nc/width) panels of
// kc·width floats); width is 16 or 32, out is 64-byte aligned.
void packB(const GemmOperand& b, size_t k0, size_t kc, size_t column0, size_t nc, float* out, size_t width);

// A per-thread packing buffer (which = 0 for A, 1 for B), 64-byte aligned, grown as needed and kept: OpenMP's
// threads persist, so a thread allocates once.
float* packScratch(int which, size_t floats);

}  // namespace lorakit
