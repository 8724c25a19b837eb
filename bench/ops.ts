// Per-op timing, Vesalius vs PyTorch (Debian's python3-torch, same libtorch, same thread count), to
// locate any per-call overhead of the addon. Usage: node --import tsx bench/ops.ts [--reps 7] [--threads N]
// Prints the best-of-reps milliseconds of each case for both and their ratio.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as ve from '../src/engine/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const reps = arg('reps', 7);
const threads = arg('threads', availableParallelism());
ve.setNumThreads(threads);

interface Case {
  name: string;
  /** Python statement timed as one repetition; setup code defines its tensors */
  py: [setup: string, stmt: string];
  ts: () => () => void;
}

const adamShapes = [
  [16, 1, 3, 3],
  [16],
  [16, 16, 3, 3],
  [16],
  [32, 16, 3, 3],
  [32],
  [32, 32, 3, 3],
  [32],
  [64, 32, 3, 3],
  [64],
  [64, 64, 3, 3],
  [64],
  [64, 32, 2, 2],
  [32],
  [32, 64, 3, 3],
  [32],
  [1, 16, 1, 1],
  [1],
];

const cases: Case[] = [
  {
    name: 'conv2d 3×3 forward [8,16,128,128]',
    py: ['x=torch.randn(8,16,128,128); w=torch.randn(16,16,3,3); b=torch.randn(16)', 'F.conv2d(x,w,b,padding=1)'],
    ts: () => {
      const x = ve.randn([8, 16, 128, 128]),
        w = ve.randn([16, 16, 3, 3]),
        b = ve.randn([16]);
      return () => ve.conv2d(x, w, b, { padding: 1 }).dispose();
    },
  },
  {
    name: 'conv2d 3×3 forward+backward',
    py: [
      'x=torch.randn(8,16,128,128,requires_grad=True); w=torch.randn(16,16,3,3,requires_grad=True)',
      'F.conv2d(x,w,padding=1).sum().backward()',
    ],
    ts: () => {
      const x = ve.randn([8, 16, 128, 128], { requiresGrad: true }),
        w = ve.randn([16, 16, 3, 3], { requiresGrad: true });
      return () =>
        ve.tidy(() => {
          x.zeroGrad();
          w.zeroGrad();
          ve.conv2d(x, w, null, { padding: 1 }).sum().backward();
        });
    },
  },
  {
    name: 'convTranspose2d 2×2/2 forward+backward [8,64,32,32]',
    py: [
      'x=torch.randn(8,64,32,32,requires_grad=True); w=torch.randn(64,32,2,2,requires_grad=True)',
      'F.conv_transpose2d(x,w,stride=2).sum().backward()',
    ],
    ts: () => {
      const x = ve.randn([8, 64, 32, 32], { requiresGrad: true }),
        w = ve.randn([64, 32, 2, 2], { requiresGrad: true });
      return () =>
        ve.tidy(() => {
          x.zeroGrad();
          w.zeroGrad();
          ve.convTranspose2d(x, w, null, { stride: 2 }).sum().backward();
        });
    },
  },
  {
    name: 'maxPool2d + relu + cat forward+backward',
    py: [
      'x=torch.randn(8,16,128,128,requires_grad=True)',
      'torch.cat([F.max_pool2d(F.relu(x),2)]*2,1).sum().backward()',
    ],
    ts: () => {
      const x = ve.randn([8, 16, 128, 128], { requiresGrad: true });
      return () =>
        ve.tidy(() => {
          x.zeroGrad();
          const p = ve.maxPool2d(ve.relu(x), 2);
          ve.cat([p, p], 1).sum().backward();
        });
    },
  },
  {
    name: 'BCE with logits forward+backward [8,1,128,128]',
    py: [
      'x=torch.randn(8,1,128,128,requires_grad=True); y=(torch.rand(8,1,128,128)>0.5).float()',
      'F.binary_cross_entropy_with_logits(x,y).backward()',
    ],
    ts: () => {
      const x = ve.randn([8, 1, 128, 128], { requiresGrad: true }),
        y = ve.gt(ve.rand([8, 1, 128, 128]), 0.5).float();
      return () =>
        ve.tidy(() => {
          x.zeroGrad();
          ve.binaryCrossEntropyWithLogits(x, y).backward();
        });
    },
  },
  {
    name: 'Adam update, 18 U-Net parameters (~140 small ops)',
    py: [
      `ps=[torch.randn(*s) for s in ${JSON.stringify(adamShapes)}]; gs=[torch.randn_like(p) for p in ps]; ms=[torch.zeros_like(p) for p in ps]; vs=[torch.zeros_like(p) for p in ps]
def adam():
    for p,g,m,v in zip(ps,gs,ms,vs):
        m.mul_(0.9).add_(g,alpha=0.1); v.mul_(0.999).addcmul_(g,g,value=0.001)
        d=(v.sqrt()/0.5).add_(1e-8); p.addcdiv_(m,d,value=-1e-3)`,
      'adam()',
    ],
    ts: () => {
      const ps = adamShapes.map((s) => ve.randn(s)),
        gs = ps.map((p) => ve.randnLike(p)),
        ms = ps.map((p) => ve.zerosLike(p)),
        vs = ps.map((p) => ve.zerosLike(p));
      return () =>
        ve.tidy(() =>
          ps.forEach((p, i) => {
            ms[i]!.mul_(0.9).add_(gs[i]!, 0.1);
            vs[i]!.mul_(0.999).addcmul_(gs[i]!, gs[i]!, 0.001);
            const d = vs[i]!.sqrt().div_(0.5).add_(1e-8);
            p.addcdiv_(ms[i]!, d, -1e-3);
          }),
        );
    },
  },
  {
    name: '1,000 tiny adds (per-call overhead)',
    py: ['a=torch.ones(4); b=torch.ones(4)', 'for _ in range(1000): a+b'],
    ts: () => {
      const a = ve.ones([4]),
        b = ve.ones([4]);
      return () =>
        ve.tidy(() => {
          for (let i = 0; i < 1000; i++) ve.add(a, b);
        });
    },
  },
];

function timeTs(c: Case): number {
  const run = c.ts();
  run();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function timePy(c: Case): number {
  const code = `
import time, torch, torch.nn.functional as F
torch.set_num_threads(${threads}); torch.manual_seed(0)
${c.py[0]}
def run():
    ${c.py[1]}
run()
best = float('inf')
for _ in range(${reps}):
    t = time.perf_counter(); run(); best = min(best, time.perf_counter() - t)
print(best * 1000)`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return NaN;
  return Number(r.stdout.trim());
}

console.log(`threads ${threads}, best of ${reps}`);
console.log('case'.padEnd(56) + 'vesalius ms'.padStart(12) + 'pytorch ms'.padStart(12) + 'ratio'.padStart(8));
for (const c of cases) {
  const py = timePy(c);
  const ts = timeTs(c);
  console.log(
    c.name.padEnd(56) +
      ts.toFixed(2).padStart(12) +
      (Number.isNaN(py) ? 'n/a' : py.toFixed(2)).padStart(12) +
      (ts / py).toFixed(2).padStart(8),
  );
}
