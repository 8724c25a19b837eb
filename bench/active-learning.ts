/**
 * The simulated active-learning loop, measured: a dataset in the MSD layout is split into a fixed
 * test set and a pool; a model is trained on a few labelled pool cases, then each round `--step`
 * more cases get their (already known) labels, chosen by `vesalius rank`'s uncertainty ranking
 * (entropy + TTA variance, with the diversity term) or at random, and the model is retrained from
 * scratch with the same budget. Test Dice (mean over foreground classes and test cases) after each
 * round gives the Dice-vs-labels curve of each strategy; several seeds (different initial sets and
 * random picks) give its spread. Results go to OUT/results.jsonl (a rerun skips what is done) and
 * OUT/curve.svg.
 *
 *   npx tsx bench/active-learning.ts --data ../shared/data/msd-hippocampus --out /tmp/al \
 *     [--seeds 0,1,2] [--test 8] [--initial 4] [--step 4] [--rounds 4] [--iterations 300] [--threads 1]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setNumThreads } from '../src/engine/threads.js';
import { predictCase } from '../src/infer/predict.js';
import { confusionCounts } from '../src/metrics/confusion.js';
import { dice } from '../src/metrics/overlap.js';
import { readImage } from '../src/io/read.js';
import { LABEL_MAP } from '../src/io/read-options.js';
import { rankCases } from '../src/serve/rank.js';
import { loadRun } from '../src/train/run-folder.js';
import { train } from '../src/train/trainer.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/msd-hippocampus' },
    out: { type: 'string', default: '/tmp/vesalius-active-learning' },
    seeds: { type: 'string', default: '0,1,2' },
    test: { type: 'string', default: '8' },
    initial: { type: 'string', default: '4' },
    step: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '300' },
    threads: { type: 'string', default: '1' },
  },
});
const data = resolve(values.data!);
const out = resolve(values.out!);
const seeds = values.seeds!.split(',').map(Number);
const [nTest, initial, step, rounds, iterations] = [
  values.test,
  values.initial,
  values.step,
  values.rounds,
  values.iterations,
].map(Number) as [number, number, number, number, number];
setNumThreads(Number(values.threads));
mkdirSync(out, { recursive: true });

const meta = JSON.parse(readFileSync(join(data, 'dataset.json'), 'utf8')) as {
  training: { image: string; label: string }[];
  labels: Record<string, string>;
};
const all = meta.training.map((t) => basename(t.image).replace(/\.nii\.gz$/, '')).sort();
const numClasses = Object.keys(meta.labels).length;

interface Row {
  seed: number;
  strategy: 'uncertainty' | 'random';
  labels: number;
  dice: number;
  perClass: number[];
  cases: string[];
  trainSeconds: number;
  rankSeconds: number;
}
const resultsPath = join(out, 'results.jsonl');
const done: Row[] = existsSync(resultsPath)
  ? readFileSync(resultsPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row)
  : [];

function shuffle<T>(items: T[], rng: Random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** An MSD folder holding only `cases` (symbolic links to the originals). */
function subset(dir: string, cases: string[]): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'imagesTr'), { recursive: true });
  mkdirSync(join(dir, 'labelsTr'));
  for (const c of cases) {
    symlinkSync(join(data, 'imagesTr', `${c}.nii.gz`), join(dir, 'imagesTr', `${c}.nii.gz`));
    symlinkSync(join(data, 'labelsTr', `${c}.nii.gz`), join(dir, 'labelsTr', `${c}.nii.gz`));
  }
  const training = cases.map((c) => ({ image: `./imagesTr/${c}.nii.gz`, label: `./labelsTr/${c}.nii.gz` }));
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ ...meta, numTraining: cases.length, training }));
  return dir;
}

async function trainOn(name: string, cases: string[], seed: number): Promise<{ run: string; seconds: number }> {
  const dir = join(out, 'runs', name);
  rmSync(join(dir, 'run'), { recursive: true, force: true }); // a run cut short by an earlier interruption
  const root = subset(join(dir, 'data'), cases);
  const config = join(dir, 'config.yaml');
  const epochs = 6;
  writeFileSync(
    config,
    `dataset: { layout: msd, root: ${JSON.stringify(root)} }
plan: { batch_size: 2, features_per_stage: [8, 16, 32, 64], patch_size: [40, 56, 40], target_spacing: [1, 1, 1] }
network: { deep_supervision: true }
epochs: ${epochs}
iterations_per_epoch: ${Math.ceil(iterations / epochs)}
optimizer: { name: adam, lr: 0.003 }
schedule: { name: cosine }
validation: { fold: all }
seed: ${seed}
threads: ${values.threads}
output: ${JSON.stringify(join(dir, 'run'))}
`,
  );
  const started = performance.now();
  await train(config, { progress: false, workers: 1 });
  return { run: join(dir, 'run'), seconds: (performance.now() - started) / 1000 };
}

async function testDice(runDir: string, test: string[]): Promise<{ mean: number; perClass: number[] }> {
  const run = loadRun(runDir, { checkpoint: 'last' });
  const perClass = new Array<number>(numClasses - 1).fill(0);
  for (const c of test) {
    const p = await predictCase(run, { id: c, files: [join(data, 'imagesTr', `${c}.nii.gz`)] }, { tta: false });
    const gt = await readImage(join(data, 'labelsTr', `${c}.nii.gz`), LABEL_MAP);
    for (let k = 1; k < numClasses; k++) {
      const a = Uint8Array.from(p.labels.data, (v) => (v === k ? 1 : 0));
      const b = Uint8Array.from(gt.data, (v) => (v === k ? 1 : 0));
      perClass[k - 1]! += dice(confusionCounts(a, b)) / test.length;
    }
  }
  run.model.dispose();
  return { mean: perClass.reduce((a, b) => a + b, 0) / perClass.length, perClass };
}

function record(row: Row): void {
  done.push(row);
  appendFileSync(resultsPath, `${JSON.stringify(row)}\n`);
  process.stderr.write(
    `seed ${row.seed} ${row.strategy.padEnd(11)} ${String(row.labels).padStart(2)} labels: Dice ${row.dice.toFixed(4)} (train ${row.trainSeconds.toFixed(0)} s, rank ${row.rankSeconds.toFixed(0)} s)\n`,
  );
}

for (const seed of seeds) {
  const rng = new Random(1000 + seed);
  const order = shuffle(all, rng);
  const test = order.slice(0, nTest);
  const pool = order.slice(nTest);
  const start = pool.slice(0, initial);
  const lookup = (strategy: Row['strategy'], labels: number) =>
    done.find((r) => r.seed === seed && r.strategy === strategy && r.labels === labels);
  // the first round is shared: both strategies start from the same labelled cases
  let first = lookup('uncertainty', initial);
  if (!first) {
    const t = await trainOn(`s${seed}-n${initial}`, start, seed);
    const d = await testDice(t.run, test);
    first = {
      seed,
      strategy: 'uncertainty',
      labels: initial,
      dice: d.mean,
      perClass: d.perClass,
      cases: start,
      trainSeconds: t.seconds,
      rankSeconds: 0,
    };
    record(first);
    record({ ...first, strategy: 'random' });
  }
  for (const strategy of ['uncertainty', 'random'] as const) {
    let labelled = [...start];
    let runDir = join(out, 'runs', `s${seed}-n${initial}`, 'run');
    const pickRng = new Random(2000 + seed);
    for (let r = 1; r <= rounds; r++) {
      const labels = initial + r * step;
      const previous = lookup(strategy, labels - step);
      if (previous) labelled = previous.cases;
      const existing = lookup(strategy, labels);
      const unlabelled = pool.filter((c) => !labelled.includes(c));
      let rankSeconds = 0;
      let picked: string[];
      if (existing) {
        labelled = existing.cases;
        runDir = join(out, 'runs', `s${seed}-${strategy}-n${labels}`, 'run');
        shuffle(unlabelled, pickRng); // keep the random stream in step on a rerun
        continue;
      }
      if (strategy === 'random') picked = shuffle(unlabelled, pickRng).slice(0, step);
      else {
        const started = performance.now();
        const run = loadRun(runDir, { checkpoint: 'last' });
        const ranking = await rankCases(
          run,
          'al',
          unlabelled.map((c) => ({ id: c, files: [join(data, 'imagesTr', `${c}.nii.gz`)] })),
          { strategy: 'combined', diversity: 0.3, mcSamples: 0 },
        );
        run.model.dispose();
        picked = ranking.cases.slice(0, step).map((c) => c.id);
        rankSeconds = (performance.now() - started) / 1000;
      }
      labelled = [...labelled, ...picked];
      const t = await trainOn(`s${seed}-${strategy}-n${labels}`, labelled, seed);
      runDir = t.run;
      const d = await testDice(t.run, test);
      record({
        seed,
        strategy,
        labels,
        dice: d.mean,
        perClass: d.perClass,
        cases: labelled,
        trainSeconds: t.seconds,
        rankSeconds,
      });
    }
  }
}

// the curve: mean ± sd over seeds per label count
const strategies = ['uncertainty', 'random'] as const;
const counts = [...new Set(done.map((r) => r.labels))].sort((a, b) => a - b);
const stats = strategies.map((s) =>
  counts.map((n) => {
    const xs = done.filter((r) => r.strategy === s && r.labels === n).map((r) => r.dice);
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return { n, mean, sd, runs: xs.length };
  }),
);
console.log(`| labelled cases | ${strategies.map((s) => `${s} Dice (mean ± sd, runs)`).join(' | ')} |`);
console.log(`|---|${strategies.map(() => '---').join('|')}|`);
counts.forEach((n, i) =>
  console.log(
    `| ${n} | ${stats.map((s) => `${s[i]!.mean.toFixed(3)} ± ${s[i]!.sd.toFixed(3)} (${s[i]!.runs})`).join(' | ')} |`,
  ),
);

const [W, H, L, R, T, B] = [560, 340, 60, 20, 30, 50];
const lo = Math.max(0, Math.min(...stats.flat().map((s) => s.mean - s.sd)) - 0.02);
const hi = Math.min(1, Math.max(...stats.flat().map((s) => s.mean + s.sd)) + 0.02);
const x = (n: number) => L + ((n - counts[0]!) / Math.max(1, counts.at(-1)! - counts[0]!)) * (W - L - R);
const y = (d: number) => T + (1 - (d - lo) / (hi - lo)) * (H - T - B);
const colours = { uncertainty: '#d62728', random: '#1f77b4' };
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>`;
svg += `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`;
for (const n of counts) svg += `<text x="${x(n)}" y="${H - B + 16}" text-anchor="middle">${n}</text>`;
for (let k = 0; k <= 4; k++) {
  const d = lo + ((hi - lo) * k) / 4;
  svg += `<text x="${L - 6}" y="${y(d) + 4}" text-anchor="end">${d.toFixed(2)}</text><line x1="${L}" y1="${y(d)}" x2="${W - R}" y2="${y(d)}" stroke="#eee"/>`;
}
svg += `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">labelled training cases</text><text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">test Dice (mean over classes)</text>`;
strategies.forEach((s, si) => {
  const pts = stats[si]!;
  svg += `<polyline fill="none" stroke="${colours[s]}" stroke-width="2" points="${pts.map((p) => `${x(p.n)},${y(p.mean)}`).join(' ')}"/>`;
  for (const p of pts)
    svg += `<line x1="${x(p.n)}" y1="${y(p.mean - p.sd)}" x2="${x(p.n)}" y2="${y(p.mean + p.sd)}" stroke="${colours[s]}"/><circle cx="${x(p.n)}" cy="${y(p.mean)}" r="3" fill="${colours[s]}"/>`;
  svg += `<text x="${L + 10}" y="${T + 14 + 16 * si}" fill="${colours[s]}">${s === 'uncertainty' ? 'uncertainty ranking (entropy + TTA, diversity)' : 'random selection'}</text>`;
});
svg += '</svg>\n';
writeFileSync(join(out, 'curve.svg'), svg);
console.log(`curve: ${join(out, 'curve.svg')}`);
