#include "int8_rows.h"

#include <cmath>
#include <cstdlib>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VES_X86_AVX2 1
#endif

namespace ves {
namespace {

void NormRowsPortable(const uint8_t* __restrict in, int64_t inStride, uint8_t* __restrict out, int64_t outStride,
                      int64_t rows, int64_t C, const float* __restrict gain, const float* __restrict shift,
                      float slope, float zeroPoint) {
  for (int64_t s = 0; s < rows; s++) {
    const uint8_t* row = in + s * inStride;
    uint8_t* orow = out + s * outStride;
    for (int64_t c = 0; c < C; c++) {
      float y = gain[c] * static_cast<float>(row[c]) + shift[c];
      const float ys = y * slope;
      y = y > ys ? y : ys;
      float r = y + zeroPoint;
      r = r > 0.f ? r : 0.f;
      r = r < 255.f ? r : 255.f;
      orow[c] = static_cast<uint8_t>(std::nearbyint(r));
    }
  }
}

void DequantizePortable(const uint8_t* __restrict in, float* __restrict out, int64_t n, float scale,
                        float zeroPoint) {
  for (int64_t i = 0; i < n; i++) out[i] = (static_cast<float>(in[i]) - zeroPoint) * scale;
}

// Inlined into the AVX2 build below as well as the portable one; the compiler vectorises it for each.
__attribute__((always_inline)) inline void SumRowsLoop(const uint8_t* __restrict in, int64_t rows, int64_t C,
                                                      int32_t* __restrict sum, int32_t* __restrict sq) {
  for (int64_t s = 0; s < rows; s++) {
    const uint8_t* row = in + s * C;
    for (int64_t c = 0; c < C; c++) {
      const int32_t v = row[c];
      sum[c] += v;
      sq[c] += v * v;
    }
  }
}

#ifdef VES_X86_AVX2
// VESALIUS_INT8_PORTABLE=1 forces the portable loops (the tests run both).
bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                          std::getenv("VESALIUS_INT8_PORTABLE") == nullptr;
  return has;
}

// 16 channels at a time: bytes → two vectors of 8 floats → affine, activation, clamp → rounded (the
// default MXCSR mode: half to even) → packed back to 16 bytes.
__attribute__((target("avx2,fma"))) void NormRowsAvx2(const uint8_t* __restrict in, int64_t inStride,
                                                      uint8_t* __restrict out, int64_t outStride, int64_t rows,
                                                      int64_t C, const float* __restrict gain,
                                                      const float* __restrict shift, float slope, float zeroPoint) {
  const __m256 vslope = _mm256_set1_ps(slope), vzp = _mm256_set1_ps(zeroPoint);
  const __m256 lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(255.f);
  const int64_t vectorC = C / 16 * 16;
  for (int64_t s = 0; s < rows; s++) {
    const uint8_t* row = in + s * inStride;
    uint8_t* orow = out + s * outStride;
    for (int64_t c = 0; c < vectorC; c += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + c));
      __m256 y0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
      __m256 y1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8)));
      y0 = _mm256_fmadd_ps(_mm256_loadu_ps(gain + c), y0, _mm256_loadu_ps(shift + c));
      y1 = _mm256_fmadd_ps(_mm256_loadu_ps(gain + c + 8), y1, _mm256_loadu_ps(shift + c + 8));
      y0 = _mm256_max_ps(y0, _mm256_mul_ps(y0, vslope));
      y1 = _mm256_max_ps(y1, _mm256_mul_ps(y1, vslope));
      y0 = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(y0, vzp), lo), hi);
      y1 = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(y1, vzp), lo), hi);
      // packus works within 128-bit lanes: the permute puts the 16-bit values back in order
      __m256i words = _mm256_packus_epi32(_mm256_cvtps_epi32(y0), _mm256_cvtps_epi32(y1));
      words = _mm256_permute4x64_epi64(words, 0xD8);
      const __m128i packed = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(orow + c), packed);
    }
    if (vectorC < C)
      NormRowsPortable(row + vectorC, 0, orow + vectorC, 0, 1, C - vectorC, gain + vectorC, shift + vectorC, slope,
                       zeroPoint);
  }
}

__attribute__((target("avx2,fma"))) void DequantizeAvx2(const uint8_t* __restrict in, float* __restrict out,
                                                        int64_t n, float scale, float zeroPoint) {
  const __m256 vs = _mm256_set1_ps(scale), vzp = _mm256_set1_ps(zeroPoint);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + i));
    const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_sub_ps(v, vzp), vs));
  }
  DequantizePortable(in + i, out + i, n - i, scale, zeroPoint);
}

// SumRowsLoop for AVX2: it multiplies 8 int32 at a time.
__attribute__((target("avx2"))) void SumRowsAvx2(const uint8_t* __restrict in, int64_t rows, int64_t C,
                                                 int32_t* __restrict sum, int32_t* __restrict sq) {
  SumRowsLoop(in, rows, C, sum, sq);
}
#endif

}  // namespace

void SumRows(const uint8_t* __restrict in, int64_t rows, int64_t C, int32_t* __restrict sum, int32_t* __restrict sq) {
#ifdef VES_X86_AVX2
  if (HasAvx2()) return SumRowsAvx2(in, rows, C, sum, sq);
#endif
  SumRowsLoop(in, rows, C, sum, sq);
}

void NormRows(const uint8_t* in, int64_t inStride, uint8_t* out, int64_t outStride, int64_t rows, int64_t C,
              const float* gain, const float* shift, float slope, float zeroPoint) {
#ifdef VES_X86_AVX2
  if (HasAvx2()) return NormRowsAvx2(in, inStride, out, outStride, rows, C, gain, shift, slope, zeroPoint);
#endif
  NormRowsPortable(in, inStride, out, outStride, rows, C, gain, shift, slope, zeroPoint);
}

void DequantizeBytes(const uint8_t* __restrict in, float* __restrict out, int64_t n, float scale, float zeroPoint) {
#ifdef VES_X86_AVX2
  if (HasAvx2()) return DequantizeAvx2(in, out, n, scale, zeroPoint);
#endif
  DequantizePortable(in, out, n, scale, zeroPoint);
}

}  // namespace ves
