/**
 * Sliding-window inference benchmark: a 3D U-Net (nnU-Net's plain U-Net, instance norm,
 * leaky ReLU) over a random volume, Gaussian weighting, overlap 0.5, with and without mirroring TTA,
 * in Vesalius (src/infer/sliding-window.ts) and in PyTorch (bench/infer_torch.py: the same network
 * definition loading the same safetensors weights by name, the same windows and Gaussian map), with the
 * same thread count, each side in its own child process, the two alternating run by run. Prints a table of
 * median seconds, the speed ratio, and the largest difference between the two probability maps.
 *
 *   npx tsx bench/infer.ts [--volume 256,256,128] [--patch 128,128,64] [--features 16,32,64,128]
 *                          [--mirror-volume 128,128,64] [--repeats 1] [--batch 1] [--threads N] [--scenarios plain,mirror]
 *
 * Sizes are in image order (i, j, k), like a plan. Mirroring multiplies the work by 8: on a 2-core
 * machine its row runs on `--mirror-volume` (pass the full volume to time that instead).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.VESALIUS_TORCH_PYTHON ?? '/usr/bin/python3';

const { values: args } = parseArgs({
  options: {
    volume: { type: 'string', default: '256,256,128' },
    'mirror-volume': { type: 'string', default: '128,128,64' },
    patch: { type: 'string', default: '128,128,64' },
    features: { type: 'string', default: '16,32,64,128' },
    repeats: { type: 'string', default: '1' },
    batch: { type: 'string', default: '1' },
    threads: { type: 'string', default: String(availableParallelism()) },
    scenarios: { type: 'string', default: 'plain,mirror' },
    // child mode
    child: { type: 'string' },
    data: { type: 'string' },
    weights: { type: 'string' },
    mirror: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const list = (s: string) => s.split(',').map(Number);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Measurement {
  times: number[];
  peakRssMiB: number;
  threads: number;
}

async function engine() {
  const ve = await import('../src/engine/index.js');
  const { UNet } = await import('../src/nets/index.js');
  const safetensors = await import('../src/engine/safetensors.js');
  const features = list(args.features);
  const build = () => new UNet({ spatialDims: 3, inChannels: 1, numClasses: 2, features, deepSupervision: false });
  return { ve, build, safetensors };
}

/** Writes the weights, the input volume, the windows and the Gaussian map that both sides use. */
async function prepare(
  dir: string,
  volume: number[],
  name: string,
): Promise<{ data: string; weights: string; windows: number }> {
  const { ve, build, safetensors } = await engine();
  const { gaussianImportanceMap, slidingWindows } = await import('../src/infer/windows.js');
  const patch = list(args.patch);
  ve.manualSeed(0);
  const model = build();
  const weights = join(dir, 'weights.safetensors');
  safetensors.saveModule(model, weights);
  const tensorShape = [...volume].reverse();
  const tiling = slidingWindows(volume, patch, 0.5);
  if (tiling.paddedShape.some((p, d) => p !== volume[d]))
    throw new Error('the benchmark volume must be at least the patch on every axis');
  const windows = tiling.windows.map((w) => [...w].reverse());
  const data = join(dir, `${name}.safetensors`);
  safetensors.writeSafetensors(data, {
    input: ve.randn([1, 1, ...tensorShape]),
    gaussian: ve.Tensor.from(gaussianImportanceMap(patch), [...patch].reverse()),
    windows: ve.Tensor.from(Int32Array.from(windows.flat()), [windows.length, 3]),
  });
  return { data, weights, windows: windows.length };
}

async function vesaliusChild(): Promise<Measurement> {
  const { ve, build, safetensors } = await engine();
  const { slidingWindowInference } = await import('../src/infer/sliding-window.js');
  ve.setNumThreads(Number(args.threads));
  const model = build();
  safetensors.loadModule(model, args.weights!);
  model.eval();
  const data = safetensors.readSafetensors(args.data!);
  const patch = data.gaussian!.shape;
  const times: number[] = [];
  let out: InstanceType<typeof ve.Tensor> | undefined;
  for (let r = 0; r < Number(args.repeats); r++) {
    out?.dispose();
    const t0 = performance.now();
    out = await slidingWindowInference(model, data.input!, {
      patchSize: patch,
      overlap: 0.5,
      batchSize: Number(args.batch),
      mirror: args.mirror,
    });
    times.push((performance.now() - t0) / 1000);
  }
  if (args.out) safetensors.writeSafetensors(args.out, { probabilities: out! });
  return { times, peakRssMiB: process.resourceUsage().maxRSS / 1024, threads: ve.getNumThreads() };
}

function runChild(command: string, argv: string[]): Measurement {
  const r = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Measurement;
}

async function maxDifference(a: string, b: string): Promise<number> {
  const { ve, safetensors } = await engine();
  const x = safetensors.readSafetensors(a).probabilities!,
    y = safetensors.readSafetensors(b).probabilities!;
  return ve.tidy(() => x.sub(y).abs().max().item());
}

async function main(): Promise<void> {
  if (args.child === 'vesalius') {
    process.stdout.write(`${JSON.stringify(await vesaliusChild())}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vesalius-bench-infer-'));
  try {
    const rows: string[][] = [];
    const scenarios = [
      { name: 'no TTA', volume: list(args.volume), mirror: false },
      { name: 'mirroring TTA (8 flips)', volume: list(args['mirror-volume']), mirror: true },
    ].filter((s) => args.scenarios!.split(',').includes(s.mirror ? 'mirror' : 'plain'));
    for (const s of scenarios) {
      const prepared = await prepare(dir, s.volume, s.mirror ? 'mirror' : 'plain');
      const common = [
        '--data',
        prepared.data,
        '--weights',
        prepared.weights,
        '--threads',
        args.threads!,
        '--repeats',
        '1',
        '--batch',
        args.batch!,
        ...(s.mirror ? ['--mirror'] : []),
      ];
      const oursOut = join(dir, 'ours.safetensors'),
        torchOut = join(dir, 'torch.safetensors');
      process.stderr.write(
        `${s.name}: ${s.volume.join('×')} volume, ${prepared.windows} windows of ${args.patch!.replaceAll(',', '×')}\n`,
      );
      // the two sides alternate, one run per child, so that load from other processes hits both alike
      const ours: Measurement = { times: [], peakRssMiB: 0, threads: 0 };
      const torch: Measurement = { times: [], peakRssMiB: 0, threads: 0 };
      for (let r = 0; r < Number(args.repeats); r++) {
        const o = runChild(process.execPath, [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--child',
          'vesalius',
          '--features',
          args.features!,
          '--out',
          oursOut,
          ...common,
        ]);
        const t = runChild(PYTHON, [
          join(here, 'infer_torch.py'),
          '--features',
          args.features!,
          '--out',
          torchOut,
          ...common,
        ]);
        ours.times.push(...o.times);
        torch.times.push(...t.times);
        ours.peakRssMiB = Math.max(ours.peakRssMiB, o.peakRssMiB);
        torch.peakRssMiB = Math.max(torch.peakRssMiB, t.peakRssMiB);
        process.stderr.write(
          `  run ${r + 1}: vesalius ${o.times[0]!.toFixed(2)} s, pytorch ${t.times[0]!.toFixed(2)} s\n`,
        );
      }
      const diff = await maxDifference(oursOut, torchOut);
      const a = median(ours.times),
        b = median(torch.times);
      rows.push([
        s.name,
        s.volume.join('×'),
        String(prepared.windows),
        a.toFixed(2),
        b.toFixed(2),
        (b / a).toFixed(2),
        ours.peakRssMiB.toFixed(0),
        torch.peakRssMiB.toFixed(0),
        diff.toExponential(1),
      ]);
    }
    const header = [
      'scenario',
      'volume (i×j×k)',
      'windows',
      'vesalius s',
      'pytorch s',
      'speed vs torch',
      'vesalius MiB',
      'pytorch MiB',
      'max |Δp|',
    ];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c]!)).join(' | ')} |`;
    console.log(
      `3D U-Net ${args.features!.replaceAll(',', '-')} features, patch ${args.patch!.replaceAll(',', '×')}, overlap 0.5, Gaussian, batch ${args.batch}, ${args.threads} threads, median of ${args.repeats} run(s); speed = pytorch s / vesalius s`,
    );
    console.log(line(header));
    console.log(line(widths.map((w) => '-'.repeat(w))));
    for (const r of rows) console.log(line(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
