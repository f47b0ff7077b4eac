// The CUDA runtime API for host code: the real one, or the CPU emulation's (built with LORAKIT_CUDA_EMULATION).
#pragma once

#if defined(LORAKIT_CUDA_EMULATION)
#include "emulation/cuda-emulation.h"
#else
#include <cuda_runtime_api.h>
#endif
