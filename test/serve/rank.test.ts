/**
 * Active-learning ranking: uncertain cases (a low-contrast disk) rank first; scores are averages over
 * the region of interest, so padding a case with background does not change its rank score the way a
 * whole-image mean would; the diversity term pushes near-duplicates down; Monte-Carlo dropout runs
 * only for networks with dropout; `vesalius rank` writes the list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { servedCheckpoint } from '../../src/serve/models.js';
import { diverseOrder, rankCases, type Ranking } from '../../src/serve/rank.js';
import { Moments, predictWithUncertainty, summarizeUncertainty } from '../../src/serve/uncertainty.js';
import { loadRun } from '../../src/train/run-folder.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { diskImage, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

let runDir: string;
let dropoutRunDir: string;
let pool: string;

/** A disk of contrast `contrast` (training disks: 60 over a background of 100, noise ±10). */
async function faintDisk(path: string, contrast: number, seed: number): Promise<void> {
  const rng = new Random(seed);
  const data = new Float32Array(32 * 32);
  for (let j = 0; j < 32; j++)
    for (let i = 0; i < 32; i++) {
      const inside = (i - 16) ** 2 + (j - 15) ** 2 < 36;
      data[i + 32 * j] = 100 + (inside ? contrast : 0) + 20 * (rng.next() - 0.5);
    }
  await writeImage(createImage(data, [32, 32, 1]), path);
}

before(async () => {
  runDir = join(await tinyModels(), 'disks');
  dropoutRunDir = join(await tinyModels({ iterations: 40, dropout: 0.3 }), 'disks');
  pool = tempDir();
  for (let s = 0; s < 5; s++) await diskImage(pool, `clear_${s}.nii.gz`, 500 + s);
  await faintDisk(join(pool, 'faint.nii.gz'), 18, 7);
});

const load = (dir: string) => loadRun(dir, { checkpoint: servedCheckpoint(dir) });
const inputs = (names: string[]) => names.map((n) => ({ id: n.replace('.nii.gz', ''), files: [join(pool, n)] }));
const poolNames = () => [
  'clear_0.nii.gz',
  'clear_1.nii.gz',
  'clear_2.nii.gz',
  'clear_3.nii.gz',
  'clear_4.nii.gz',
  'faint.nii.gz',
];

test('the ambiguous (low-contrast) case ranks first by entropy, TTA variance and their combination', async () => {
  const run = load(runDir);
  for (const strategy of ['entropy', 'tta', 'combined'] as const) {
    const ranking = await rankCases(run, 'disks', inputs(poolNames()), { strategy, diversity: 0 });
    assert.equal(
      ranking.cases[0]!.id,
      'faint',
      `${strategy}: ${ranking.cases.map((c) => `${c.id} ${c.score.toFixed(2)}`).join(', ')}`,
    );
    assert.deepEqual(
      ranking.cases.map((c) => c.rank),
      [1, 2, 3, 4, 5, 6],
    );
  }
  const combined = await rankCases(run, 'disks', inputs(poolNames()), { diversity: 0 });
  assert.deepEqual(combined.measuresUsed, ['entropy', 'tta_variance'], 'no MC dropout without dropout layers');
  assert.ok(combined.cases.every((c) => c.measures.mcVariance === null));
  // random: a seeded shuffle, the same for the same seed
  const r1 = await rankCases(run, 'disks', inputs(poolNames()), { strategy: 'random', seed: 3 });
  const r2 = await rankCases(run, 'disks', inputs(poolNames()), { strategy: 'random', seed: 3 });
  assert.deepEqual(
    r1.cases.map((c) => c.id),
    r2.cases.map((c) => c.id),
  );
});

test('region-of-interest averages: padding a case with confident background leaves its scores, unlike a whole-image mean', () => {
  // two mirroring members, K = 2, four voxels: p(foreground) per member
  const fg = [
    [0.9, 0.6, 0.2, 0.02],
    [0.8, 0.3, 0.4, 0.01],
  ];
  const summarise = (pad: number) => {
    const n = 4 + pad;
    const moments = new Moments(2 * n);
    const classes: Uint8Array[] = [];
    for (const member of fg) {
      const p = new Float32Array(2 * n);
      for (let v = 0; v < n; v++) {
        const f = member[v] ?? 0;
        p[v] = 1 - f;
        p[n + v] = f;
      }
      moments.add(p);
      classes.push(Uint8Array.from({ length: n }, (_, v) => ((member[v] ?? 0) > 0.5 ? 1 : 0)));
    }
    return summarizeUncertainty(moments, classes, undefined, 2, 0.1);
  };
  const a = summarise(0);
  const b = summarise(12);
  // by hand: the region is voxels 0..2 (voxel 3 has mean foreground 0.015 and no member labels it)
  assert.equal(a.summary.roiVoxels, 3);
  const h = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
  const means = [0.85, 0.45, 0.3];
  assert.ok(Math.abs(a.summary.entropy - means.reduce((s, p) => s + h(p), 0) / 3) < 1e-6);
  // Σ_c Var: for two classes, 2 × the variance of p(foreground): 2 × (0.05², 0.15², 0.1²)
  assert.ok(Math.abs(a.summary.ttaVariance - (2 * (0.0025 + 0.0225 + 0.01)) / 3) < 1e-6);
  assert.equal(a.summary.mirrorDisagreement, 1 / 3, 'voxel 1: one member says foreground, the mean says background');
  assert.deepEqual(b.summary, a.summary, 'padding changes nothing');
  const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
  assert.ok(Math.abs(mean(b.entropy) - mean(a.entropy) / 4) < 1e-6, 'a whole-image mean would shrink 4×');
});

test('diversity: a near-duplicate of the top case is pushed below a distinct one; λ = 0 keeps the uncertainty order', () => {
  const uncertainty = [1, 0.95, 0.9];
  const descriptors = [
    [0, 0],
    [0.01, 0],
    [3, 3],
  ];
  assert.deepEqual(diverseOrder(uncertainty, descriptors, 0).order, [0, 1, 2]);
  const { order, penalty } = diverseOrder(uncertainty, descriptors, 0.5);
  assert.deepEqual(order, [0, 2, 1]);
  assert.equal(penalty[0], 0);
  assert.ok(penalty[1]! > 0.45, `the duplicate's penalty ${penalty[1]}`);
});

test('Monte-Carlo dropout runs for a network with dropout and adds its variance', async () => {
  const run = load(dropoutRunDir);
  const p = await predictWithUncertainty(run, { id: 'x', files: [join(pool, 'faint.nii.gz')] }, { mcSamples: 6 });
  assert.equal(p.summary.mcSamples, 6);
  assert.ok(p.summary.mcVariance !== null && p.summary.mcVariance > 0, `${p.summary.mcVariance}`);
  const ranking = await rankCases(run, 'disks', inputs(poolNames().slice(4)), { mcSamples: 4 });
  assert.deepEqual(ranking.measuresUsed, ['entropy', 'tta_variance', 'mc_dropout_variance']);
  // after MC dropout the network is back in eval mode: a plain prediction is deterministic
  const again = await predictWithUncertainty(run, { id: 'y', files: [join(pool, 'clear_0.nii.gz')] });
  const twice = await predictWithUncertainty(run, { id: 'y', files: [join(pool, 'clear_0.nii.gz')] });
  assert.deepEqual(Array.from(again.probabilities.data), Array.from(twice.probabilities.data));
});

test('vesalius rank writes the ranking the viewer offers; a measure the network lacks is a one-line error', () => {
  const out = join(tempDir(), 'ranking.json');
  const r = runCli(['rank', runDir, pool, '-o', out, '--diversity', '0.3']);
  assert.equal(r.status, 0, r.stderr);
  const ranking = JSON.parse(readFileSync(out, 'utf8')) as Ranking;
  assert.equal(ranking.cases.length, 6);
  assert.equal(ranking.cases[0]!.id, 'faint');
  assert.deepEqual(ranking.cases[0]!.files, [join(pool, 'faint.nii.gz')]);
  assert.match(r.stdout, /^ {2}1 {2}faint/m);
  const mc = runCli(['rank', runDir, pool, '-o', out, '--strategy', 'mc']);
  assert.equal(mc.status, 1);
  assert.match(mc.stderr, /^vesalius: strategy: mc: the measure is not available \(the network has no dropout\)\n$/);
});
