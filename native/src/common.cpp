#include "common.h"

#include <cstdlib>

namespace ves {

AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

// Each context lives on its own thread; once its AddonData is gone (context teardown), finalizers
// that still run must not touch it.
static thread_local bool contextAlive = false;

static void DropAddonData(Napi::Env, AddonData* d) {
  contextAlive = false;
  delete d;
}

void AttachAddonData(Napi::Env env) {
  contextAlive = true;
  env.SetInstanceData<AddonData, DropAddonData>(new AddonData());
}

// Tensor memory is reported to V8 only beyond a slack (1 GiB; VESALIUS_GC_SLACK_MB overrides): every
// training step creates and frees hundreds of MB of activations, and reporting them all makes V8 run a
// full GC several times per step (~40 ms per small U-Net step). Above the slack, forgotten (never
// disposed) tensors still create GC pressure, so the collector frees them.
static int64_t UnreportedSlack() {
  static const int64_t slack = [] {
    const char* v = std::getenv("VESALIUS_GC_SLACK_MB");
    return (v != nullptr && *v != 0) ? std::max<int64_t>(0, std::atoll(v)) << 20 : int64_t(1) << 30;
  }();
  return slack;
}

static void Account(Napi::Env env, int64_t liveDelta, int64_t bytesDelta) {
  if (!contextAlive) return;
  AddonData& d = Data(env);
  d.liveTensors += liveDelta;
  d.liveBytes += bytesDelta;
  int64_t target = std::max<int64_t>(0, d.liveBytes - UnreportedSlack());
  if (target != d.reportedBytes) {
    int64_t ignored = 0;  // raw call: may fail harmlessly while a worker thread is being torn down
    napi_adjust_external_memory(env, target - d.reportedBytes, &ignored);
    d.reportedBytes = target;
  }
}

// Frees a handle's tensor and the handle itself, and takes its bytes off the account.
static void Destroy(Napi::Env env, Handle* h) {
  int64_t bytes = h->bytes;
  delete h;
  Account(env, -1, -bytes);
}

// Called by the garbage collector for a handle that was never disposed (dispose() removes the wrap, so
// this never runs for it, and Node-API keeps no bookkeeping for it after that).
static void FinalizeHandle(napi_env env, void* data, void*) {
  try {
    Destroy(Napi::Env(env), static_cast<Handle*>(data));
  } catch (...) {  // a finalizer must not throw (context teardown)
  }
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  auto* h = new Handle();
  h->bytes = t.numel() * static_cast<int64_t>(t.element_size());
  h->t = std::move(t);
  Account(env, 1, h->bytes);
  napi_value obj = nullptr;
  if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, h, FinalizeHandle, nullptr, nullptr) != napi_ok) {
    Destroy(env, h);
    throw Napi::Error::New(env, "could not create a tensor handle");
  }
  return Napi::Value(env, obj);
}

Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array out = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) out.Set(static_cast<uint32_t>(i), Wrap(env, ts[i]));
  return out;
}

void Dispose(Napi::Env env, Napi::Value v) {
  Handle* h = HandleOf(v);
  if (h == nullptr) return;  // already disposed (or never a tensor: the caller checks)
  void* ignored = nullptr;
  napi_remove_wrap(env, v, &ignored);
  Destroy(env, h);
}

Handle* HandleOf(const Napi::Value& v) {
  if (!v.IsObject()) return nullptr;
  void* p = nullptr;
  if (napi_unwrap(v.Env(), v, &p) != napi_ok || p == nullptr) return nullptr;
  auto* h = static_cast<Handle*>(p);
  return h->magic == Handle::kMagic ? h : nullptr;
}

static std::string Position(size_t i) { return "argument " + std::to_string(i + 1); }

static Napi::Error TypeErr(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return Napi::TypeError::New(info.Env(), Position(i) + " must be " + what);
}

bool IsHandle(const Napi::Value& v) { return HandleOf(v) != nullptr; }

bool IsAbsent(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsUndefined() || info[i].IsNull();
}

Handle* GetHandle(const Napi::CallbackInfo& info, size_t i) {
  Handle* h = i < info.Length() ? HandleOf(info[i]) : nullptr;
  if (h == nullptr) throw TypeErr(info, i, "a tensor (not disposed)");
  return h;
}

const at::Tensor& T(const Napi::CallbackInfo& info, size_t i) { return GetHandle(info, i)->t; }

c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return c10::nullopt;
  return T(info, i);
}

std::vector<at::Tensor> TList(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) throw TypeErr(info, i, "an array of tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Handle* h = HandleOf(a.Get(k));
    if (h == nullptr) throw TypeErr(info, i, "an array of tensors (not disposed)");
    out.push_back(h->t);
  }
  return out;
}

int64_t Int(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) throw TypeErr(info, i, "a number");
  return info[i].As<Napi::Number>().Int64Value();
}

c10::optional<int64_t> OptInt(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return c10::nullopt;
  return Int(info, i);
}

double Num(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) throw TypeErr(info, i, "a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

c10::optional<double> OptNum(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return c10::nullopt;
  return Num(info, i);
}

bool Bool(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw TypeErr(info, i, "a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string Str(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsString()) throw TypeErr(info, i, "a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && info[i].IsNumber()) return {Int(info, i)};
  if (i >= info.Length() || !info[i].IsArray()) throw TypeErr(info, i, "an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw TypeErr(info, i, "an array of integers");
    out[k] = v.As<Napi::Number>().Int64Value();
  }
  return out;
}

c10::optional<std::vector<int64_t>> OptInts(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return c10::nullopt;
  return Ints(info, i);
}

std::vector<double> Nums(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && info[i].IsNumber()) return {Num(info, i)};
  if (i >= info.Length() || !info[i].IsArray()) throw TypeErr(info, i, "an array of numbers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<double> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw TypeErr(info, i, "an array of numbers");
    out[k] = v.As<Napi::Number>().DoubleValue();
  }
  return out;
}

at::Scalar ScalarOf(const Napi::Value& v) {
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.007199254740992e15)
    return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

at::Scalar Scal(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !(info[i].IsNumber() || info[i].IsBoolean())) throw TypeErr(info, i, "a number");
  return ScalarOf(info[i]);
}

at::ScalarType DTypeOf(int64_t code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kDouble;
    case 2: return at::kHalf;
    case 3: return at::kBFloat16;
    case 4: return at::kLong;
    case 5: return at::kInt;
    case 6: return at::kByte;
    case 7: return at::kBool;
    case 8: return at::kShort;
    case 9: return at::kChar;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(code));
}

int64_t CodeOf(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return 0;
    case at::kDouble: return 1;
    case at::kHalf: return 2;
    case at::kBFloat16: return 3;
    case at::kLong: return 4;
    case at::kInt: return 5;
    case at::kByte: return 6;
    case at::kBool: return 7;
    case at::kShort: return 8;
    case at::kChar: return 9;
    default: break;
  }
  throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(t));
}

c10::optional<at::ScalarType> OptDType(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return c10::nullopt;
  return DTypeOf(Int(info, i));
}

at::Device DeviceOf(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return at::Device(at::kCPU);
  at::Device d(Str(info, i));
  if (d.is_cuda() && !at::hasCUDA())
    throw std::invalid_argument("device '" + d.str() + "' is not available: this libtorch build has no CUDA (build the addon against a CUDA libtorch: LIBTORCH=/path/to/torch npm run build:native)");
  return d;
}

at::TensorOptions Options(const Napi::CallbackInfo& info, size_t dtypeArg, size_t deviceArg) {
  at::TensorOptions o = at::TensorOptions().device(DeviceOf(info, deviceArg));
  auto dt = OptDType(info, dtypeArg);
  return o.dtype(dt ? *dt : at::kFloat);
}

std::string CleanMessage(const c10::Error& e) {
  std::string m = e.what_without_backtrace();
  // Drop the "Exception raised from ... (most recent call first)" trailer some builds append.
  auto cut = m.find("\nException raised from");
  if (cut != std::string::npos) m.erase(cut);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void ThrowEngine(Napi::Env env, const std::string& message) {
  AddonData& d = Data(env);
  if (!d.errorClass.IsEmpty()) {
    Napi::Object err = d.errorClass.New({Napi::String::New(env, message)});
    throw Napi::Error(env, err);
  }
  throw Napi::Error::New(env, message);
}

}  // namespace ves
