// Shared by every translation unit: the tensor handle, argument readers and the error guard.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ves {

// What JavaScript holds for a tensor: an empty object wrapping this (napi_wrap). dispose() frees the
// tensor and removes the wrap at once, so Node-API keeps nothing for a disposed handle (a finalizer
// would keep ~100 bytes until the event loop turns); the garbage collector frees forgotten ones.
struct Handle {
  static constexpr uint64_t kMagic = 0x56455341'4c495553ull;  // "VESALIUS"
  uint64_t magic = kMagic;
  at::Tensor t;
  int64_t bytes = 0;  // reported to V8 as external memory while the tensor is alive
};

// Per-context state (the addon is context-aware: one of these per main thread / worker thread).
struct AddonData {
  Napi::FunctionReference errorClass;  // EngineError, set from JavaScript at load
  int64_t liveTensors = 0;
  int64_t liveBytes = 0;
  int64_t reportedBytes = 0;  // external memory currently reported to V8
};

AddonData& Data(Napi::Env env);
void AttachAddonData(Napi::Env env);

// Wraps a tensor for JavaScript. An undefined tensor becomes null.
Napi::Value Wrap(Napi::Env env, at::Tensor t);
Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts);
void Dispose(Napi::Env env, Napi::Value v);  // frees the tensor and the Handle, unwraps the object
Handle* HandleOf(const Napi::Value& v);      // nullptr unless a live tensor handle

// Argument readers; each throws a TypeError naming the argument position when the value is wrong.
Handle* GetHandle(const Napi::CallbackInfo& info, size_t i);
const at::Tensor& T(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> TList(const Napi::CallbackInfo& info, size_t i);
int64_t Int(const Napi::CallbackInfo& info, size_t i);
c10::optional<int64_t> OptInt(const Napi::CallbackInfo& info, size_t i);
double Num(const Napi::CallbackInfo& info, size_t i);
c10::optional<double> OptNum(const Napi::CallbackInfo& info, size_t i);
bool Bool(const Napi::CallbackInfo& info, size_t i);
std::string Str(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i);
c10::optional<std::vector<int64_t>> OptInts(const Napi::CallbackInfo& info, size_t i);
std::vector<double> Nums(const Napi::CallbackInfo& info, size_t i);
// A JS number: an integral value becomes an integer scalar (like a Python int), else a double.
at::Scalar ScalarOf(const Napi::Value& v);
at::Scalar Scal(const Napi::CallbackInfo& info, size_t i);
bool IsHandle(const Napi::Value& v);
bool IsAbsent(const Napi::CallbackInfo& info, size_t i);

// dtype codes shared with src/engine/dtype.ts
at::ScalarType DTypeOf(int64_t code);
int64_t CodeOf(at::ScalarType t);
c10::optional<at::ScalarType> OptDType(const Napi::CallbackInfo& info, size_t i);
at::Device DeviceOf(const Napi::CallbackInfo& info, size_t i);  // absent → CPU
at::TensorOptions Options(const Napi::CallbackInfo& info, size_t dtypeArg, size_t deviceArg);

[[noreturn]] void ThrowEngine(Napi::Env env, const std::string& message);
std::string CleanMessage(const c10::Error& e);

// Every exported function runs inside this guard: libtorch errors become EngineError exceptions.
template <Napi::Function::Callback F>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    ThrowEngine(info.Env(), CleanMessage(e));
  } catch (const std::exception& e) {
    ThrowEngine(info.Env(), e.what());
  }
}

#define VES_DEF(exports, name, fn) \
  (exports).Set(name, Napi::Function::New<::ves::Guarded<fn>>((exports).Env(), name))

// Registration of each translation unit's functions.
void RegisterTensor(Napi::Env env, Napi::Object exports);
void RegisterCreation(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNN(Napi::Env env, Napi::Object exports);
void RegisterLoss(Napi::Env env, Napi::Object exports);
void RegisterAsync(Napi::Env env, Napi::Object exports);
void RegisterQuantized(Napi::Env env, Napi::Object exports);
void RegisterDistributed(Napi::Env env, Napi::Object exports);

}  // namespace ves
