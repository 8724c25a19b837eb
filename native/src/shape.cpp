// Shape and indexing operations (views where libtorch makes views).
#include "common.h"

namespace ves {
namespace {

Napi::Value Reshape(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::reshape(T(info, 0), Ints(info, 1))); }
Napi::Value View(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).view(Ints(info, 1))); }
Napi::Value Permute(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::permute(T(info, 0), Ints(info, 1))); }
Napi::Value Transpose(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::transpose(T(info, 0), Int(info, 1), Int(info, 2))); }
Napi::Value Movedim(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::movedim(T(info, 0), Ints(info, 1), Ints(info, 2))); }
Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  auto dim = OptInt(info, 1);
  return Wrap(info.Env(), dim ? at::squeeze(T(info, 0), *dim) : at::squeeze(T(info, 0)));
}
Napi::Value Unsqueeze(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::unsqueeze(T(info, 0), Int(info, 1))); }
Napi::Value Expand(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).expand(Ints(info, 1))); }
Napi::Value Flatten(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::flatten(T(info, 0), Int(info, 1), Int(info, 2))); }
Napi::Value Repeat(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).repeat(Ints(info, 1))); }
Napi::Value Tile(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::tile(T(info, 0), Ints(info, 1))); }
Napi::Value Cat(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::cat(TList(info, 0), Int(info, 1))); }
Napi::Value Stack(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::stack(TList(info, 0), Int(info, 1))); }

// split(x, sizeOrSizes, dim): a number splits into equal chunks of that size; an array gives each size
Napi::Value Split(const Napi::CallbackInfo& info) {
  const at::Tensor& x = T(info, 0);
  if (info[1].IsNumber()) return WrapList(info.Env(), at::split(x, Int(info, 1), Int(info, 2)));
  return WrapList(info.Env(), at::split_with_sizes(x, Ints(info, 1), Int(info, 2)));
}
Napi::Value Chunk(const Napi::CallbackInfo& info) { return WrapList(info.Env(), at::chunk(T(info, 0), Int(info, 1), Int(info, 2))); }
Napi::Value Unbind(const Napi::CallbackInfo& info) { return WrapList(info.Env(), at::unbind(T(info, 0), Int(info, 1))); }

// slice(x, dim, start?, end?, step) — start/end may be negative or null, like Python's x[start:end:step]
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::slice(T(info, 0), Int(info, 1), OptInt(info, 2), OptInt(info, 3), OptInt(info, 4).value_or(1)));
}
Napi::Value Narrow(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::narrow(T(info, 0), Int(info, 1), Int(info, 2), Int(info, 3))); }
Napi::Value Select(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::select(T(info, 0), Int(info, 1), Int(info, 2))); }
Napi::Value IndexSelect(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::index_select(T(info, 0), Int(info, 1), T(info, 2))); }
Napi::Value Gather(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::gather(T(info, 0), Int(info, 1), T(info, 2))); }

// scatter(x, dim, index, src|number) — out-of-place; scatterAdd(x, dim, index, src)
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  if (IsHandle(info[3])) return Wrap(info.Env(), at::scatter(T(info, 0), Int(info, 1), T(info, 2), T(info, 3)));
  return Wrap(info.Env(), at::scatter(T(info, 0), Int(info, 1), T(info, 2), Scal(info, 3)));
}
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::scatter_add(T(info, 0), Int(info, 1), T(info, 2), T(info, 3)));
}
Napi::Value IndexAdd(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::index_add(T(info, 0), Int(info, 1), T(info, 2), T(info, 3)));
}
Napi::Value MaskedSelect(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::masked_select(T(info, 0), T(info, 1))); }
Napi::Value Nonzero(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::nonzero(T(info, 0))); }

Napi::Value Flip(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::flip(T(info, 0), Ints(info, 1))); }
Napi::Value Roll(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::roll(T(info, 0), Ints(info, 1), Ints(info, 2))); }
Napi::Value Tril(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::tril(T(info, 0), OptInt(info, 1).value_or(0))); }
Napi::Value Triu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::triu(T(info, 0), OptInt(info, 1).value_or(0))); }

// pad(x, pads, mode, value?) — pads as in torch.nn.functional.pad: last dimension first, (before, after) pairs;
// mode "constant" | "reflect" | "replicate" | "circular"
Napi::Value Pad(const Napi::CallbackInfo& info) {
  std::string mode = Str(info, 2);
  c10::optional<double> value;
  if (mode == "constant") value = OptNum(info, 3);
  return Wrap(info.Env(), at::pad(T(info, 0), Ints(info, 1), mode, value));
}

Napi::Value OneHot(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::one_hot(T(info, 0), OptInt(info, 1).value_or(-1))); }

Napi::Value Meshgrid(const Napi::CallbackInfo& info) { return WrapList(info.Env(), at::meshgrid(TList(info, 0), "ij")); }

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "reshape", Reshape);
  VES_DEF(e, "view", View);
  VES_DEF(e, "permute", Permute);
  VES_DEF(e, "transpose", Transpose);
  VES_DEF(e, "movedim", Movedim);
  VES_DEF(e, "squeeze", Squeeze);
  VES_DEF(e, "unsqueeze", Unsqueeze);
  VES_DEF(e, "expand", Expand);
  VES_DEF(e, "flatten", Flatten);
  VES_DEF(e, "repeat", Repeat);
  VES_DEF(e, "tile", Tile);
  VES_DEF(e, "cat", Cat);
  VES_DEF(e, "stack", Stack);
  VES_DEF(e, "split", Split);
  VES_DEF(e, "chunk", Chunk);
  VES_DEF(e, "unbind", Unbind);
  VES_DEF(e, "slice", Slice);
  VES_DEF(e, "narrow", Narrow);
  VES_DEF(e, "select", Select);
  VES_DEF(e, "indexSelect", IndexSelect);
  VES_DEF(e, "gather", Gather);
  VES_DEF(e, "scatter", Scatter);
  VES_DEF(e, "scatterAdd", ScatterAdd);
  VES_DEF(e, "indexAdd", IndexAdd);
  VES_DEF(e, "maskedSelect", MaskedSelect);
  VES_DEF(e, "nonzero", Nonzero);
  VES_DEF(e, "flip", Flip);
  VES_DEF(e, "roll", Roll);
  VES_DEF(e, "tril", Tril);
  VES_DEF(e, "triu", Triu);
  VES_DEF(e, "pad", Pad);
  VES_DEF(e, "oneHot", OneHot);
  VES_DEF(e, "meshgrid", Meshgrid);
}

}  // namespace ves
