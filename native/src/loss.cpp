// Loss primitives. reduction codes: 0 none, 1 mean, 2 sum (libtorch's at::Reduction).
#include "common.h"

namespace ves {
namespace {

// crossEntropy(logits, target, weight?, reduction, ignoreIndex, labelSmoothing) — target holds class
// indices (int64, shape N[,d...]) or probabilities (same shape as logits)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cross_entropy_loss(T(info, 0), T(info, 1), OptT(info, 2), Int(info, 3), Int(info, 4), Num(info, 5)));
}

// nllLoss(logProbs, target, weight?, reduction, ignoreIndex)
Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::nll_loss_nd(T(info, 0), T(info, 1), OptT(info, 2), Int(info, 3), Int(info, 4)));
}

// bceWithLogits(logits, target, weight?, posWeight?, reduction)
Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::binary_cross_entropy_with_logits(T(info, 0), T(info, 1), OptT(info, 2), OptT(info, 3), Int(info, 4)));
}

// bce(probabilities, target, weight?, reduction)
Napi::Value Bce(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::binary_cross_entropy(T(info, 0), T(info, 1), OptT(info, 2), Int(info, 3)));
}

Napi::Value MseLoss(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::mse_loss(T(info, 0), T(info, 1), Int(info, 2))); }
Napi::Value L1Loss(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::l1_loss(T(info, 0), T(info, 1), Int(info, 2))); }
// smoothL1Loss(input, target, reduction, beta) / huberLoss(input, target, reduction, delta)
Napi::Value SmoothL1Loss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::smooth_l1_loss(T(info, 0), T(info, 1), Int(info, 2), Num(info, 3)));
}
Napi::Value HuberLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::huber_loss(T(info, 0), T(info, 1), Int(info, 2), Num(info, 3)));
}
// klDiv(input (log-probabilities), target, reduction, logTarget)
Napi::Value KlDiv(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::kl_div(T(info, 0), T(info, 1), Int(info, 2), Bool(info, 3)));
}

}  // namespace

void RegisterLoss(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "crossEntropy", CrossEntropy);
  VES_DEF(e, "nllLoss", NllLoss);
  VES_DEF(e, "bceWithLogits", BceWithLogits);
  VES_DEF(e, "bce", Bce);
  VES_DEF(e, "mseLoss", MseLoss);
  VES_DEF(e, "l1Loss", L1Loss);
  VES_DEF(e, "smoothL1Loss", SmoothL1Loss);
  VES_DEF(e, "huberLoss", HuberLoss);
  VES_DEF(e, "klDiv", KlDiv);
}

}  // namespace ves
