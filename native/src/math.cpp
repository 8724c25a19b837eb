// Elementwise arithmetic, comparisons, activations, matrix products and in-place updates.
#include "common.h"

#include <ATen/ScalarOps.h>

namespace ves {
namespace {

// A tensor or a JS number; numbers become "wrapped numbers" so type promotion treats them as
// Python scalars (an int tensor times 2 stays int; times 0.5 becomes float).
at::Tensor Operand(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && (info[i].IsNumber() || info[i].IsBoolean())) {
    at::Tensor s = c10::scalar_to_tensor(ScalarOf(info[i]));
    s.unsafeGetTensorImpl()->set_wrapped_number(true);
    return s;
  }
  return T(info, i);
}

at::Scalar AlphaArg(const Napi::CallbackInfo& info, size_t i) { return IsAbsent(info, i) ? at::Scalar(1) : Scal(info, i); }

#define VES_BINARY(Name, expr)                                     \
  Napi::Value Name(const Napi::CallbackInfo& info) {               \
    at::Tensor a = Operand(info, 0), b = Operand(info, 1);         \
    return Wrap(info.Env(), expr);                                 \
  }

VES_BINARY(Add, at::add(a, b, AlphaArg(info, 2)))
VES_BINARY(Sub, at::sub(a, b, AlphaArg(info, 2)))
VES_BINARY(Mul, at::mul(a, b))
VES_BINARY(Div, at::div(a, b))
VES_BINARY(FloorDiv, at::div(a, b, "floor"))
VES_BINARY(Pow, at::pow(a, b))
VES_BINARY(Remainder, at::remainder(a, b))
VES_BINARY(Maximum, at::maximum(a, b))
VES_BINARY(Minimum, at::minimum(a, b))
VES_BINARY(Atan2, at::atan2(a, b))
VES_BINARY(Eq, at::eq(a, b))
VES_BINARY(Ne, at::ne(a, b))
VES_BINARY(Lt, at::lt(a, b))
VES_BINARY(Le, at::le(a, b))
VES_BINARY(Gt, at::gt(a, b))
VES_BINARY(Ge, at::ge(a, b))
VES_BINARY(LogicalAnd, at::logical_and(a, b))
VES_BINARY(LogicalOr, at::logical_or(a, b))
VES_BINARY(LogicalXor, at::logical_xor(a, b))
VES_BINARY(Matmul, at::matmul(a, b))
VES_BINARY(Bmm, at::bmm(a, b))
VES_BINARY(Mm, at::mm(a, b))
VES_BINARY(Outer, at::outer(a, b))
VES_BINARY(Dot, at::dot(a, b))

#define VES_UNARY(Name, expr)                        \
  Napi::Value Name(const Napi::CallbackInfo& info) { \
    const at::Tensor& x = T(info, 0);                \
    return Wrap(info.Env(), expr);                   \
  }

VES_UNARY(Neg, at::neg(x))
VES_UNARY(Exp, at::exp(x))
VES_UNARY(Expm1, at::expm1(x))
VES_UNARY(Log, at::log(x))
VES_UNARY(Log1p, at::log1p(x))
VES_UNARY(Log2, at::log2(x))
VES_UNARY(Sqrt, at::sqrt(x))
VES_UNARY(Rsqrt, at::rsqrt(x))
VES_UNARY(Abs, at::abs(x))
VES_UNARY(Sign, at::sign(x))
VES_UNARY(Sin, at::sin(x))
VES_UNARY(Cos, at::cos(x))
VES_UNARY(Tan, at::tan(x))
VES_UNARY(Floor, at::floor(x))
VES_UNARY(Ceil, at::ceil(x))
VES_UNARY(Round, at::round(x))
VES_UNARY(Trunc, at::trunc(x))
VES_UNARY(Reciprocal, at::reciprocal(x))
VES_UNARY(Square, at::square(x))
VES_UNARY(Sigmoid, at::sigmoid(x))
VES_UNARY(Tanh, at::tanh(x))
VES_UNARY(Relu, at::relu(x))
VES_UNARY(Relu6, at::hardtanh(x, 0, 6))
VES_UNARY(Silu, at::silu(x))
VES_UNARY(Softplus, at::softplus(x))
VES_UNARY(Mish, at::mish(x))
VES_UNARY(LogSigmoid, at::log_sigmoid(x))
VES_UNARY(LogicalNot, at::logical_not(x))
VES_UNARY(Isnan, at::isnan(x))
VES_UNARY(Isfinite, at::isfinite(x))
VES_UNARY(Erf, at::erf(x))

Napi::Value LeakyRelu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::leaky_relu(T(info, 0), Num(info, 1))); }
Napi::Value Elu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::elu(T(info, 0), Num(info, 1))); }
Napi::Value Prelu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::prelu(T(info, 0), T(info, 1))); }
Napi::Value Hardtanh(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::hardtanh(T(info, 0), Num(info, 1), Num(info, 2))); }
// gelu(x, tanhApproximation)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  bool tanhApprox = !IsAbsent(info, 1) && Bool(info, 1);
  return Wrap(info.Env(), at::gelu(T(info, 0), tanhApprox ? "tanh" : "none"));
}
Napi::Value Softmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::softmax(T(info, 0), Int(info, 1), OptDType(info, 2))); }
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::log_softmax(T(info, 0), Int(info, 1), OptDType(info, 2)));
}

// where(cond, a, b) — a and b may be numbers
Napi::Value Where(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::where(T(info, 0), Operand(info, 1), Operand(info, 2))); }

// clamp(x, min?, max?) — min/max are numbers or tensors, null for unbounded
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  bool tensorBounds = (!IsAbsent(info, 1) && IsHandle(info[1])) || (!IsAbsent(info, 2) && IsHandle(info[2]));
  if (tensorBounds) return Wrap(info.Env(), at::clamp(x, OptT(info, 1), OptT(info, 2)));
  c10::optional<at::Scalar> lo, hi;
  if (!IsAbsent(info, 1)) lo = Scal(info, 1);
  if (!IsAbsent(info, 2)) hi = Scal(info, 2);
  return Wrap(info.Env(), at::clamp(x, lo, hi));
}

// einsum(equation, tensors)
Napi::Value Einsum(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::einsum(Str(info, 0), TList(info, 1))); }
// cdist(a, b, p) — pairwise p-norm distances between the rows of a and b
Napi::Value Cdist(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::cdist(T(info, 0), T(info, 1), Num(info, 2))); }

// linear(x, w, b?)
Napi::Value Linear(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::linear(T(info, 0), T(info, 1), OptT(info, 2))); }

Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  if (IsHandle(info[2])) return Wrap(info.Env(), at::masked_fill(T(info, 0), T(info, 1), T(info, 2)));
  return Wrap(info.Env(), at::masked_fill(T(info, 0), T(info, 1), Scal(info, 2)));
}

Napi::Value Lerp(const Napi::CallbackInfo& info) {
  if (IsHandle(info[2])) return Wrap(info.Env(), at::lerp(T(info, 0), T(info, 1), T(info, 2)));
  return Wrap(info.Env(), at::lerp(T(info, 0), T(info, 1), Scal(info, 2)));
}

// ---- in-place updates; they return their first argument (the same handle) ----
#define VES_INPLACE(Name, stmt)                      \
  Napi::Value Name(const Napi::CallbackInfo& info) { \
    const at::Tensor& x = T(info, 0);                \
    stmt;                                            \
    return info[0];                                  \
  }

VES_INPLACE(Add_, IsHandle(info[1]) ? (void)x.add_(T(info, 1), AlphaArg(info, 2)) : (void)x.add_(Scal(info, 1), AlphaArg(info, 2)))
VES_INPLACE(Sub_, IsHandle(info[1]) ? (void)x.sub_(T(info, 1), AlphaArg(info, 2)) : (void)x.sub_(Scal(info, 1), AlphaArg(info, 2)))
VES_INPLACE(Mul_, IsHandle(info[1]) ? (void)x.mul_(T(info, 1)) : (void)x.mul_(Scal(info, 1)))
VES_INPLACE(Div_, IsHandle(info[1]) ? (void)x.div_(T(info, 1)) : (void)x.div_(Scal(info, 1)))
VES_INPLACE(Pow_, IsHandle(info[1]) ? (void)x.pow_(T(info, 1)) : (void)x.pow_(Scal(info, 1)))
VES_INPLACE(Addcmul_, x.addcmul_(T(info, 1), T(info, 2), AlphaArg(info, 3)))
VES_INPLACE(Addcdiv_, x.addcdiv_(T(info, 1), T(info, 2), AlphaArg(info, 3)))
VES_INPLACE(Lerp_, IsHandle(info[2]) ? (void)x.lerp_(T(info, 1), T(info, 2)) : (void)x.lerp_(T(info, 1), Scal(info, 2)))
VES_INPLACE(Copy_, x.copy_(T(info, 1)))
VES_INPLACE(Zero_, x.zero_())
VES_INPLACE(Fill_, x.fill_(Scal(info, 1)))
VES_INPLACE(Sqrt_, x.sqrt_())
VES_INPLACE(Neg_, x.neg_())
VES_INPLACE(Relu_, x.relu_())
Napi::Value Clamp_(const Napi::CallbackInfo& info) {
  c10::optional<at::Scalar> lo, hi;
  if (!IsAbsent(info, 1)) lo = Scal(info, 1);
  if (!IsAbsent(info, 2)) hi = Scal(info, 2);
  T(info, 0).clamp_(lo, hi);
  return info[0];
}
VES_INPLACE(MaskedFill_, x.masked_fill_(T(info, 1), Scal(info, 2)))

}  // namespace

void RegisterMath(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "add", Add);
  VES_DEF(e, "sub", Sub);
  VES_DEF(e, "mul", Mul);
  VES_DEF(e, "div", Div);
  VES_DEF(e, "floorDiv", FloorDiv);
  VES_DEF(e, "pow", Pow);
  VES_DEF(e, "remainder", Remainder);
  VES_DEF(e, "maximum", Maximum);
  VES_DEF(e, "minimum", Minimum);
  VES_DEF(e, "atan2", Atan2);
  VES_DEF(e, "eq", Eq);
  VES_DEF(e, "ne", Ne);
  VES_DEF(e, "lt", Lt);
  VES_DEF(e, "le", Le);
  VES_DEF(e, "gt", Gt);
  VES_DEF(e, "ge", Ge);
  VES_DEF(e, "logicalAnd", LogicalAnd);
  VES_DEF(e, "logicalOr", LogicalOr);
  VES_DEF(e, "logicalXor", LogicalXor);
  VES_DEF(e, "matmul", Matmul);
  VES_DEF(e, "bmm", Bmm);
  VES_DEF(e, "mm", Mm);
  VES_DEF(e, "outer", Outer);
  VES_DEF(e, "dot", Dot);
  VES_DEF(e, "neg", Neg);
  VES_DEF(e, "exp", Exp);
  VES_DEF(e, "expm1", Expm1);
  VES_DEF(e, "log", Log);
  VES_DEF(e, "log1p", Log1p);
  VES_DEF(e, "log2", Log2);
  VES_DEF(e, "sqrt", Sqrt);
  VES_DEF(e, "rsqrt", Rsqrt);
  VES_DEF(e, "abs", Abs);
  VES_DEF(e, "sign", Sign);
  VES_DEF(e, "sin", Sin);
  VES_DEF(e, "cos", Cos);
  VES_DEF(e, "tan", Tan);
  VES_DEF(e, "floor", Floor);
  VES_DEF(e, "ceil", Ceil);
  VES_DEF(e, "round", Round);
  VES_DEF(e, "trunc", Trunc);
  VES_DEF(e, "reciprocal", Reciprocal);
  VES_DEF(e, "square", Square);
  VES_DEF(e, "sigmoid", Sigmoid);
  VES_DEF(e, "tanh", Tanh);
  VES_DEF(e, "relu", Relu);
  VES_DEF(e, "relu6", Relu6);
  VES_DEF(e, "silu", Silu);
  VES_DEF(e, "softplus", Softplus);
  VES_DEF(e, "mish", Mish);
  VES_DEF(e, "logSigmoid", LogSigmoid);
  VES_DEF(e, "logicalNot", LogicalNot);
  VES_DEF(e, "isnan", Isnan);
  VES_DEF(e, "isfinite", Isfinite);
  VES_DEF(e, "erf", Erf);
  VES_DEF(e, "leakyRelu", LeakyRelu);
  VES_DEF(e, "elu", Elu);
  VES_DEF(e, "prelu", Prelu);
  VES_DEF(e, "hardtanh", Hardtanh);
  VES_DEF(e, "gelu", Gelu);
  VES_DEF(e, "softmax", Softmax);
  VES_DEF(e, "logSoftmax", LogSoftmax);
  VES_DEF(e, "where", Where);
  VES_DEF(e, "clamp", Clamp);
  VES_DEF(e, "linear", Linear);
  VES_DEF(e, "einsum", Einsum);
  VES_DEF(e, "cdist", Cdist);
  VES_DEF(e, "maskedFill", MaskedFill);
  VES_DEF(e, "lerp", Lerp);
  VES_DEF(e, "add_", Add_);
  VES_DEF(e, "sub_", Sub_);
  VES_DEF(e, "mul_", Mul_);
  VES_DEF(e, "div_", Div_);
  VES_DEF(e, "pow_", Pow_);
  VES_DEF(e, "addcmul_", Addcmul_);
  VES_DEF(e, "addcdiv_", Addcdiv_);
  VES_DEF(e, "lerp_", Lerp_);
  VES_DEF(e, "copy_", Copy_);
  VES_DEF(e, "zero_", Zero_);
  VES_DEF(e, "fill_", Fill_);
  VES_DEF(e, "sqrt_", Sqrt_);
  VES_DEF(e, "neg_", Neg_);
  VES_DEF(e, "relu_", Relu_);
  VES_DEF(e, "clamp_", Clamp_);
  VES_DEF(e, "maskedFill_", MaskedFill_);
}

}  // namespace ves
