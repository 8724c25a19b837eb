/**
 * The engine benchmark: the reference 2D U-Net (16-32-64, batch 8 of 1×128×128,
 * BCE-with-logits, Adam 1e-3) trained and run in Vesalius and in PyTorch (Debian's python3-torch,
 * the same libtorch) with the same thread count, in the same run. Each side runs in its own child
 * process so that its peak RSS is its own.
 *
 *   npx tsx bench/engine.ts [--steps 20] [--warmup 3] [--threads N] [--rounds 2] [--variants fp32,channels-last,bf16]
 *
 * With several rounds the two sides alternate (Vesalius, PyTorch, PyTorch, Vesalius, ...) and each cell is the
 * best round's value, which damps the noise of a machine shared with other work.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.VESALIUS_TORCH_PYTHON ?? '/usr/bin/python3';

interface Measurement {
  stepMs: number;
  /** process CPU time (user + system, all threads) per step: less sensitive than wall time to other load */
  stepCpuMs: number;
  inferMs: number;
  peakRssMiB: number;
  firstLoss: number;
  lastLoss: number;
  threads: number;
  params: number;
}

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '128' },
    variants: { type: 'string', default: 'fp32,channels-last,bf16' },
    rounds: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function vesaliusChild(variant: string): Promise<Measurement> {
  const { setNumThreads, getNumThreads } = await import('../src/engine/threads.js');
  const { manualSeed } = await import('../src/engine/random.js');
  const { randn, rand } = await import('../src/engine/creation.js');
  const { noGrad } = await import('../src/engine/autograd.js');
  const { tidy } = await import('../src/engine/memory.js');
  const { binaryCrossEntropyWithLogits } = await import('../src/engine/ops.js');
  const { Adam } = await import('../src/engine/optim/adam.js');
  const { ReferenceUNet2d } = await import('../src/nets/reference-unet.js');
  const { withVariant } = await import('./engine-variants.js');

  setNumThreads(Number(args.threads));
  manualSeed(0);
  const n = Number(args.batch);
  const size = Number(args.size);
  const steps = Number(args.steps);
  const warmup = Number(args.warmup);
  const model = new ReferenceUNet2d();
  const v = withVariant(variant, model); // before the optimizer: a variant may re-lay the parameters
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = v.prepareInput(randn([n, 1, size, size]));
  const y = tidy(() => rand([n, 1, size, size]).gt(0.5).to('float32'));

  const times: number[] = [];
  const cpuTimes: number[] = [];
  const losses: number[] = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    const loss = tidy(() => {
      optimizer.zeroGrad();
      // An inner scope frees the activations' handles before backward: autograd keeps what it saved and
      // releases it as backward goes, as PyTorch's reference counting does.
      const l = tidy(() => binaryCrossEntropyWithLogits(v.forward(x), y, { reduction: 'mean' }));
      l.backward();
      optimizer.step();
      return l.item();
    });
    losses.push(loss);
    if (i >= warmup) {
      times.push(performance.now() - t0);
      cpuTimes.push(cpuMs() - c0);
    }
  }
  model.eval();
  const infer: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    noGrad(() => tidy(() => v.forward(x).to('float32').sum().item()));
    if (i >= warmup) infer.push(performance.now() - t0);
  }
  return {
    stepMs: median(times),
    stepCpuMs: median(cpuTimes),
    inferMs: median(infer),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    firstLoss: losses[0]!,
    lastLoss: losses.at(-1)!,
    threads: getNumThreads(),
    params: model.numParameters(),
  };
}

function runChild(command: string, argv: string[]): Measurement | string {
  const r = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    return (r.stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit ${r.status}`).slice(0, 160);
  }
  return JSON.parse(line) as Measurement;
}

/** The best (lowest) value of each measure over the rounds; an error string when every round failed. */
function best(rounds: Array<Measurement | string>): Measurement | string {
  const ok = rounds.filter((r): r is Measurement => typeof r !== 'string');
  if (ok.length === 0) return rounds[0]!;
  const min = (k: 'stepMs' | 'stepCpuMs' | 'inferMs' | 'peakRssMiB') => Math.min(...ok.map((m) => m[k]));
  return {
    ...ok[0]!,
    stepMs: min('stepMs'),
    stepCpuMs: min('stepCpuMs'),
    inferMs: min('inferMs'),
    peakRssMiB: min('peakRssMiB'),
  };
}

function fmt(x: number, digits = 1): string {
  return x.toFixed(digits);
}

async function main(): Promise<void> {
  if (args.child !== undefined) {
    process.stdout.write(`${JSON.stringify(await vesaliusChild(args.child))}\n`);
    return;
  }
  const common = [
    '--steps',
    args.steps!,
    '--warmup',
    args.warmup!,
    '--threads',
    args.threads!,
    '--batch',
    args.batch!,
    '--size',
    args.size!,
  ];
  const rows: string[][] = [];
  process.stderr.write(
    `reference U-Net, batch ${args.batch} × 1×${args.size}×${args.size}, ${args.threads} threads, median of ${args.steps} steps after ${args.warmup} warm-up, best of ${args.rounds} alternating rounds\n`,
  );
  for (const variant of args.variants!.split(',')) {
    process.stderr.write(`running ${variant} ...\n`);
    const pyFlags = variant === 'channels-last' ? ['--channels-last'] : variant === 'bf16' ? ['--bf16'] : [];
    const vesRounds: Array<Measurement | string> = [];
    const torchRounds: Array<Measurement | string> = [];
    const runVes = () =>
      vesRounds.push(
        runChild(process.execPath, ['--import', 'tsx', join(here, 'engine.ts'), '--child', variant, ...common]),
      );
    const runTorch = () => torchRounds.push(runChild(PYTHON, [join(here, 'engine_torch.py'), ...common, ...pyFlags]));
    // ABBA order (Vesalius, PyTorch, PyTorch, Vesalius, ...) so that a drift in the machine's load
    // does not favour the side that always runs second.
    for (let r = 0; r < Number(args.rounds); r++) {
      if (r % 2 === 0) {
        runVes();
        runTorch();
      } else {
        runTorch();
        runVes();
      }
    }
    const ves = best(vesRounds);
    const torch = best(torchRounds);
    const cell = (m: Measurement | string, k: keyof Measurement) => (typeof m === 'string' ? '—' : fmt(m[k] as number));
    const ratio = (k: keyof Measurement) =>
      typeof ves === 'string' || typeof torch === 'string'
        ? '—'
        : `${fmt((ves[k] as number) / (torch[k] as number), 2)}×`;
    rows.push([
      variant,
      cell(ves, 'stepMs'),
      cell(torch, 'stepMs'),
      ratio('stepMs'),
      cell(ves, 'stepCpuMs'),
      cell(torch, 'stepCpuMs'),
      ratio('stepCpuMs'),
      cell(ves, 'inferMs'),
      cell(torch, 'inferMs'),
      ratio('inferMs'),
      cell(ves, 'peakRssMiB'),
      cell(torch, 'peakRssMiB'),
      ratio('peakRssMiB'),
    ]);
    if (typeof ves === 'string') process.stderr.write(`  vesalius ${variant}: ${ves}\n`);
    else
      process.stderr.write(
        `  vesalius loss ${fmt(ves.firstLoss, 4)} → ${fmt(ves.lastLoss, 4)}, ${ves.params} parameters, ${ves.threads} threads\n`,
      );
    if (typeof torch === 'string') process.stderr.write(`  pytorch ${variant}: ${torch}\n`);
    else
      process.stderr.write(
        `  pytorch  loss ${fmt(torch.firstLoss, 4)} → ${fmt(torch.lastLoss, 4)}, ${torch.params} parameters, ${torch.threads} threads\n`,
      );
  }
  const header = [
    'variant',
    'step ms ves',
    'step ms torch',
    'ratio',
    'step CPU-ms ves',
    'step CPU-ms torch',
    'ratio',
    'infer ms ves',
    'infer ms torch',
    'ratio',
    'peak RSS MiB ves',
    'peak RSS MiB torch',
    'ratio',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
