// Quantized inference: calls to `quantized::` and `aten::` operators by name through the c10
// dispatcher (boxed), with arguments converted from JavaScript by the operator's own schema. This
// reaches libtorch's int8 kernels (quantized::conv2d/conv3d/conv_transpose*/linear with their
// prepacked weights, quantized::cat/add/mul/instance_norm/...) and the aten ops that accept quantized
// tensors (quantize_per_tensor, dequantize, leaky_relu, max_pool2d, upsample_nearest*, ...) without a
// wrapper per operator. Prepacked weights (custom-class objects, not tensors) come back to JavaScript
// as opaque externals.
//
// The quantized engine is oneDNN (x86's int8 kernels in Debian's libtorch, which has no FBGEMM); a
// libtorch with FBGEMM uses that. QNNPACK is never chosen on x86: it is slower than fp32 there.
#include "common.h"
#include "int8_rows.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_map>

namespace ves {
namespace {

// A non-tensor operator result (prepacked weights) held by JavaScript.
struct Boxed {
  static constexpr uint64_t kMagic = 0x56455342'4f584544ull;  // "VESBOXED"
  uint64_t magic = kMagic;
  c10::IValue value;
};

Boxed* BoxedOf(const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  auto* b = v.As<Napi::External<Boxed>>().Data();
  return (b != nullptr && b->magic == Boxed::kMagic) ? b : nullptr;
}

Napi::Value WrapBoxed(Napi::Env env, c10::IValue value) {
  auto* b = new Boxed();
  b->value = std::move(value);
  return Napi::External<Boxed>::New(env, b, [](Napi::Env, Boxed* p) { delete p; });
}

const char* EngineName(at::QEngine e) {
  switch (e) {
    case at::QEngine::FBGEMM: return "fbgemm";
    case at::QEngine::QNNPACK: return "qnnpack";
    case at::QEngine::ONEDNN: return "onednn";
    default: return "none";
  }
}

bool Supports(at::QEngine e) {
  for (auto s : at::globalContext().supportedQEngines())
    if (s == e) return true;
  return false;
}

// oneDNN, or FBGEMM where a libtorch has it; QNNPACK only on ARM (where it is the fast one).
void ChooseEngine() {
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__x86_64__) || defined(_M_X64)
    if (Supports(at::QEngine::ONEDNN)) at::globalContext().setQEngine(at::QEngine::ONEDNN);
    else if (Supports(at::QEngine::FBGEMM)) at::globalContext().setQEngine(at::QEngine::FBGEMM);
#else
    if (Supports(at::QEngine::QNNPACK)) at::globalContext().setQEngine(at::QEngine::QNNPACK);
    else if (Supports(at::QEngine::ONEDNN)) at::globalContext().setQEngine(at::QEngine::ONEDNN);
#endif
  });
}

const c10::OperatorHandle& FindOp(const std::string& name, const std::string& overload) {
  static std::mutex mutex;
  static std::unordered_map<std::string, c10::OperatorHandle> cache;
  std::lock_guard<std::mutex> lock(mutex);
  std::string key = name + "." + overload;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  auto op = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!op) throw std::invalid_argument("no operator " + name + (overload.empty() ? "" : "." + overload));
  return cache.emplace(key, *op).first->second;
}

at::ScalarType ScalarTypeByName(const std::string& s) {
  if (s == "quint8") return at::kQUInt8;
  if (s == "qint8") return at::kQInt8;
  if (s == "qint32") return at::kQInt32;
  if (s == "float32") return at::kFloat;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "int64") return at::kLong;
  if (s == "uint8") return at::kByte;
  if (s == "int8") return at::kChar;
  throw std::invalid_argument("unknown scalar type '" + s + "'");
}

std::string Where(const c10::FunctionSchema& schema, const c10::Argument& arg) {
  return schema.name() + " argument '" + arg.name() + "'";
}

c10::IValue ToIValue(const Napi::Value& v, const c10::TypePtr& type, const c10::FunctionSchema& schema,
                     const c10::Argument& arg) {
  auto bad = [&](const char* what) { return std::invalid_argument(Where(schema, arg) + " must be " + what); };
  switch (type->kind()) {
    case c10::TypeKind::OptionalType:
      if (v.IsUndefined() || v.IsNull()) return c10::IValue();
      return ToIValue(v, type->castRaw<c10::OptionalType>()->getElementType(), schema, arg);
    case c10::TypeKind::TensorType: {
      Handle* h = HandleOf(v);
      if (h == nullptr) throw bad("a tensor (not disposed)");
      return h->t;
    }
    case c10::TypeKind::FloatType:
      if (!v.IsNumber()) throw bad("a number");
      return v.As<Napi::Number>().DoubleValue();
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::MemoryFormatType:
    case c10::TypeKind::IntType:
      // a memory format may arrive typed as an int (how some schemas spell MemoryFormat)
      if (v.IsString() && (type->kind() == c10::TypeKind::MemoryFormatType || arg.name() == "memory_format")) {
        std::string f = v.As<Napi::String>().Utf8Value();
        if (f == "channelsLast") return static_cast<int64_t>(at::MemoryFormat::ChannelsLast);
        if (f == "channelsLast3d") return static_cast<int64_t>(at::MemoryFormat::ChannelsLast3d);
        if (f == "contiguous") return static_cast<int64_t>(at::MemoryFormat::Contiguous);
        throw bad("contiguous, channelsLast or channelsLast3d");
      }
      if (v.IsString()) return static_cast<int64_t>(ScalarTypeByName(v.As<Napi::String>().Utf8Value()));
      if (!v.IsNumber()) throw bad("an integer");
      return v.As<Napi::Number>().Int64Value();
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) throw bad("a boolean");
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::NumberType:
      if (!v.IsNumber()) throw bad("a number");
      return c10::IValue(ScalarOf(v));
    case c10::TypeKind::StringType:
      if (!v.IsString()) throw bad("a string");
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::ListType: {
      if (!v.IsArray()) throw bad("an array");
      Napi::Array a = v.As<Napi::Array>();
      auto elem = type->castRaw<c10::ListType>()->getElementType();
      if (elem->kind() == c10::TypeKind::IntType) {
        std::vector<int64_t> out;
        for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Number>().Int64Value());
        return out;
      }
      if (elem->kind() == c10::TypeKind::FloatType) {
        std::vector<double> out;
        for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Number>().DoubleValue());
        return out;
      }
      if (elem->kind() == c10::TypeKind::TensorType) {
        std::vector<at::Tensor> out;
        for (uint32_t i = 0; i < a.Length(); i++) {
          Handle* h = HandleOf(a.Get(i));
          if (h == nullptr) throw bad("an array of tensors (not disposed)");
          out.push_back(h->t);
        }
        return out;
      }
      throw bad("a list of a supported element type");
    }
    case c10::TypeKind::ClassType: {
      Boxed* b = BoxedOf(v);
      if (b == nullptr || b->value.isNone()) throw bad("prepacked weights (from a prepack operator, not released)");
      return b->value;
    }
    default:
      throw bad(("a value of a supported type (not " + type->str() + ")").c_str());
  }
}

Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return Wrap(env, v.toTensor());
  if (v.isTensorList()) return WrapList(env, v.toTensorVector());
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isNone()) return env.Undefined();
  if (v.isObject()) return WrapBoxed(env, v);
  if (v.isTuple()) {
    const auto& items = v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, items.size());
    for (size_t i = 0; i < items.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, items[i]));
    return out;
  }
  throw std::invalid_argument("unsupported operator result type " + v.tagKind());
}

// callOp(name, overload, args[]) — name "quantized::..." or "aten::...", overload "" for the default;
// missing trailing arguments take the schema's defaults. Returns a tensor, a list, a number, a boolean,
// undefined or an opaque external (prepacked weights).
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  std::string name = Str(info, 0), overload = IsAbsent(info, 1) ? "" : Str(info, 1);
  if (name.rfind("quantized::", 0) != 0 && name.rfind("aten::", 0) != 0)
    throw std::invalid_argument("callOp: only quantized:: and aten:: operators, got " + name);
  if (IsAbsent(info, 2) || !info[2].IsArray()) throw std::invalid_argument("callOp: argument 3 must be an array");
  ChooseEngine();
  const c10::OperatorHandle& op = FindOp(name, overload);
  const c10::FunctionSchema& schema = op.schema();
  Napi::Array args = info[2].As<Napi::Array>();
  const auto& params = schema.arguments();
  if (args.Length() > params.size())
    throw std::invalid_argument(schema.name() + " takes " + std::to_string(params.size()) + " arguments, got " +
                                std::to_string(args.Length()));
  torch::jit::Stack stack;
  stack.reserve(params.size());
  for (size_t i = 0; i < params.size(); i++) {
    const c10::Argument& p = params[i];
    if (i < args.Length() && !args.Get(i).IsUndefined()) stack.emplace_back(ToIValue(args.Get(i), p.type(), schema, p));
    else if (p.default_value()) stack.push_back(*p.default_value());
    else if (p.type()->kind() == c10::TypeKind::OptionalType) stack.emplace_back();
    else throw std::invalid_argument(Where(schema, p) + " is missing");
  }
  op.callBoxed(&stack);
  if (stack.size() == 1) return FromIValue(info.Env(), stack[0]);
  Napi::Array out = Napi::Array::New(info.Env(), stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(info.Env(), stack[i]));
  return out;
}

// releaseBoxed(external) — frees prepacked weights now instead of at garbage collection.
Napi::Value ReleaseBoxed(const Napi::CallbackInfo& info) {
  Boxed* b = info.Length() > 0 ? BoxedOf(info[0]) : nullptr;
  if (b != nullptr) b->value = c10::IValue();
  return info.Env().Undefined();
}

// isBoxed(v) — whether v is an operator's non-tensor result (prepacked weights)
Napi::Value IsBoxed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), info.Length() > 0 && BoxedOf(info[0]) != nullptr);
}

// quantizedEngine() → {engine, supported[]}
Napi::Value QuantizedEngine(const Napi::CallbackInfo& info) {
  ChooseEngine();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("engine", EngineName(at::globalContext().qEngine()));
  auto supported = at::globalContext().supportedQEngines();
  Napi::Array list = Napi::Array::New(info.Env());
  uint32_t n = 0;
  for (auto e : supported)
    if (e != at::QEngine::NoQEngine) list.Set(n++, EngineName(e));
  out.Set("supported", list);
  return out;
}

// quantizedInfo(t) → null for a float tensor; {dtype, scale, zeroPoint} (per tensor) or
// {dtype, axis} (per channel) for a quantized one
Napi::Value QuantizedInfo(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  if (!t.is_quantized()) return info.Env().Null();
  Napi::Object out = Napi::Object::New(info.Env());
  at::ScalarType s = t.scalar_type();
  out.Set("dtype", s == at::kQUInt8 ? "quint8" : s == at::kQInt8 ? "qint8" : "qint32");
  if (t.qscheme() == at::kPerTensorAffine) {
    out.Set("scale", t.q_scale());
    out.Set("zeroPoint", static_cast<double>(t.q_zero_point()));
  } else {
    out.Set("axis", static_cast<double>(t.q_per_channel_axis()));
  }
  return out;
}

// The channels-last memory format of a 4-D or 5-D tensor, the layout oneDNN's int8 convolutions produce
// (C the fastest axis); Contiguous for other ranks.
at::MemoryFormat ChannelsLastOf(int64_t dim) {
  if (dim == 4) return at::MemoryFormat::ChannelsLast;
  return dim == 5 ? at::MemoryFormat::ChannelsLast3d : at::MemoryFormat::Contiguous;
}

// qnormAct(q, groups, weight?, bias?, eps, activation (0 none, 1 relu, 2 leaky), slope, outScale, outZeroPoint)
//
// Group normalisation (instance norm: groups = C; layer norm over C and space: groups = 1) of a quint8
// tensor, its affine and an activation, straight to quint8, in two passes over the bytes. libtorch's
// quantized::instance_norm dequantizes internally and runs slower than float here; but per channel the
// map from an input byte to an output byte is one affine step (and the activation) once the group's
// statistics are known: pass 1 sums q and q² per channel, pass 2 applies the step (int8_rows.h).
Napi::Value QNormAct(const Napi::CallbackInfo& info) {
  at::Tensor q = T(info, 0);
  int64_t groups = Int(info, 1);
  auto weight = OptT(info, 2), bias = OptT(info, 3);
  double eps = Num(info, 4);
  int64_t activation = Int(info, 5);
  double slope = Num(info, 6), outScale = Num(info, 7);
  int64_t outZp = Int(info, 8);
  if (!q.is_quantized() || q.scalar_type() != at::kQUInt8 || q.qscheme() != at::kPerTensorAffine)
    throw std::invalid_argument("qnormAct: the input must be a quint8 per-tensor quantized tensor");
  if (q.dim() < 3) throw std::invalid_argument("qnormAct: the input must be (N, C, ...)");
  const int64_t N = q.size(0), C = q.size(1);
  if (groups < 1 || C % groups != 0) throw std::invalid_argument("qnormAct: groups must divide the channels");
  const auto format = ChannelsLastOf(q.dim());
  // channels-last (what oneDNN's convolutions produce): C is the fastest axis, S positions follow
  at::Tensor x = q.dim() >= 4 ? q.contiguous(format) : q.transpose(1, 2).contiguous();
  const int64_t S = q.numel() / std::max<int64_t>(1, N * C);
  const double inScale = q.q_scale();
  at::Tensor w = weight ? weight->to(at::kDouble).contiguous() : at::ones({C}, at::kDouble);
  at::Tensor b = bias ? bias->to(at::kDouble).contiguous() : at::zeros({C}, at::kDouble);
  const double* wp = w.data_ptr<double>();
  const double* bp = b.data_ptr<double>();
  at::Tensor out = q.dim() >= 4
                       ? at::_empty_affine_quantized(q.sizes(), q.options().memory_format(format), outScale, outZp, c10::nullopt)
                       : at::_empty_affine_quantized(x.sizes(), x.options(), outScale, outZp, c10::nullopt);
  const uint8_t* src = reinterpret_cast<const uint8_t*>(x.data_ptr<c10::quint8>());
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data_ptr<c10::quint8>());
  const int64_t per = C / groups;
  // pass 1: per-channel sums of q and q² over blocks of positions (int32 within a block: 255² · 2048 < 2³¹),
  // the blocks of every image in parallel (a single window is one image: splitting it keeps every core busy)
  constexpr int64_t kBlock = 2048;
  const int64_t blocks = std::max<int64_t>(1, (S + kBlock - 1) / kBlock);
  // the vector loops want long rows: k positions of a few channels make one row of W = k·C bytes (the
  // positions left over run one by one)
  const int64_t k = C >= 64 ? 1 : (64 + C - 1) / C, W = k * C;
  std::vector<int32_t> blockSum(static_cast<size_t>(N * blocks * W)), blockSq(blockSum.size());
  at::parallel_for(0, N * blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t n = b / blocks, s0 = (b % blocks) * kBlock, rows = std::min(S, s0 + kBlock) - s0;
      const uint8_t* in = src + (n * S + s0) * C;
      int32_t* bs = blockSum.data() + b * W;
      int32_t* bq = blockSq.data() + b * W;
      SumRows(in, rows / k, W, bs, bq);
      SumRows(in + rows / k * W, rows % k, C, bs, bq);
    }
  });
  // per group: mean and variance; per channel: gain and shift (already in output steps), repeated k times
  std::vector<float> gain(static_cast<size_t>(N * W)), shift(gain.size());
  std::vector<int64_t> sum(C), sq(C);
  for (int64_t n = 0; n < N; n++) {
    std::fill(sum.begin(), sum.end(), 0);
    std::fill(sq.begin(), sq.end(), 0);
    for (int64_t block = 0; block < blocks; block++) {
      const int32_t* bs = blockSum.data() + (n * blocks + block) * W;
      const int32_t* bq = blockSq.data() + (n * blocks + block) * W;
      for (int64_t i = 0; i < W; i++) {
        sum[i % C] += bs[i];
        sq[i % C] += bq[i];
      }
    }
    for (int64_t g = 0; g < groups; g++) {
      double gs = 0, gq = 0;
      for (int64_t c = g * per; c < (g + 1) * per; c++) {
        gs += static_cast<double>(sum[c]);
        gq += static_cast<double>(sq[c]);
      }
      const double count = static_cast<double>(S * per);
      const double meanQ = gs / count;
      const double varQ = std::max(0.0, gq / count - meanQ * meanQ);
      const double inv = 1.0 / std::sqrt(varQ * inScale * inScale + eps);
      for (int64_t c = g * per; c < (g + 1) * per; c++) {
        const double a = wp[c] * inScale * inv;
        for (int64_t j = 0; j < k; j++) {
          gain[n * W + j * C + c] = static_cast<float>(a / outScale);
          shift[n * W + j * C + c] = static_cast<float>((bp[c] - a * meanQ) / outScale);
        }
      }
    }
  }
  const float activationSlope = activation == 1 ? 0.f : activation == 2 ? static_cast<float>(slope) : 1.f;
  const float zeroPoint = static_cast<float>(outZp);
  // pass 2: every byte normalised, activated and requantized, by the same blocks
  at::parallel_for(0, N * blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t n = b / blocks, s0 = (b % blocks) * kBlock, rows = std::min(S, s0 + kBlock) - s0;
      const uint8_t* in = src + (n * S + s0) * C;
      uint8_t* o = dst + (n * S + s0) * C;
      const float* gw = gain.data() + n * W;
      const float* sw = shift.data() + n * W;
      NormRows(in, W, o, W, rows / k, W, gw, sw, activationSlope, zeroPoint);
      NormRows(in + rows / k * W, C, o + rows / k * W, C, rows % k, C, gw, sw, activationSlope, zeroPoint);
    }
  });
  if (q.dim() == 3) return Wrap(info.Env(), out.transpose(1, 2));
  return Wrap(info.Env(), out);
}

// qcat(tensors[], scale, zeroPoint) — concatenation along the channels of quint8 (N, C_i, ...) tensors
// (4-D or 5-D) into one channels-last quint8 tensor with the given parameters. libtorch's quantized::cat
// requantizes element by element through float and dominates a small U-Net's skip connections; here
// each input's bytes map to the output's by one affine step per byte, vectorised.
Napi::Value QCat(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> xs = TList(info, 0);
  const double outScale = Num(info, 1);
  const int64_t outZp = Int(info, 2);
  if (xs.empty()) throw std::invalid_argument("qcat: no tensors");
  const at::Tensor first = xs[0];  // a handle: the loop below re-lays out xs in place
  if (first.dim() != 4 && first.dim() != 5) throw std::invalid_argument("qcat: the tensors must be 4-D or 5-D");
  const auto format = ChannelsLastOf(first.dim());
  int64_t total = 0;
  for (auto& x : xs) {
    if (!x.is_quantized() || x.scalar_type() != at::kQUInt8 || x.qscheme() != at::kPerTensorAffine)
      throw std::invalid_argument("qcat: every tensor must be quint8, quantized per tensor");
    bool same = x.dim() == first.dim() && x.size(0) == first.size(0);
    for (int64_t d = 2; same && d < first.dim(); d++) same = x.size(d) == first.size(d);
    if (!same) throw std::invalid_argument("qcat: the tensors differ in a size other than the channels");
    total += x.size(1);
    x = x.contiguous(format);
  }
  std::vector<int64_t> sizes(first.sizes().begin(), first.sizes().end());
  sizes[1] = total;
  at::Tensor out = at::_empty_affine_quantized(sizes, first.options().memory_format(format), outScale, outZp,
                                               c10::nullopt);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data_ptr<c10::quint8>());
  const int64_t rows = out.numel() / std::max<int64_t>(1, total);
  int64_t offset = 0;
  for (auto& x : xs) {
    const int64_t C = x.size(1);
    const uint8_t* src = reinterpret_cast<const uint8_t*>(x.data_ptr<c10::quint8>());
    const double ratio = x.q_scale() / outScale;
    std::vector<float> gain(C, static_cast<float>(ratio)), shift(C, static_cast<float>(-ratio * x.q_zero_point()));
    at::parallel_for(0, rows, 1024, [&](int64_t r0, int64_t r1) {
      NormRows(src + r0 * C, C, dst + r0 * total + offset, total, r1 - r0, C, gain.data(), shift.data(), 1.f,
               static_cast<float>(outZp));
    });
    offset += C;
  }
  return Wrap(info.Env(), out);
}

// qdequantize(q) — float copy of a quantized tensor in its memory format. quint8 per tensor (what flows
// between int8 nodes) by a vectorised loop (libtorch's takes ~2 ns a byte on channels-last maps);
// anything else by at::dequantize.
Napi::Value QDequantize(const Napi::CallbackInfo& info) {
  const at::Tensor& q = T(info, 0);
  if (!q.is_quantized()) throw std::invalid_argument("dequantize: the tensor is not quantized");
  if (q.scalar_type() != at::kQUInt8 || q.qscheme() != at::kPerTensorAffine || !q.is_non_overlapping_and_dense())
    return Wrap(info.Env(), q.dequantize());
  // same strides as the input (channels-last stays channels-last): element i of the storage maps to element i
  at::Tensor out = at::empty_strided(q.sizes(), q.strides(), q.options().dtype(at::kFloat));
  const uint8_t* src = reinterpret_cast<const uint8_t*>(q.data_ptr<c10::quint8>());
  float* dst = out.data_ptr<float>();
  const float scale = static_cast<float>(q.q_scale()), zp = static_cast<float>(q.q_zero_point());
  at::parallel_for(0, q.numel(), 1 << 16, [&](int64_t i0, int64_t i1) {
    DequantizeBytes(src + i0, dst + i0, i1 - i0, scale, zp);
  });
  return Wrap(info.Env(), out);
}

}  // namespace

void RegisterQuantized(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "callOp", CallOp);
  VES_DEF(e, "releaseBoxed", ReleaseBoxed);
  VES_DEF(e, "isBoxed", IsBoxed);
  VES_DEF(e, "qnormAct", QNormAct);
  VES_DEF(e, "qcat", QCat);
  VES_DEF(e, "qdequantize", QDequantize);
  VES_DEF(e, "quantizedEngine", QuantizedEngine);
  VES_DEF(e, "quantizedInfo", QuantizedInfo);
}

}  // namespace ves
