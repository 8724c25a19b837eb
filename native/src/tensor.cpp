// Tensor lifetime, data in/out, metadata, autograd state, and process-wide settings.
#include "common.h"

#include "allocator.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ves {
namespace {

// fromBuffer(typedArray, shape, dtypeCode, device?, requiresGrad?) — copies the bytes in.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "argument 1 must be a typed array");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  auto shape = Ints(info, 1);
  auto dtype = DTypeOf(Int(info, 2));
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  size_t expected = static_cast<size_t>(t.numel()) * t.element_size();
  if (ta.ByteLength() != expected)
    throw Napi::RangeError::New(info.Env(), "data holds " + std::to_string(ta.ByteLength()) + " bytes but shape and dtype need " +
                                                std::to_string(expected));
  if (expected > 0) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), expected);
  at::Device device = DeviceOf(info, 3);
  if (!device.is_cpu()) t = t.to(device);
  if (!IsAbsent(info, 4) && Bool(info, 4)) t.requires_grad_(true);
  return Wrap(info.Env(), t);
}

// toBuffer(t) → ArrayBuffer holding a contiguous copy of the values.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0).detach();
  if (!t.device().is_cpu()) t = t.to(at::kCPU);
  t = t.contiguous();
  size_t n = static_cast<size_t>(t.numel()) * t.element_size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
  if (n > 0) std::memcpy(buf.Data(), t.data_ptr(), n);
  return buf;
}

// shareBuffer(t) → ArrayBuffer over the tensor's own memory (no copy). Only for CPU tensors laid out
// contiguously; the buffer keeps the storage alive until it is garbage-collected.
Napi::Value ShareBuffer(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0).detach();
  if (!t.device().is_cpu()) throw std::invalid_argument("shareBuffer: the tensor is on " + t.device().str() + ", not the CPU");
  if (!t.is_contiguous()) throw std::invalid_argument("shareBuffer: the tensor is not contiguous (call contiguous() first)");
  size_t n = static_cast<size_t>(t.numel()) * t.element_size();
  if (n == 0) return Napi::ArrayBuffer::New(info.Env(), 0);
  auto* keeper = new at::Tensor(t);
  return Napi::ArrayBuffer::New(info.Env(), keeper->data_ptr(), n, [](Napi::Env, void*, at::Tensor* k) { delete k; }, keeper);
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "argument 1 must be a tensor");
  ves::Dispose(info.Env(), info[0]);
  return info.Env().Undefined();
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  Napi::Array a = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(t.size(i))));
  return a;
}

Napi::Value Strides(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  Napi::Array a = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(t.stride(i))));
  return a;
}

Napi::Value DType(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(CodeOf(T(info, 0).scalar_type()))); }
Napi::Value Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), T(info, 0).device().str()); }
Napi::Value Item(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), T(info, 0).item<double>()); }
Napi::Value RequiresGrad(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).requires_grad()); }
Napi::Value IsLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).is_leaf()); }

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  T(info, 0).requires_grad_(Bool(info, 1));
  return info.Env().Undefined();
}

Napi::Value Grad(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).grad()); }

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  auto g = OptT(info, 1);
  T(info, 0).mutable_grad() = g ? *g : at::Tensor();
  return info.Env().Undefined();
}

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  T(info, 0).retain_grad();
  return info.Env().Undefined();
}

// backward(t, grad?, retainGraph?, createGraph?)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  auto g = OptT(info, 1);
  c10::optional<bool> retain;
  if (!IsAbsent(info, 2)) retain = Bool(info, 2);
  bool create = !IsAbsent(info, 3) && Bool(info, 3);
  T(info, 0).backward(g ? *g : at::Tensor(), retain, create);
  return info.Env().Undefined();
}

// to(t, device|null, dtypeCode|null, copy)
Napi::Value To(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  at::Device device = IsAbsent(info, 1) ? t.device() : DeviceOf(info, 1);
  at::ScalarType dtype = IsAbsent(info, 2) ? t.scalar_type() : DTypeOf(Int(info, 2));
  bool copy = !IsAbsent(info, 3) && Bool(info, 3);
  return Wrap(info.Env(), t.to(device, dtype, /*non_blocking=*/false, copy));
}

Napi::Value Clone(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).clone()); }
Napi::Value Detach(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).detach()); }

at::MemoryFormat FormatOf(int64_t code) {
  switch (code) {
    case 0: return at::MemoryFormat::Contiguous;
    case 1: return at::MemoryFormat::ChannelsLast;
    case 2: return at::MemoryFormat::ChannelsLast3d;
    case 3: return at::MemoryFormat::Preserve;
  }
  throw std::invalid_argument("unknown memory format code " + std::to_string(code));
}

// contiguous(t, formatCode?) — returns the same tensor (no copy) when already in that layout.
Napi::Value Contiguous(const Napi::CallbackInfo& info) {
  auto fmt = IsAbsent(info, 1) ? at::MemoryFormat::Contiguous : FormatOf(Int(info, 1));
  return Wrap(info.Env(), T(info, 0).contiguous(fmt));
}

Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  auto fmt = IsAbsent(info, 1) ? at::MemoryFormat::Contiguous : FormatOf(Int(info, 1));
  return Napi::Boolean::New(info.Env(), T(info, 0).is_contiguous(fmt));
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  c10::GradMode::set_enabled(Bool(info, 0));
  return info.Env().Undefined();
}
Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled()); }

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(Int(info, 0)));
  return info.Env().Undefined();
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  at::manual_seed(static_cast<uint64_t>(Int(info, 0)));
  return info.Env().Undefined();
}

// The CPU generator's state (a uint8 tensor), so a resumed training run draws the same dropout masks.
Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Wrap(info.Env(), gen.get_state());
}

Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  const at::Tensor& state = T(info, 0);
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? static_cast<double>(at::detail::getCUDAHooks().getNumGPUs()) : 0.0);
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  AddonData& d = Data(info.Env());
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("liveTensors", Napi::Number::New(info.Env(), static_cast<double>(d.liveTensors)));
  o.Set("liveBytes", Napi::Number::New(info.Env(), static_cast<double>(d.liveBytes)));
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
  struct mallinfo2 mi = mallinfo2();
  o.Set("mallocInUse", Napi::Number::New(info.Env(), static_cast<double>(mi.uordblks + mi.hblkhd)));
#endif
  if (CpuCacheEnabled()) {
    CpuCacheStats c = GetCpuCacheStats();
    Napi::Object co = Napi::Object::New(info.Env());
    co.Set("inUseBytes", Napi::Number::New(info.Env(), static_cast<double>(c.inUse)));
    co.Set("cachedBytes", Napi::Number::New(info.Env(), static_cast<double>(c.cached)));
    co.Set("peakInUseBytes", Napi::Number::New(info.Env(), static_cast<double>(c.peakInUse)));
    co.Set("hits", Napi::Number::New(info.Env(), static_cast<double>(c.hits)));
    co.Set("misses", Napi::Number::New(info.Env(), static_cast<double>(c.misses)));
    co.Set("evictions", Napi::Number::New(info.Env(), static_cast<double>(c.evictions)));
    o.Set("cpuCache", co);
  }
  return o;
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(EmptyCpuCache()));
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "argument 1 must be a class");
  Data(info.Env()).errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("torch", Napi::String::New(info.Env(), TORCH_VERSION));
  o.Set("parallel", Napi::String::New(info.Env(), at::get_parallel_info()));
  o.Set("config", Napi::String::New(info.Env(), at::show_config()));
  return o;
}

// setAutocast(enabled, dtypeCode) for the CPU (bfloat16 mixed precision on CPUs that have it).
Napi::Value SetAutocast(const Napi::CallbackInfo& info) {
  bool on = Bool(info, 0);
  if (!IsAbsent(info, 1)) at::autocast::set_autocast_cpu_dtype(DTypeOf(Int(info, 1)));
  at::autocast::set_cpu_enabled(on);
  if (!on) at::autocast::clear_cache();
  return info.Env().Undefined();
}
Napi::Value IsAutocast(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::autocast::is_cpu_enabled()); }

}  // namespace

void RegisterTensor(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "fromBuffer", FromBuffer);
  VES_DEF(e, "toBuffer", ToBuffer);
  VES_DEF(e, "dispose", Dispose);
  VES_DEF(e, "shareBuffer", ShareBuffer);
  VES_DEF(e, "shape", Shape);
  VES_DEF(e, "strides", Strides);
  VES_DEF(e, "dtype", DType);
  VES_DEF(e, "device", Device);
  VES_DEF(e, "item", Item);
  VES_DEF(e, "requiresGrad", RequiresGrad);
  VES_DEF(e, "setRequiresGrad", SetRequiresGrad);
  VES_DEF(e, "isLeaf", IsLeaf);
  VES_DEF(e, "grad", Grad);
  VES_DEF(e, "setGrad", SetGrad);
  VES_DEF(e, "retainGrad", RetainGrad);
  VES_DEF(e, "backward", Backward);
  VES_DEF(e, "to", To);
  VES_DEF(e, "clone", Clone);
  VES_DEF(e, "detach", Detach);
  VES_DEF(e, "contiguous", Contiguous);
  VES_DEF(e, "isContiguous", IsContiguous);
  VES_DEF(e, "setGradEnabled", SetGradEnabled);
  VES_DEF(e, "isGradEnabled", IsGradEnabled);
  VES_DEF(e, "setNumThreads", SetNumThreads);
  VES_DEF(e, "getNumThreads", GetNumThreads);
  VES_DEF(e, "manualSeed", ManualSeed);
  VES_DEF(e, "getRngState", GetRngState);
  VES_DEF(e, "setRngState", SetRngState);
  VES_DEF(e, "cudaDeviceCount", CudaDeviceCount);
  VES_DEF(e, "stats", Stats);
  VES_DEF(e, "emptyCache", EmptyCache);
  VES_DEF(e, "setErrorClass", SetErrorClass);
  VES_DEF(e, "version", Version);
  VES_DEF(e, "setAutocast", SetAutocast);
  VES_DEF(e, "isAutocast", IsAutocast);
}

// Only without the caching allocator (VESALIUS_CPU_CACHE=0): glibc returns freed tensor memory to the
// kernel eagerly (trimming the heap, unmapping anything over its mmap threshold), so every training step
// page-faults its activations in again. Keeping allocations under 64 MiB on the heap and trimming only
// above 512 MiB of free memory cuts the faults about threefold, at the price of heap fragmentation over
// many steps (which the caching allocator avoids). VESALIUS_MALLOC_TUNING=0 leaves malloc alone.
void TuneMalloc() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    const char* v = std::getenv("VESALIUS_MALLOC_TUNING");
    if (v != nullptr && std::strcmp(v, "0") == 0) return;
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  });
#endif
}

}  // namespace ves

// Context-aware: runs once per main thread / worker thread that loads the addon.
NAPI_MODULE_INIT() {
  Napi::Env e(env);
  ves::InstallCpuCache();
  if (!ves::CpuCacheEnabled()) ves::TuneMalloc();
  ves::AttachAddonData(e);
  Napi::Object ex(env, exports);
  ves::RegisterTensor(e, ex);
  ves::RegisterCreation(e, ex);
  ves::RegisterMath(e, ex);
  ves::RegisterReduce(e, ex);
  ves::RegisterShape(e, ex);
  ves::RegisterNN(e, ex);
  ves::RegisterLoss(e, ex);
  ves::RegisterAsync(e, ex);
  ves::RegisterQuantized(e, ex);
  ves::RegisterDistributed(e, ex);
  return exports;
}
