// Neural-network functionals: convolution, pooling, normalisation, dropout, resampling.
#include "common.h"

namespace ves {
namespace {

// conv(x, w, b?, stride, padding (ints or "same"/"valid"), dilation, groups) — 1d/2d/3d from w's rank
Napi::Value Conv(const Napi::CallbackInfo& info) {
  const at::Tensor &x = T(info, 0), &w = T(info, 1);
  auto b = OptT(info, 2);
  auto stride = Ints(info, 3), dilation = Ints(info, 5);
  int64_t groups = Int(info, 6);
  if (info[4].IsString()) {
    std::string p = Str(info, 4);
    switch (w.dim()) {
      case 3: return Wrap(info.Env(), at::conv1d(x, w, b, stride, p, dilation, groups));
      case 4: return Wrap(info.Env(), at::conv2d(x, w, b, stride, p, dilation, groups));
      case 5: return Wrap(info.Env(), at::conv3d(x, w, b, stride, p, dilation, groups));
    }
  } else {
    auto padding = Ints(info, 4);
    switch (w.dim()) {
      case 3: return Wrap(info.Env(), at::conv1d(x, w, b, stride, padding, dilation, groups));
      case 4: return Wrap(info.Env(), at::conv2d(x, w, b, stride, padding, dilation, groups));
      case 5: return Wrap(info.Env(), at::conv3d(x, w, b, stride, padding, dilation, groups));
    }
  }
  throw std::invalid_argument("conv: weight must have 3, 4 or 5 dimensions, got " + std::to_string(w.dim()));
}

// convTranspose(x, w, b?, stride, padding, outputPadding, groups, dilation)
Napi::Value ConvTranspose(const Napi::CallbackInfo& info) {
  const at::Tensor &x = T(info, 0), &w = T(info, 1);
  auto b = OptT(info, 2);
  auto stride = Ints(info, 3), padding = Ints(info, 4), outPad = Ints(info, 5), dilation = Ints(info, 7);
  int64_t groups = Int(info, 6);
  switch (w.dim()) {
    case 3: return Wrap(info.Env(), at::conv_transpose1d(x, w, b, stride, padding, outPad, groups, dilation));
    case 4: return Wrap(info.Env(), at::conv_transpose2d(x, w, b, stride, padding, outPad, groups, dilation));
    case 5: return Wrap(info.Env(), at::conv_transpose3d(x, w, b, stride, padding, outPad, groups, dilation));
  }
  throw std::invalid_argument("convTranspose: weight must have 3, 4 or 5 dimensions, got " + std::to_string(w.dim()));
}

// maxPool(x, kernel, stride, padding, dilation, ceilMode) — 1d/2d/3d from the kernel's length
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto k = Ints(info, 1), s = Ints(info, 2), p = Ints(info, 3), d = Ints(info, 4);
  bool ceil = Bool(info, 5);
  switch (k.size()) {
    case 1: return Wrap(info.Env(), at::max_pool1d(x, k, s, p, d, ceil));
    case 2: return Wrap(info.Env(), at::max_pool2d(x, k, s, p, d, ceil));
    case 3: return Wrap(info.Env(), at::max_pool3d(x, k, s, p, d, ceil));
  }
  throw std::invalid_argument("maxPool: kernel must have 1, 2 or 3 sizes");
}

// maxPoolWithIndices(x, kernel, stride, padding, dilation, ceilMode) → [values, indices] (2d/3d)
Napi::Value MaxPoolWithIndices(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto k = Ints(info, 1), s = Ints(info, 2), p = Ints(info, 3), d = Ints(info, 4);
  bool ceil = Bool(info, 5);
  std::tuple<at::Tensor, at::Tensor> r;
  if (k.size() == 2) r = at::max_pool2d_with_indices(x, k, s, p, d, ceil);
  else if (k.size() == 3) r = at::max_pool3d_with_indices(x, k, s, p, d, ceil);
  else throw std::invalid_argument("maxPoolWithIndices: kernel must have 2 or 3 sizes");
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

// avgPool(x, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride?)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto k = Ints(info, 1), s = Ints(info, 2), p = Ints(info, 3);
  bool ceil = Bool(info, 4), includePad = Bool(info, 5);
  auto div = OptInt(info, 6);
  switch (k.size()) {
    case 1: return Wrap(info.Env(), at::avg_pool1d(x, k, s, p, ceil, includePad));
    case 2: return Wrap(info.Env(), at::avg_pool2d(x, k, s, p, ceil, includePad, div));
    case 3: return Wrap(info.Env(), at::avg_pool3d(x, k, s, p, ceil, includePad, div));
  }
  throw std::invalid_argument("avgPool: kernel must have 1, 2 or 3 sizes");
}

// adaptiveAvgPool(x, outputSize) / adaptiveMaxPool(x, outputSize) — 1d/2d/3d from the size's length
Napi::Value AdaptiveAvgPool(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto o = Ints(info, 1);
  switch (o.size()) {
    case 1: return Wrap(info.Env(), at::adaptive_avg_pool1d(x, o));
    case 2: return Wrap(info.Env(), at::adaptive_avg_pool2d(x, o));
    case 3: return Wrap(info.Env(), at::adaptive_avg_pool3d(x, o));
  }
  throw std::invalid_argument("adaptiveAvgPool: output size must have 1, 2 or 3 sizes");
}
Napi::Value AdaptiveMaxPool(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto o = Ints(info, 1);
  switch (o.size()) {
    case 1: return Wrap(info.Env(), std::get<0>(at::adaptive_max_pool1d(x, o)));
    case 2: return Wrap(info.Env(), std::get<0>(at::adaptive_max_pool2d(x, o)));
    case 3: return Wrap(info.Env(), std::get<0>(at::adaptive_max_pool3d(x, o)));
  }
  throw std::invalid_argument("adaptiveMaxPool: output size must have 1, 2 or 3 sizes");
}

// batchNorm(x, weight?, bias?, runningMean?, runningVar?, training, momentum, eps)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::batch_norm(T(info, 0), OptT(info, 1), OptT(info, 2), OptT(info, 3), OptT(info, 4), Bool(info, 5),
                                         Num(info, 6), Num(info, 7), true));
}
// instanceNorm(x, weight?, bias?, runningMean?, runningVar?, useInputStats, momentum, eps)
Napi::Value InstanceNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::instance_norm(T(info, 0), OptT(info, 1), OptT(info, 2), OptT(info, 3), OptT(info, 4), Bool(info, 5),
                                            Num(info, 6), Num(info, 7), true));
}
// groupNorm(x, groups, weight?, bias?, eps)
Napi::Value GroupNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::group_norm(T(info, 0), Int(info, 1), OptT(info, 2), OptT(info, 3), Num(info, 4), true));
}
// layerNorm(x, normalizedShape, weight?, bias?, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::layer_norm(T(info, 0), Ints(info, 1), OptT(info, 2), OptT(info, 3), Num(info, 4), true));
}

// dropout(x, p, training, channelwise) — channelwise zeroes whole channels (Dropout2d/3d)
Napi::Value Dropout(const Napi::CallbackInfo& info) {
  bool channelwise = !IsAbsent(info, 3) && Bool(info, 3);
  if (channelwise) return Wrap(info.Env(), at::feature_dropout(T(info, 0), Num(info, 1), Bool(info, 2)));
  return Wrap(info.Env(), at::dropout(T(info, 0), Num(info, 1), Bool(info, 2)));
}

// interpolate(x, size?, scaleFactors?, mode, alignCorners) — mode: nearest | nearest-exact | linear |
// bilinear | bicubic | trilinear | area
Napi::Value Interpolate(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  auto size = OptInts(info, 1);
  c10::optional<std::vector<double>> scales;
  if (!IsAbsent(info, 2)) scales = Nums(info, 2);
  std::string mode = Str(info, 3);
  bool ac = !IsAbsent(info, 4) && Bool(info, 4);
  int64_t spatial = x.dim() - 2;
  if (size && static_cast<int64_t>(size->size()) == 1 && spatial > 1) size = std::vector<int64_t>(spatial, (*size)[0]);
  if (scales && static_cast<int64_t>(scales->size()) == 1 && spatial > 1) scales = std::vector<double>(spatial, (*scales)[0]);
  at::OptionalIntArrayRef os = size ? at::OptionalIntArrayRef(*size) : c10::nullopt;
  c10::optional<at::ArrayRef<double>> sf;
  if (scales) sf = at::ArrayRef<double>(*scales);
  if (mode == "nearest") {
    if (spatial == 1) return Wrap(info.Env(), at::upsample_nearest1d(x, os, sf));
    if (spatial == 2) return Wrap(info.Env(), at::upsample_nearest2d(x, os, sf));
    if (spatial == 3) return Wrap(info.Env(), at::upsample_nearest3d(x, os, sf));
  } else if (mode == "nearest-exact") {
    if (spatial == 1) return Wrap(info.Env(), at::_upsample_nearest_exact1d(x, os, sf));
    if (spatial == 2) return Wrap(info.Env(), at::_upsample_nearest_exact2d(x, os, sf));
    if (spatial == 3) return Wrap(info.Env(), at::_upsample_nearest_exact3d(x, os, sf));
  } else if (mode == "linear" && spatial == 1) {
    return Wrap(info.Env(), at::upsample_linear1d(x, os, ac, sf));
  } else if (mode == "bilinear" && spatial == 2) {
    return Wrap(info.Env(), at::upsample_bilinear2d(x, os, ac, sf));
  } else if (mode == "bicubic" && spatial == 2) {
    return Wrap(info.Env(), at::upsample_bicubic2d(x, os, ac, sf));
  } else if (mode == "trilinear" && spatial == 3) {
    return Wrap(info.Env(), at::upsample_trilinear3d(x, os, ac, sf));
  } else if (mode == "area" && size) {
    if (spatial == 1) return Wrap(info.Env(), at::adaptive_avg_pool1d(x, *size));
    if (spatial == 2) return Wrap(info.Env(), at::adaptive_avg_pool2d(x, *size));
    if (spatial == 3) return Wrap(info.Env(), at::adaptive_avg_pool3d(x, *size));
  }
  throw std::invalid_argument("interpolate: mode '" + mode + "' does not apply to a " + std::to_string(x.dim()) + "-d input" +
                              (mode == "area" && !size ? " without an output size" : ""));
}

// affineGrid(theta, size, alignCorners)
Napi::Value AffineGrid(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::affine_grid_generator(T(info, 0), Ints(info, 1), Bool(info, 2)));
}

// gridSample(x, grid, modeCode (0 bilinear, 1 nearest, 2 bicubic), paddingCode (0 zeros, 1 border, 2 reflection), alignCorners)
Napi::Value GridSample(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::grid_sampler(T(info, 0), T(info, 1), Int(info, 2), Int(info, 3), Bool(info, 4)));
}

Napi::Value Embedding(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::embedding(T(info, 0), T(info, 1))); }
Napi::Value PixelShuffle(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::pixel_shuffle(T(info, 0), Int(info, 1))); }

}  // namespace

void RegisterNN(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "conv", Conv);
  VES_DEF(e, "convTranspose", ConvTranspose);
  VES_DEF(e, "maxPool", MaxPool);
  VES_DEF(e, "maxPoolWithIndices", MaxPoolWithIndices);
  VES_DEF(e, "avgPool", AvgPool);
  VES_DEF(e, "adaptiveAvgPool", AdaptiveAvgPool);
  VES_DEF(e, "adaptiveMaxPool", AdaptiveMaxPool);
  VES_DEF(e, "batchNorm", BatchNorm);
  VES_DEF(e, "instanceNorm", InstanceNorm);
  VES_DEF(e, "groupNorm", GroupNorm);
  VES_DEF(e, "layerNorm", LayerNorm);
  VES_DEF(e, "dropout", Dropout);
  VES_DEF(e, "interpolate", Interpolate);
  VES_DEF(e, "affineGrid", AffineGrid);
  VES_DEF(e, "gridSample", GridSample);
  VES_DEF(e, "embedding", Embedding);
  VES_DEF(e, "pixelShuffle", PixelShuffle);
}

}  // namespace ves
