// Heavy work off the JavaScript thread (libuv's pool): each function returns a Promise. The caller
// must not use the tensors involved until the promise settles.
#include "common.h"

#include <ATen/Parallel.h>

#include <functional>

namespace ves {
namespace {

class TensorWorker : public Napi::AsyncWorker {
 public:
  TensorWorker(Napi::Env env, std::function<at::Tensor()> work)
      : Napi::AsyncWorker(env, "vesalius"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        gradEnabled_(c10::GradMode::is_enabled()) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      // Same intra-op thread count and grad mode as the JavaScript thread that asked.
      at::init_num_threads();
      c10::AutoGradMode mode(gradEnabled_);
      result_ = work_();
    } catch (const c10::Error& e) {
      SetError(CleanMessage(e));
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  // Both completions may run while a worker thread is being terminated: JavaScript can no longer be
  // called then, and the failure is dropped rather than thrown out of the event loop.
  void OnOK() override {
    try {
      if (result_.defined()) deferred_.Resolve(Wrap(Env(), std::move(result_)));
      else deferred_.Resolve(Env().Undefined());
    } catch (const Napi::Error&) {
    }
  }

  void OnError(const Napi::Error& e) override {
    try {
      AddonData& d = Data(Env());
      std::string msg = e.Message();
      if (!d.errorClass.IsEmpty()) deferred_.Reject(d.errorClass.New({Napi::String::New(Env(), msg)}));
      else deferred_.Reject(Napi::Error::New(Env(), msg).Value());
    } catch (const Napi::Error&) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<at::Tensor()> work_;
  bool gradEnabled_;
  at::Tensor result_;
};

Napi::Value Run(Napi::Env env, std::function<at::Tensor()> work) {
  auto* w = new TensorWorker(env, std::move(work));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// backwardAsync(t, grad?, retainGraph?)
Napi::Value BackwardAsync(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0);
  auto g = OptT(info, 1);
  c10::optional<bool> retain;
  if (!IsAbsent(info, 2)) retain = Bool(info, 2);
  at::Tensor grad = g ? *g : at::Tensor();
  return Run(info.Env(), [t, grad, retain]() {
    t.backward(grad, retain, false);
    return at::Tensor();
  });
}

// convAsync(x, w, b?, stride, padding, dilation, groups)
Napi::Value ConvAsync(const Napi::CallbackInfo& info) {
  at::Tensor x = T(info, 0), w = T(info, 1);
  auto b = OptT(info, 2);
  auto stride = Ints(info, 3), padding = Ints(info, 4), dilation = Ints(info, 5);
  int64_t groups = Int(info, 6);
  return Run(info.Env(), [=]() { return at::convolution(x, w, b, stride, padding, dilation, false, std::vector<int64_t>(stride.size(), 0), groups); });
}

// matmulAsync(a, b)
Napi::Value MatmulAsync(const Napi::CallbackInfo& info) {
  at::Tensor a = T(info, 0), b = T(info, 1);
  return Run(info.Env(), [=]() { return at::matmul(a, b); });
}

}  // namespace

void RegisterAsync(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "backwardAsync", BackwardAsync);
  VES_DEF(e, "convAsync", ConvAsync);
  VES_DEF(e, "matmulAsync", MatmulAsync);
}

}  // namespace ves
