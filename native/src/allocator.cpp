// A caching CPU allocator for libtorch, registered process-wide when the addon loads.
//
// Why: a training loop frees and re-allocates the same megabyte-sized activation and gradient buffers
// every step, in an order set by JavaScript scopes rather than by reference counts dropping one by one.
// On glibc's heap that order fragments: over 60 steps of the reference U-Net the process grew ~150 MiB
// while the bytes in use stayed flat. Handing large buffers back to the kernel instead (a low mmap
// threshold) keeps memory flat but page-faults every activation in again each step (~2x slower).
// This allocator maps large blocks itself and keeps freed ones for reuse by size, so a repeating loop
// reuses the same pages without faults, and it bounds what it keeps: mapped bytes (in use + cached)
// stay within the peak in use plus a small slack, evicting the least recently freed block when a new
// mapping would exceed that. Small requests go to malloc as before.
#include "allocator.h"

#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <mutex>

namespace ves {
namespace {

// libtorch's own CPU allocator aligns to 64 bytes (AVX-512 loads); every block carries a 64-byte header
// in front of the data, so the data keeps that alignment and the deleter knows where a block came from.
constexpr size_t kHeader = 64;
constexpr size_t kPage = 4096;
constexpr size_t kLargeFrom = 256 << 10;  // requests from here on are mapped and cached
constexpr uint32_t kSmall = 0x56534d4c;
constexpr uint32_t kLarge = 0x56534c47;

struct Header {
  size_t mapped;  // large blocks: the mapping's length (header included)
  uint32_t magic;
};
static_assert(sizeof(Header) <= kHeader, "header must fit before the data");

struct FreeBlock {
  void* base;
  size_t mapped;
  std::multimap<size_t, std::list<FreeBlock>::iterator>::iterator bySizeEntry;
};

class Cache {
 public:
  void* Take(size_t mapped) {
    std::lock_guard<std::mutex> lock(mu_);
    // The most recently freed block of the same size (likeliest still in the CPU's caches), else the
    // smallest up to a quarter larger (its pages are resident anyway).
    auto it = bySize_.upper_bound(mapped);
    if (it != bySize_.begin() && std::prev(it)->first == mapped) {
      --it;
    } else {
      it = bySize_.lower_bound(mapped);
    }
    void* base = nullptr;
    if (it != bySize_.end() && it->first <= mapped + mapped / 4) {
      auto block = it->second;
      base = block->base;
      mapped = block->mapped;
      bySize_.erase(it);
      lru_.erase(block);
      cached_ -= mapped;
      hits_++;
    } else {
      while (!lru_.empty() && inUse_ + cached_ + mapped > Limit(inUse_ + mapped)) EvictOldest();
      base = Map(mapped);
      if (base == nullptr) {  // out of memory: give back everything cached and try once more
        while (!lru_.empty()) EvictOldest();
        base = Map(mapped);
        if (base == nullptr) return nullptr;
      }
      misses_++;
    }
    static_cast<Header*>(base)->mapped = mapped;
    static_cast<Header*>(base)->magic = kLarge;
    inUse_ += mapped;
    peakInUse_ = std::max(peakInUse_, inUse_);
    return base;
  }

  void Give(void* base, size_t mapped) {
    std::lock_guard<std::mutex> lock(mu_);
    inUse_ -= mapped;
    lru_.push_back(FreeBlock{base, mapped, {}});
    auto block = std::prev(lru_.end());
    block->bySizeEntry = bySize_.emplace(mapped, block);
    cached_ += mapped;
  }

  size_t Empty() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t released = cached_;
    while (!lru_.empty()) EvictOldest();
    return released;
  }

  CpuCacheStats Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return CpuCacheStats{inUse_, cached_, peakInUse_, hits_, misses_, evictions_};
  }

 private:
  // Mapped bytes may reach the peak in use so far plus 1/16 of it (at least 64 MiB): a loop whose peak
  // is stable keeps all it needs, and a loop that shifts between sizes evicts instead of growing.
  size_t Limit(size_t inUseAfter) const {
    size_t peak = std::max(peakInUse_, inUseAfter);
    return peak + std::max<size_t>(peak / 16, size_t(64) << 20);
  }

  void EvictOldest() {
    FreeBlock& b = lru_.front();
    bySize_.erase(b.bySizeEntry);
    munmap(b.base, b.mapped);
    cached_ -= b.mapped;
    evictions_++;
    lru_.pop_front();
  }

  static void* Map(size_t mapped) {
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }

  std::mutex mu_;
  std::list<FreeBlock> lru_;  // front: freed longest ago
  std::multimap<size_t, std::list<FreeBlock>::iterator> bySize_;
  size_t inUse_ = 0, cached_ = 0, peakInUse_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

// Never destroyed: tensors may be freed during process exit, after static destructors have run.
Cache& TheCache() {
  static Cache* cache = new Cache();
  return *cache;
}

void Free(void* data) {
  if (data == nullptr) return;
  void* base = static_cast<char*>(data) - kHeader;
  auto* h = static_cast<Header*>(base);
  if (h->magic == kLarge) {
    h->magic = 0;
    TheCache().Give(base, h->mapped);
  } else if (h->magic == kSmall) {
    h->magic = 0;
    std::free(base);
  } else {
    std::free(data);  // not ours: libtorch's default CPU allocator (posix_memalign) made it
  }
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t n) const override {
    if (n == 0) return {nullptr, nullptr, &Free, c10::Device(c10::DeviceType::CPU)};
    void* base = nullptr;
    if (n > (size_t(1) << 62)) {
      base = nullptr;  // absurd: would overflow the rounding below
    } else if (n >= kLargeFrom) {
      size_t mapped = (n + kHeader + kPage - 1) / kPage * kPage;
      base = TheCache().Take(mapped);
    } else if (posix_memalign(&base, kHeader, n + kHeader) == 0) {
      static_cast<Header*>(base)->magic = kSmall;
    } else {
      base = nullptr;
    }
    // worded like libtorch's own allocator, whose message users and EngineError.outOfMemory know
    TORCH_CHECK(base != nullptr, "CPU allocator: can't allocate memory: you tried to allocate ", n, " bytes.");
    void* data = static_cast<char*>(base) + kHeader;
    return {data, data, &Free, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &Free; }
};

bool enabled = false;

}  // namespace

void InstallCpuCache() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* v = std::getenv("VESALIUS_CPU_CACHE");
    if (v != nullptr && std::strcmp(v, "0") == 0) return;
    static CachingCpuAllocator* allocator = new CachingCpuAllocator();
    c10::SetCPUAllocator(allocator, /*priority=*/1);
    enabled = true;
  });
}

bool CpuCacheEnabled() { return enabled; }
CpuCacheStats GetCpuCacheStats() { return TheCache().Stats(); }
size_t EmptyCpuCache() { return TheCache().Empty(); }

}  // namespace ves
