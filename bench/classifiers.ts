/**
 * Pixel classifiers on 10⁵ samples × 20 features (two classes from a noisy linear rule on two of the
 * features, the rest noise): this repository's histogram random forest and engine SVMs against the
 * JavaScript libraries one would reach for (ml-random-forest, libsvm-js). Each contender runs in its
 * own process with a time limit; a row says "> limit" when it did not finish.
 *
 *   npx tsx bench/classifiers.ts [--limit 300]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { predictForest, trainForest } from '../src/baselines/random-forest.js';
import { predictSvm, trainSvm } from '../src/baselines/svm.js';
import { setNumThreads } from '../src/engine/threads.js';
import { Random } from '../src/util/random.js';

const F = 20;

function data(n: number, seed = 1) {
  const random = new Random(seed);
  const rnd = () => random.next();
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: F }, rnd);
    rows.push(row);
    y.push(row[0]! + 0.5 * row[1]! + 0.2 * rnd() > 0.85 ? 1 : 0);
  }
  return { rows, y };
}

function accuracyOf(pred: ArrayLike<number>, y: number[]): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) right++;
  return right / y.length;
}

async function child(which: string, n: number): Promise<void> {
  const { rows, y } = data(n);
  const test = data(10000, 777);
  const t0 = performance.now();
  let predict: (r: number[][]) => ArrayLike<number>;
  if (which === 'vesalius-rf' || which.startsWith('vesalius-svm')) {
    const x = Float32Array.from(rows.flat());
    const labels = Uint8Array.from(y);
    const cols = (r: number[][]) => Array.from({ length: F }, (_, f) => Float32Array.from(r, (row) => row[f]!));
    const argmax = (p: Float32Array, m: number) => Array.from({ length: m }, (_, v) => (p[m + v]! > p[v]! ? 1 : 0));
    if (which === 'vesalius-rf') {
      const forest = trainForest(x, labels, 2, { trees: 50, maxDepth: 16, minSamplesLeaf: 5, seed: 0 });
      predict = (r) => argmax(predictForest(forest, cols(r), 2), r.length);
    } else {
      setNumThreads(2);
      const model = trainSvm(x, labels, 2, {
        kernel: which.endsWith('rbf') ? 'rbf' : 'linear',
        c: 1,
        components: 512,
        epochs: 20,
        seed: 0,
      });
      predict = (r) => argmax(predictSvm(model, cols(r)), r.length);
    }
  } else if (which === 'ml-random-forest') {
    const { RandomForestClassifier } = await import('ml-random-forest');
    const rf = new RandomForestClassifier({
      nEstimators: 10,
      maxFeatures: 0.25,
      seed: 1,
      useSampleBagging: true,
      treeOptions: { maxDepth: 12 },
    });
    rf.train(rows, y);
    predict = (r) => rf.predict(r);
  } else {
    // biome-ignore lint/suspicious/noExplicitAny: libsvm-js ships no types
    const SVM = ((await import('libsvm-js/asm.js')) as { default: any }).default;
    const svm = new SVM({
      kernel: SVM.KERNEL_TYPES[which.endsWith('rbf') ? 'RBF' : 'LINEAR'],
      type: SVM.SVM_TYPES.C_SVC,
      cost: 1,
      gamma: 1 / F,
      quiet: true,
    });
    svm.train(rows, y);
    predict = (r) => svm.predict(r);
  }
  const trained = (performance.now() - t0) / 1000;
  const acc = accuracyOf(predict(test.rows), test.y);
  process.stdout.write(JSON.stringify({ trained, acc }));
}

async function main(): Promise<void> {
  const limitArg = process.argv.indexOf('--limit');
  const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : 300;
  const runs: Array<[string, number, string]> = [
    ['vesalius-rf', 100000, 'histogram random forest, 50 trees, depth 16'],
    ['vesalius-svm-linear', 100000, 'linear SVM (squared hinge, Adam on libtorch), 20 epochs'],
    ['vesalius-svm-rbf', 100000, 'RBF SVM, 512 random Fourier features, 20 epochs'],
    ['ml-random-forest', 10000, 'ml-random-forest 2.1, 10 trees, depth 12'],
    ['ml-random-forest', 100000, 'ml-random-forest 2.1, 10 trees, depth 12'],
    ['libsvm-rbf', 10000, 'libsvm-js 0.2 (asm), RBF, C 1, γ 1/20'],
    ['libsvm-rbf', 30000, 'libsvm-js 0.2 (asm), RBF, C 1, γ 1/20'],
    ['libsvm-linear', 100000, 'libsvm-js 0.2 (asm), linear, C 1'],
  ];
  console.log(`| classifier | samples × features | training time | test accuracy |\n|---|---|---|---|`);
  for (const [which, n, label] of runs) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', which, String(n)],
      {
        encoding: 'utf8',
        timeout: limit * 1000,
      },
    );
    let cell = `> ${limit} s (stopped)`,
      acc = '—';
    if (r.status === 0) {
      const out = JSON.parse(r.stdout) as { trained: number; acc: number };
      cell = `${out.trained.toFixed(1)} s`;
      acc = out.acc.toFixed(3);
    } else if (r.signal === null)
      cell = `failed: ${(r.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'error').trim()}`;
    console.log(`| ${label} | ${n} × ${F} | ${cell} | ${acc} |`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
else await main();
