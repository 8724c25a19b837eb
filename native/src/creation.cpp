// Tensor creation. Shape-taking functions read (shape, dtypeCode?, device?, requiresGrad?, ...).
#include "common.h"

namespace ves {
namespace {

Napi::Value Finish(const Napi::CallbackInfo& info, at::Tensor t, size_t requiresGradArg) {
  if (!IsAbsent(info, requiresGradArg) && Bool(info, requiresGradArg)) t.requires_grad_(true);
  return Wrap(info.Env(), std::move(t));
}

Napi::Value Zeros(const Napi::CallbackInfo& info) { return Finish(info, at::zeros(Ints(info, 0), Options(info, 1, 2)), 3); }
Napi::Value Ones(const Napi::CallbackInfo& info) { return Finish(info, at::ones(Ints(info, 0), Options(info, 1, 2)), 3); }
Napi::Value Empty(const Napi::CallbackInfo& info) { return Finish(info, at::empty(Ints(info, 0), Options(info, 1, 2)), 3); }
Napi::Value Rand(const Napi::CallbackInfo& info) { return Finish(info, at::rand(Ints(info, 0), Options(info, 1, 2)), 3); }
Napi::Value Randn(const Napi::CallbackInfo& info) { return Finish(info, at::randn(Ints(info, 0), Options(info, 1, 2)), 3); }

// full(shape, value, dtype?, device?, requiresGrad?)
Napi::Value Full(const Napi::CallbackInfo& info) { return Finish(info, at::full(Ints(info, 0), Scal(info, 1), Options(info, 2, 3)), 4); }

// randint(low, high, shape, dtype?, device?) — dtype defaults to int64.
Napi::Value Randint(const Napi::CallbackInfo& info) {
  auto o = at::TensorOptions().device(DeviceOf(info, 4)).dtype(IsAbsent(info, 3) ? at::kLong : DTypeOf(Int(info, 3)));
  return Wrap(info.Env(), at::randint(Int(info, 0), Int(info, 1), Ints(info, 2), o));
}

// arange(start, end, step, dtype?, device?) — dtype defaults to int64 for integer arguments, else float32.
Napi::Value Arange(const Napi::CallbackInfo& info) {
  at::Scalar start = Scal(info, 0), end = Scal(info, 1), step = Scal(info, 2);
  at::ScalarType dt;
  if (!IsAbsent(info, 3)) dt = DTypeOf(Int(info, 3));
  else dt = (start.isIntegral(false) && end.isIntegral(false) && step.isIntegral(false)) ? at::kLong : at::kFloat;
  return Wrap(info.Env(), at::arange(start, end, step, at::TensorOptions().dtype(dt).device(DeviceOf(info, 4))));
}

// linspace(start, end, steps, dtype?, device?)
Napi::Value Linspace(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::linspace(Scal(info, 0), Scal(info, 1), Int(info, 2), Options(info, 3, 4)));
}

// eye(n, m, dtype?, device?)
Napi::Value Eye(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::eye(Int(info, 0), Int(info, 1), Options(info, 2, 3))); }

// fullLike(t, value, dtype?) / zerosLike(t, dtype?) / onesLike(t, dtype?) / randLike / randnLike
c10::optional<at::ScalarType> LikeType(const Napi::CallbackInfo& info, size_t i) { return OptDType(info, i); }
Napi::Value ZerosLike(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::zeros_like(T(info, 0), at::TensorOptions().dtype(LikeType(info, 1))));
}
Napi::Value OnesLike(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::ones_like(T(info, 0), at::TensorOptions().dtype(LikeType(info, 1))));
}
Napi::Value FullLike(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::full_like(T(info, 0), Scal(info, 1), at::TensorOptions().dtype(LikeType(info, 2))));
}
Napi::Value RandLike(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::rand_like(T(info, 0), at::TensorOptions().dtype(LikeType(info, 1))));
}
Napi::Value RandnLike(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randn_like(T(info, 0), at::TensorOptions().dtype(LikeType(info, 1))));
}

// Random in-place fills (no autograd; for initialisers): uniform_(t, lo, hi), normal_(t, mean, std)
Napi::Value Uniform_(const Napi::CallbackInfo& info) {
  T(info, 0).uniform_(Num(info, 1), Num(info, 2));
  return info[0];
}
Napi::Value Normal_(const Napi::CallbackInfo& info) {
  T(info, 0).normal_(Num(info, 1), Num(info, 2));
  return info[0];
}
Napi::Value Bernoulli(const Napi::CallbackInfo& info) {
  if (info.Length() > 1 && info[1].IsNumber()) return Wrap(info.Env(), at::bernoulli(T(info, 0), Num(info, 1)));
  return Wrap(info.Env(), at::bernoulli(T(info, 0)));
}
Napi::Value Multinomial(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::multinomial(T(info, 0), Int(info, 1), Bool(info, 2)));
}
Napi::Value Randperm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randperm(Int(info, 0), at::TensorOptions().dtype(at::kLong).device(DeviceOf(info, 1))));
}

}  // namespace

void RegisterCreation(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "zeros", Zeros);
  VES_DEF(e, "ones", Ones);
  VES_DEF(e, "empty", Empty);
  VES_DEF(e, "rand", Rand);
  VES_DEF(e, "randn", Randn);
  VES_DEF(e, "full", Full);
  VES_DEF(e, "randint", Randint);
  VES_DEF(e, "arange", Arange);
  VES_DEF(e, "linspace", Linspace);
  VES_DEF(e, "eye", Eye);
  VES_DEF(e, "zerosLike", ZerosLike);
  VES_DEF(e, "onesLike", OnesLike);
  VES_DEF(e, "fullLike", FullLike);
  VES_DEF(e, "randLike", RandLike);
  VES_DEF(e, "randnLike", RandnLike);
  VES_DEF(e, "uniform_", Uniform_);
  VES_DEF(e, "normal_", Normal_);
  VES_DEF(e, "bernoulli", Bernoulli);
  VES_DEF(e, "multinomial", Multinomial);
  VES_DEF(e, "randperm", Randperm);
}

}  // namespace ves
