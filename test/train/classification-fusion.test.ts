// Multimodal classification on a synthetic two-modality task: each case has two images whose brightness
// levels a and b are drawn independently, and the class is a + b > 0, so either image alone is
// ambiguous (the best single-modality rule is right about 3/4 of the time) and both together decide.
// Feature-level fusion (an encoder per CSV image column) learns it and beats either modality alone;
// input-level fusion (the columns as channels) learns it too; decision-level fusion (`predict RUN_A
// --ensemble RUN_B --split test`, each run reading its own column) is exactly the mean of the runs'
// probabilities.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImage } from '../../src/io/image.js';
import { writePng } from '../../src/io/raster.js';
import type { Prediction } from '../../src/metrics/classification-files.js';
import { averageProbabilities, predictFused } from '../../src/train/classification/fusion.js';
import { loadClassificationRun, predictSamples, samplesOfSplit } from '../../src/train/classification/run.js';
import { quietProgress } from '../../src/train/progress.js';
import { train } from '../../src/train/trainer.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const quiet = { progress: quietProgress(), workers: 1 };
const SIZE = 16;

/** cases.csv: a, b (PNG paths), label, split; class 'high' when a + b > 0 (with a margin). */
async function twoModalities(dir: string, counts = { train: 160, val: 48, test: 64 }): Promise<string> {
  const rng = new Random(21);
  const rows = ['a,b,label,split'];
  let n = 0;
  for (const [split, count] of Object.entries(counts)) {
    for (let c = 0; c < count; c++) {
      let a = 0,
        b = 0;
      do {
        a = rng.uniform(-1, 1);
        b = rng.uniform(-1, 1);
      } while (Math.abs(a + b) < 0.2);
      const files = [];
      for (const [m, level] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const data = new Uint8Array(SIZE * SIZE);
        for (let v = 0; v < data.length; v++) data[v] = Math.round(128 + 90 * level + 20 * (rng.next() - 0.5));
        const file = `${m}${n}.png`;
        await writePng(createImage(data, [SIZE, SIZE, 1]), join(dir, file));
        files.push(file);
      }
      rows.push(`${files[0]},${files[1]},${a + b > 0 ? 'high' : 'low'},${split}`);
      n++;
    }
  }
  writeFileSync(join(dir, 'cases.csv'), `${rows.join('\n')}\n`);
  return join(dir, 'cases.csv');
}

function config(dir: string, name: string, dataset: string, network = ''): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `task: classification
dataset: { format: csv, path: cases.csv, split_column: split, ${dataset} }
input: { size: [${SIZE}, ${SIZE}], mean: [0.5], std: [0.5] }
network: { architecture: resnet18, widths: [8, 8, 16, 16] ${network} }
optimizer: { lr: 0.005 }
schedule: { name: constant }
epochs: 12
batch_size: 16
validation: { metric: accuracy }
threads: 1
output: ${name}
`,
  );
  return path;
}

const accuracy = (ps: readonly Prediction[]) =>
  ps.filter((p) => p.probabilities.indexOf(Math.max(...p.probabilities)) === p.truth![0]).length / ps.length;

test('feature-level fusion learns what neither modality decides alone; decision fusion averages probabilities', async (t) => {
  const dir = tempDir();
  await twoModalities(dir);
  const runs = {
    a: config(dir, 'only-a', 'path_column: a'),
    b: config(dir, 'only-b', 'path_column: b'),
    feature: config(dir, 'feature', 'path_columns: [a, b]', ', fusion: feature'),
    input: config(dir, 'input', 'path_columns: [a, b]'),
  };
  const acc: Record<string, number> = {};
  const opened: Record<string, ReturnType<typeof loadClassificationRun>> = {};
  for (const [name, cfg] of Object.entries(runs)) {
    const r = await train(cfg, quiet);
    opened[name] = loadClassificationRun(r.runDir);
    acc[name] = accuracy(await predictSamples(opened[name], samplesOfSplit(opened[name], 'test')));
  }
  t.diagnostic(`test accuracy: ${JSON.stringify(acc)}`);
  const info = JSON.parse(readFileSync(join(dir, 'feature', 'dataset.json'), 'utf8'));
  assert.deepEqual(info.modalities, [
    { name: 'a', channels: 1 },
    { name: 'b', channels: 1 },
  ]);
  const names = Object.keys(opened.feature!.model.stateDict());
  assert.ok(names.includes('encoders.0.conv1.weight') && names.includes('encoders.1.layer4.1.conv2.weight'));
  assert.ok(!names.some((n) => /^encoders\.\d\.fc\./.test(n)), 'no dead per-encoder heads');
  assert.deepEqual(opened.feature!.model.stateDict()['fc.weight']!.shape, [2, 32]);
  assert.ok(acc.feature! >= 0.9, `feature fusion accuracy ${acc.feature}`);
  assert.ok(acc.input! >= 0.9, `input fusion accuracy ${acc.input}`);
  for (const single of ['a', 'b'])
    assert.ok(acc.feature! >= acc[single]! + 0.1, `feature ${acc.feature} vs ${single} alone ${acc[single]}`);

  // decision-level fusion: each run reads its own column of the same rows; the mean, exactly
  const [a, b] = [opened.a!, opened.b!];
  const pa = await predictSamples(a, samplesOfSplit(a, 'test'));
  const pb = await predictSamples(b, samplesOfSplit(b, 'test'));
  const fused = await predictFused([a, b], (r) => samplesOfSplit(r, 'test'));
  assert.equal(fused.length, 64);
  fused.forEach((f, i) => {
    assert.deepEqual(
      f.probabilities,
      pa[i]!.probabilities.map((v, k) => (v + pb[i]!.probabilities[k]!) / 2),
    );
    assert.deepEqual(f.truth, pa[i]!.truth);
    assert.equal(f.source, `${pa[i]!.source} + ${pb[i]!.source}`);
  });
  acc.decision = accuracy(fused);
  t.diagnostic(`decision fusion test accuracy ${acc.decision}`);
  const out = join(dir, 'fused.csv');
  const cli = runCli(['predict', join(dir, 'only-a'), '--ensemble', join(dir, 'only-b'), '--split', 'test', '-o', out]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stderr, /decision-level fusion of 2 runs/);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 65);
  const header = lines[0]!.split(',');
  const pHigh = header.indexOf('p_high');
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    assert.equal(Number(cells.at(pHigh - header.length)), fused[i]!.probabilities[0]);
  });

  // new cases without labels: one table, each run reading its own column(s)
  const table = readFileSync(join(dir, 'cases.csv'), 'utf8').trim().split('\n');
  const newCases = join(dir, 'new.csv');
  writeFileSync(
    newCases,
    `a,b\n${table
      .filter((l) => l.endsWith(',test'))
      .map((l) => l.split(',').slice(0, 2).join(','))
      .join('\n')}\n`,
  );
  const pHighOf = (file: string) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',').at(pHigh - header.length)));
  const fresh = join(dir, 'fresh.csv');
  const again = runCli(['predict', join(dir, 'only-a'), '--ensemble', join(dir, 'only-b'), newCases, '-o', fresh]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(
    pHighOf(fresh),
    fused.map((f) => f.probabilities[0]),
  );
  const featureOut = join(dir, 'feature.csv');
  const feature = runCli(['predict', join(dir, 'feature'), newCases, '-o', featureOut]);
  assert.equal(feature.status, 0, feature.stderr);
  const featureSplit = await predictSamples(opened.feature!, samplesOfSplit(opened.feature!, 'test'));
  assert.deepEqual(
    pHighOf(featureOut),
    featureSplit.map((f) => f.probabilities[0]),
  );
});

test('feature fusion of one modality, and path_columns cells with several files, are one error naming the key', async () => {
  const dir = tempDir();
  await twoModalities(dir, { train: 4, val: 2, test: 0 });
  await assert.rejects(
    train(config(dir, 'one', 'path_column: a', ', fusion: feature'), quiet),
    /network\.fusion: feature fusion needs two or more modalities; .*a0\.png has one/,
  );
  writeFileSync(join(dir, 'cases.csv'), 'a,b,label,split\na0.png;b0.png,b1.png,low,train\n');
  await assert.rejects(
    train(config(dir, 'two', 'path_columns: [a, b]', ', fusion: feature'), quiet),
    /cases\.csv row 2: column a must hold one image file \(dataset\.path_columns\)/,
  );
});

test('averageProbabilities: the mean per class; cases and class counts must line up', () => {
  const p = (id: string, probabilities: number[], truth: number[] | null = [0]): Prediction => ({
    id,
    source: id,
    truth,
    probabilities,
  });
  assert.deepEqual(
    averageProbabilities([
      [p('x', [0.9, 0.1]), p('y', [0.2, 0.8])],
      [p('x2', [0.5, 0.5]), p('y2', [0.6, 0.4])],
      [p('x3', [0.1, 0.9]), p('y3', [0.1, 0.9])],
    ]).map((q) => [q.id, q.source, q.probabilities.map((v) => Number(v.toFixed(12)))]),
    [
      ['x', 'x + x2 + x3', [0.5, 0.5]],
      ['y', 'y + y2 + y3', [0.3, 0.7]],
    ],
  );
  assert.throws(() => averageProbabilities([[p('x', [1, 0])], []]), /run 2 has 0 case\(s\), run 1 has 1/);
  assert.throws(
    () => averageProbabilities([[p('x', [1, 0])], [p('x', [0.2, 0.3, 0.5])]]),
    /run 2 gives 3 probabilities/,
  );
  assert.throws(() => averageProbabilities([[p('x', [1, 0])], [p('x', [1, 0], [1])]]), /truth differs/);
});
