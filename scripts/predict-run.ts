/**
 * Fallback test-set prediction from a run folder, through the library, until `vesalius predict`
 * (the infer branch) is merged: for every test case of the run's dataset (config dataset.test) —
 * preprocess with the run's plan, sliding window (+ mirroring TTA when the config's inference says
 * so), restore onto the input grid, write `OUT/<id>.png` (label values) and `OUT/probabilities/<id>.nii.gz`
 * (the probability of class 1) with the input's geometry.
 *
 *   node --import tsx scripts/predict-run.ts RUN OUT [--checkpoint best|last]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessCases } from '../src/data/cache.js';
import { openDataset } from '../src/data/layout/open.js';
import { Tensor } from '../src/engine/tensor.js';
import { slidingWindowInference } from '../src/infer/sliding-window.js';
import { restoreToOriginal } from '../src/data/preprocess.js';
import { createImage } from '../src/io/image.js';
import { readImage } from '../src/io/read.js';
import { writeImage } from '../src/io/write.js';
import { tensorShape } from '../src/train/data.js';
import { patchSizeOf } from '../src/train/model.js';
import { loadRun } from '../src/train/run-folder.js';

const [runDir, out] = process.argv.slice(2);
const checkpoint = process.argv.includes('--checkpoint') ? (process.argv[process.argv.indexOf('--checkpoint') + 1] as 'best' | 'last') : 'best';
if (!runDir || !out) {
  process.stderr.write('usage: predict-run.ts RUN OUT [--checkpoint best|last]\n');
  process.exit(2);
}
const start = performance.now();
const run = loadRun(runDir, { checkpoint });
const dataset = openDataset(run.config.dataset);
if (dataset.test.length === 0) throw new Error('the run config has no dataset.test cases');
mkdirSync(join(out, 'probabilities'), { recursive: true });
const dims = run.plan.dimension === '2d' ? 2 : 3;
const k = run.datasetInfo.numClasses;
for (const c of dataset.test) {
  const t0 = performance.now();
  const [p] = await preprocessCases(dataset, [{ ...c, label: undefined }], run.plan, readImage);
  const input = Tensor.from(p!.data, [1, p!.channels, ...tensorShape(p!, dims)]);
  const probs = await slidingWindowInference(run.model, input, {
    patchSize: patchSizeOf(run.plan), overlap: run.config.inference.overlap, gaussian: run.config.inference.gaussian,
    mirror: run.config.inference.mirror, batchSize: run.plan.batch_size,
  });
  const restored = restoreToOriginal(probs.toArray() as Float32Array, k, p!.properties, 'probabilities');
  input.dispose();
  probs.dispose();
  const o = p!.properties.original;
  const n = o.shape[0] * o.shape[1] * o.shape[2];
  const labels = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    let best = 0;
    for (let ch = 1; ch < k; ch++) if (restored[v + n * ch]! > restored[v + n * best]!) best = ch;
    labels[v] = best;
  }
  const geometry = { spacing: o.spacing, origin: o.origin, direction: o.direction };
  await writeImage(createImage(labels, o.shape, geometry), join(out, `${c.id}.png`));
  await writeImage(createImage(restored.slice(n, 2 * n), o.shape, geometry), join(out, 'probabilities', `${c.id}.nii.gz`));
  process.stderr.write(`predicted ${c.id} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stderr.write(`${dataset.test.length} case(s) in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
