// Element-wise int8 loops over channels-last rows (a row: one position's channels), used by the fused
// norm, the concatenation and the dequantization in quantized.cpp. Each has an AVX2 path picked at run
// time on x86 and a portable one.
#pragma once

#include <cstdint>

namespace ves {

// Adds each channel's bytes and squared bytes over `rows` rows of C bytes into sum and sq.
void SumRows(const uint8_t* in, int64_t rows, int64_t C, int32_t* sum, int32_t* sq);

// out = quantize(max(y, slope·y)) with y = gain[c]·in + shift[c] (gain and shift already in output
// steps): slope 1 is no activation, 0 a ReLU, in between a leaky ReLU. Rounded half to even, clamped to
// [0, 255]. Rows are inStride and outStride bytes apart.
void NormRows(const uint8_t* in, int64_t inStride, uint8_t* out, int64_t outStride, int64_t rows, int64_t C,
              const float* gain, const float* shift, float slope, float zeroPoint);

// out = (in − zeroPoint)·scale over n bytes.
void DequantizeBytes(const uint8_t* in, float* out, int64_t n, float scale, float zeroPoint);

}  // namespace ves
