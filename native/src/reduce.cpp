// Reductions. Dimension arguments are an integer, an array of integers, or null for "all".
#include "common.h"

namespace ves {
namespace {

bool Keep(const Napi::CallbackInfo& info, size_t i) { return !IsAbsent(info, i) && Bool(info, i); }

// sum(x, dims?, keepdim?, dtype?)
Napi::Value Sum(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto dims = OptInts(info, 1);
  if (!dims) return Wrap(info.Env(), at::sum(x, OptDType(info, 3)));
  return Wrap(info.Env(), at::sum(x, *dims, Keep(info, 2), OptDType(info, 3)));
}

Napi::Value Mean(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto dims = OptInts(info, 1);
  if (!dims) return Wrap(info.Env(), at::mean(x, OptDType(info, 3)));
  return Wrap(info.Env(), at::mean(x, *dims, Keep(info, 2), OptDType(info, 3)));
}

// prod(x, dim?, keepdim?)
Napi::Value Prod(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto dim = OptInt(info, 1);
  if (!dim) return Wrap(info.Env(), at::prod(x));
  return Wrap(info.Env(), at::prod(x, *dim, Keep(info, 2)));
}

// max(x, dim?, keepdim?) → tensor, or [values, indices] when dim is given
Napi::Value Max(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto dim = OptInt(info, 1);
  if (!dim) return Wrap(info.Env(), at::max(x));
  auto r = at::max(x, *dim, Keep(info, 2));
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

Napi::Value Min(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto dim = OptInt(info, 1);
  if (!dim) return Wrap(info.Env(), at::min(x));
  auto r = at::min(x, *dim, Keep(info, 2));
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

Napi::Value Argmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::argmax(T(info, 0), OptInt(info, 1), Keep(info, 2))); }
Napi::Value Argmin(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::argmin(T(info, 0), OptInt(info, 1), Keep(info, 2))); }

// amax(x, dims, keepdim) / amin
Napi::Value Amax(const Napi::CallbackInfo& info) {
  auto dims = OptInts(info, 1);
  return Wrap(info.Env(), at::amax(T(info, 0), dims ? *dims : std::vector<int64_t>{}, Keep(info, 2)));
}
Napi::Value Amin(const Napi::CallbackInfo& info) {
  auto dims = OptInts(info, 1);
  return Wrap(info.Env(), at::amin(T(info, 0), dims ? *dims : std::vector<int64_t>{}, Keep(info, 2)));
}

// std(x, dims?, correction, keepdim?) / var — correction 1 is the unbiased estimator
Napi::Value Std(const Napi::CallbackInfo& info) {
  auto dims = OptInts(info, 1);
  at::OptionalIntArrayRef d = dims ? at::OptionalIntArrayRef(*dims) : c10::nullopt;
  return Wrap(info.Env(), at::std(T(info, 0), d, c10::optional<int64_t>(OptInt(info, 2).value_or(1)), Keep(info, 3)));
}
Napi::Value Var(const Napi::CallbackInfo& info) {
  auto dims = OptInts(info, 1);
  at::OptionalIntArrayRef d = dims ? at::OptionalIntArrayRef(*dims) : c10::nullopt;
  return Wrap(info.Env(), at::var(T(info, 0), d, c10::optional<int64_t>(OptInt(info, 2).value_or(1)), Keep(info, 3)));
}

Napi::Value Logsumexp(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::logsumexp(T(info, 0), Ints(info, 1), Keep(info, 2)));
}

// norm(x, p, dims?, keepdim?)
Napi::Value Norm(const Napi::CallbackInfo& info) {
  auto dims = OptInts(info, 2);
  if (!dims) return Wrap(info.Env(), at::norm(T(info, 0), Scal(info, 1)));
  return Wrap(info.Env(), at::norm(T(info, 0), Scal(info, 1), *dims, Keep(info, 3)));
}

Napi::Value All(const Napi::CallbackInfo& info) {
  auto dim = OptInt(info, 1);
  if (!dim) return Wrap(info.Env(), at::all(T(info, 0)));
  return Wrap(info.Env(), at::all(T(info, 0), *dim, Keep(info, 2)));
}
Napi::Value Any(const Napi::CallbackInfo& info) {
  auto dim = OptInt(info, 1);
  if (!dim) return Wrap(info.Env(), at::any(T(info, 0)));
  return Wrap(info.Env(), at::any(T(info, 0), *dim, Keep(info, 2)));
}

Napi::Value Cumsum(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::cumsum(T(info, 0), Int(info, 1))); }
Napi::Value CountNonzero(const Napi::CallbackInfo& info) {
  auto dims = OptInts(info, 1);
  return Wrap(info.Env(), at::count_nonzero(T(info, 0), dims ? *dims : std::vector<int64_t>{}));
}

// sort(x, dim, descending) → [values, indices]; topk(x, k, dim, largest, sorted) → [values, indices]
Napi::Value Sort(const Napi::CallbackInfo& info) {
  auto r = at::sort(T(info, 0), Int(info, 1), Bool(info, 2));
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}
Napi::Value Topk(const Napi::CallbackInfo& info) {
  auto r = at::topk(T(info, 0), Int(info, 1), Int(info, 2), Bool(info, 3), true);
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}
Napi::Value Unique(const Napi::CallbackInfo& info) {
  auto r = at::_unique2(T(info, 0), true, false, true);
  return WrapList(info.Env(), {std::get<0>(r), std::get<2>(r)});
}
Napi::Value Bincount(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::bincount(T(info, 0), OptT(info, 1), OptInt(info, 2).value_or(0)));
}

// quantile(x, qTensor|number, dim?, keepdim, interpolation)
Napi::Value Quantile(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  std::string interp = IsAbsent(info, 4) ? "linear" : Str(info, 4);
  if (IsHandle(info[1])) return Wrap(info.Env(), at::quantile(x, T(info, 1), OptInt(info, 2), Keep(info, 3), interp));
  return Wrap(info.Env(), at::quantile(x, Num(info, 1), OptInt(info, 2), Keep(info, 3), interp));
}

// median(x, dim?, keepdim) → tensor, or [values, indices] along dim (the lower median, like PyTorch)
Napi::Value Median(const Napi::CallbackInfo& info) {
  auto dim = OptInt(info, 1);
  if (!dim) return Wrap(info.Env(), at::median(T(info, 0)));
  auto r = at::median(T(info, 0), *dim, Keep(info, 2));
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

// histc(x, bins, min, max)
Napi::Value Histc(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::histc(T(info, 0), Int(info, 1), Num(info, 2), Num(info, 3))); }

Napi::Value Allclose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::allclose(T(info, 0), T(info, 1), Num(info, 2), Num(info, 3), Bool(info, 4)));
}
Napi::Value Isclose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::isclose(T(info, 0), T(info, 1), Num(info, 2), Num(info, 3), Bool(info, 4)));
}
Napi::Value Equal(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::equal(T(info, 0), T(info, 1))); }

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "sum", Sum);
  VES_DEF(e, "mean", Mean);
  VES_DEF(e, "prod", Prod);
  VES_DEF(e, "max", Max);
  VES_DEF(e, "min", Min);
  VES_DEF(e, "argmax", Argmax);
  VES_DEF(e, "argmin", Argmin);
  VES_DEF(e, "amax", Amax);
  VES_DEF(e, "amin", Amin);
  VES_DEF(e, "std", Std);
  VES_DEF(e, "var", Var);
  VES_DEF(e, "logsumexp", Logsumexp);
  VES_DEF(e, "norm", Norm);
  VES_DEF(e, "all", All);
  VES_DEF(e, "any", Any);
  VES_DEF(e, "cumsum", Cumsum);
  VES_DEF(e, "countNonzero", CountNonzero);
  VES_DEF(e, "sort", Sort);
  VES_DEF(e, "topk", Topk);
  VES_DEF(e, "unique", Unique);
  VES_DEF(e, "bincount", Bincount);
  VES_DEF(e, "quantile", Quantile);
  VES_DEF(e, "median", Median);
  VES_DEF(e, "histc", Histc);
  VES_DEF(e, "allclose", Allclose);
  VES_DEF(e, "isclose", Isclose);
  VES_DEF(e, "equal", Equal);
}

}  // namespace ves
