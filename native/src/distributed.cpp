// Data-parallel training over torch.distributed's c10d: a TCPStore rendezvous (rank 0 hosts it) and
// a ProcessGroupGloo (CPU collectives over TCP). Every collective runs on libuv's thread pool and
// returns a Promise, so a rank waiting for its peers never blocks the JavaScript thread; a peer that
// dies closes its sockets and the waiting collective fails with Gloo's message instead of hanging.
#include "common.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <functional>

namespace ves {
namespace {

struct Group {
  static constexpr uint64_t kMagic = 0x56455344'49535447ull;  // "VESDISTG"
  uint64_t magic = kMagic;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  int rank = 0;
  int world = 1;
};

Group* GroupOf(const Napi::CallbackInfo& info, size_t i) {
  Group* g = nullptr;
  if (i < info.Length() && info[i].IsExternal()) g = info[i].As<Napi::External<Group>>().Data();
  if (g == nullptr || g->magic != Group::kMagic || !g->pg)
    throw std::invalid_argument("argument " + std::to_string(i + 1) + " must be an open process group");
  return g;
}

// Runs `work` on the thread pool; `done` makes the resolved value on the JavaScript thread.
class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env, "vesalius-distributed"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        done_(std::move(done)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      c10::AutoGradMode mode(false);
      work_();
    } catch (const c10::Error& e) {
      SetError(CleanMessage(e));
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    try {
      deferred_.Resolve(done_ ? done_(Env()) : Env().Undefined());
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error& e) override {
    try {
      AddonData& d = Data(Env());
      if (!d.errorClass.IsEmpty()) deferred_.Reject(d.errorClass.New({Napi::String::New(Env(), e.Message())}));
      else deferred_.Reject(e.Value());
    } catch (const Napi::Error&) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> done_;
};

Napi::Value Run(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> done = nullptr) {
  auto* w = new Worker(env, std::move(work), std::move(done));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// distInit(rank, worldSize, host, port, timeoutMs, interface?) → Promise<group>. Rank 0 hosts the
// store on host:port; every rank connects to it, then Gloo connects every pair of ranks.
Napi::Value DistInit(const Napi::CallbackInfo& info) {
  int rank = static_cast<int>(Int(info, 0)), world = static_cast<int>(Int(info, 1));
  std::string host = Str(info, 2);
  int64_t port = Int(info, 3);
  auto timeout = std::chrono::milliseconds(Int(info, 4));
  std::string iface = IsAbsent(info, 5) ? "" : Str(info, 5);
  if (world < 1 || rank < 0 || rank >= world)
    throw std::invalid_argument("rank " + std::to_string(rank) + " is outside 0.." + std::to_string(world - 1));
  if (port < 0 || port > 65535) throw std::invalid_argument("port " + std::to_string(port) + " is outside 0..65535");
  auto group = std::make_shared<Group>();
  group->rank = rank;
  group->world = world;
  return Run(
      info.Env(),
      [=]() {
        c10d::TCPStoreOptions o;
        o.port = static_cast<uint16_t>(port);
        o.isServer = rank == 0;
        o.numWorkers = static_cast<size_t>(world);
        o.waitWorkers = false;  // Gloo's own rendezvous below waits for every rank
        o.timeout = timeout;
        group->store = c10::make_intrusive<c10d::TCPStore>(host, o);
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        if (!iface.empty()) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
        else if (IsLoopback(host)) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        options->threads = 2;
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>("vesalius", group->store);
        group->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world, options);
      },
      [group](Napi::Env env) -> Napi::Value {
        auto* g = new Group(*group);
        return Napi::External<Group>::New(env, g, [](Napi::Env, Group* p) { delete p; });
      });
}

// Flattens tensors of one dtype into buckets of at most `bucketBytes`, all-reduces them (sum) all at
// once, divides by `divisor` and copies the results back.
void ReduceInBuckets(const c10::intrusive_ptr<c10d::ProcessGroupGloo>& pg, std::vector<at::Tensor> tensors,
                     int64_t bucketBytes, double divisor) {
  std::vector<std::vector<at::Tensor>> buckets;
  std::vector<at::Tensor> current;
  int64_t bytes = 0;
  for (auto& t : tensors) {
    int64_t n = t.numel() * static_cast<int64_t>(t.element_size());
    if (!current.empty() && (bytes + n > bucketBytes || current.front().scalar_type() != t.scalar_type())) {
      buckets.push_back(std::move(current));
      current.clear();
      bytes = 0;
    }
    current.push_back(t);
    bytes += n;
  }
  if (!current.empty()) buckets.push_back(std::move(current));
  std::vector<at::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (auto& b : buckets) {
    std::vector<at::Tensor> pieces;
    for (auto& t : b) pieces.push_back(t.reshape({-1}));
    std::vector<at::Tensor> flat{at::cat(pieces)};
    works.push_back(pg->allreduce(flat));
    flats.push_back(flat[0]);
  }
  for (auto& w : works) w->wait();
  for (size_t i = 0; i < buckets.size(); i++) {
    if (divisor != 1.0) flats[i].div_(divisor);
    int64_t offset = 0;
    for (auto& t : buckets[i]) {
      t.copy_(flats[i].narrow(0, offset, t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

// allReduceGradients(group, params[], bucketBytes) → Promise: every parameter's gradient becomes the
// mean over the ranks. A parameter the forward pass did not use has no gradient on any rank (the ranks
// run the same network) and is left out, so the optimizer skips it as in one process.
Napi::Value AllReduceGradients(const Napi::CallbackInfo& info) {
  Group* g = GroupOf(info, 0);
  std::vector<at::Tensor> params = TList(info, 1);
  int64_t bucketBytes = Int(info, 2);
  std::vector<at::Tensor> grads;
  for (auto& p : params)
    if (p.grad().defined()) grads.push_back(p.mutable_grad());
  auto pg = g->pg;
  double world = g->world;
  return Run(info.Env(), [=]() { ReduceInBuckets(pg, grads, bucketBytes, world); });
}

// allReduce(group, tensors[], mean) → Promise: in place, sum (or mean) over the ranks.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  Group* g = GroupOf(info, 0);
  std::vector<at::Tensor> tensors = TList(info, 1);
  bool mean = !IsAbsent(info, 2) && Bool(info, 2);
  auto pg = g->pg;
  double divisor = mean ? g->world : 1.0;
  return Run(info.Env(), [=]() { ReduceInBuckets(pg, tensors, int64_t(1) << 62, divisor); });
}

// broadcast(group, tensors[], root) → Promise: in place, every rank gets root's values.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Group* g = GroupOf(info, 0);
  std::vector<at::Tensor> tensors = TList(info, 1);
  int64_t root = Int(info, 2);
  auto pg = g->pg;
  return Run(info.Env(), [=]() {
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto t : tensors) {
      // Gloo broadcasts contiguous dense tensors: go through a contiguous copy when needed
      std::vector<at::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
      c10d::BroadcastOptions o;
      o.rootRank = root;
      pg->broadcast(one, o)->wait();
      if (!one[0].is_same(t)) t.copy_(one[0]);
    }
  });
}

// barrier(group) → Promise
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Group* g = GroupOf(info, 0);
  auto pg = g->pg;
  return Run(info.Env(), [=]() { pg->barrier()->wait(); });
}

// distDestroy(group) — closes the group's connections and the store (rank 0 stops hosting it).
Napi::Value DistDestroy(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsExternal()) {
    Group* g = info[0].As<Napi::External<Group>>().Data();
    if (g != nullptr && g->magic == Group::kMagic) {
      g->pg.reset();
      g->store.reset();
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterDistributed(Napi::Env env, Napi::Object e) {
  VES_DEF(e, "distInit", DistInit);
  VES_DEF(e, "allReduceGradients", AllReduceGradients);
  VES_DEF(e, "allReduce", AllReduce);
  VES_DEF(e, "broadcast", Broadcast);
  VES_DEF(e, "barrier", Barrier);
  VES_DEF(e, "distDestroy", DistDestroy);
}

}  // namespace ves
