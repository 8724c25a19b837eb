// The caching CPU allocator (allocator.cpp): installed once per process when the addon loads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ves {

struct CpuCacheStats {
  size_t inUse;      // bytes of large blocks handed out and not yet freed
  size_t cached;     // bytes of freed large blocks kept for reuse
  size_t peakInUse;  // the most `inUse` has been
  uint64_t hits, misses, evictions;
};

void InstallCpuCache();  // VESALIUS_CPU_CACHE=0 leaves libtorch's own allocator in place
bool CpuCacheEnabled();
CpuCacheStats GetCpuCacheStats();
size_t EmptyCpuCache();  // unmaps every cached block; returns the bytes given back

}  // namespace ves
