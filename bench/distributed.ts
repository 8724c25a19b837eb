/**
 * Data-parallel training throughput: the same config trained by 1 process and by `--nproc 2` (and more
 * with --procs), taking turns round by round, on this machine. Images per second from each run's log
 * (the last epoch, after warm-up), and the largest weight difference between the runs' final
 * checkpoints (the same global batches: small unless Adam amplifies round-off, see docs/speed.md).
 *
 *   npx tsx bench/distributed.ts [--config examples/drive.yaml] [--epochs 2] [--iterations 20]
 *                                [--procs 1,2] [--repeats 2]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { readSafetensorsFile } from '../src/engine/safetensors.js';
import { readLog } from '../src/train/run-folder.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: join(here, '..', 'examples', 'drive.yaml') },
    epochs: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '20' },
    procs: { type: 'string', default: '1,2' },
    repeats: { type: 'string', default: '2' },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'vesalius-ddp-'));
const source = resolve(args.config);
const config = parse(readFileSync(source, 'utf8')) as Record<string, unknown> & { dataset: { root: string } };
config.dataset.root = resolve(dirname(source), config.dataset.root);
config.epochs = Number(args.epochs);
config.iterations_per_epoch = Number(args.iterations);
const configPath = join(dir, 'config.yaml');
writeFileSync(configPath, stringify(config));

const procs = args.procs.split(',').map(Number);
const imagesPerSecond = new Map<number, number[]>(procs.map((p) => [p, []]));
const wall = new Map<number, number[]>(procs.map((p) => [p, []]));
const finals = new Map<number, string>();
try {
  for (let r = 0; r < Number(args.repeats); r++) {
    for (const p of r % 2 ? [...procs].reverse() : procs) {
      const out = join(dir, `run-${p}-${r}`);
      const started = performance.now();
      const result = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(here, '..', 'src', 'cli', 'main.ts'),
          'train',
          configPath,
          '--out',
          out,
          '--no-progress',
          ...(p > 1 ? ['--nproc', String(p)] : []),
        ],
        { encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`train with ${p} process(es) failed:\n${result.stderr}`);
      wall.get(p)!.push((performance.now() - started) / 1000);
      const log = readLog(out);
      imagesPerSecond.get(p)!.push(log.at(-1)!.images_per_second as number);
      finals.set(p, join(out, 'checkpoints', 'last.safetensors'));
      process.stderr.write(
        `round ${r + 1}, ${p} process(es): ${(log.at(-1)!.images_per_second as number).toFixed(1)} img/s\n`,
      );
    }
  }
  const reference = readSafetensorsFile(finals.get(procs[0]!)!).tensors;
  console.log(
    `\nData-parallel training on this machine (${availableParallelism()} cores, shared with other work), ${args.config}: ${args.epochs} epochs × ${args.iterations} iterations, global batch from the config, ${args.repeats} round(s)\n`,
  );
  console.log(
    '| processes | images / s (last epoch, median) | speed-up | wall s (median, incl. start-up and preprocessing) | max |Δw| vs 1 process |',
  );
  console.log('|---|---|---|---|---|');
  const base = median(imagesPerSecond.get(procs[0]!)!);
  for (const p of procs) {
    const other = readSafetensorsFile(finals.get(p)!).tensors;
    let worst = 0;
    for (const [name, t] of Object.entries(reference))
      worst = Math.max(worst, t.sub(other[name]!).abs().max().item() as number);
    const ips = median(imagesPerSecond.get(p)!);
    console.log(
      `| ${p} | ${ips.toFixed(1)} | ${(ips / base).toFixed(2)}× | ${median(wall.get(p)!).toFixed(1)} | ${worst.toExponential(2)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
