import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createImage, type Vec3 } from '../../src/io/image.js';
import { caseIdOf } from '../../src/io/case-id.js';
import { EMPTY_MASK_POLICY, evaluateFolder, writeEvaluation, type ImageReader } from '../../src/metrics/evaluate.js';
import { OptionError, ShapeError } from '../../src/util/errors.js';
import { boxMask, close } from './helpers.js';

// A test-only image format: JSON with the geometry and the voxels, read by `readJson`.
const readJson: ImageReader = async (path) => {
  const o = JSON.parse(readFileSync(path, 'utf8'));
  return createImage(Float32Array.from(o.data), o.shape, { spacing: o.spacing, origin: o.origin });
};
function writeJson(path: string, data: Uint8Array, shape: Vec3, spacing: Vec3 = [1, 1, 1]): void {
  writeFileSync(path, JSON.stringify({ shape, spacing, origin: [0, 0, 0], data: Array.from(data) }));
}
const json = { reader: readJson, extensions: ['.json'] };

const root = mkdtempSync(join(tmpdir(), 'vesalius-eval-'));
after(() => rmSync(root, { recursive: true, force: true }));

const shape: Vec3 = [8, 8, 4];
function folders(name: string): { pred: string; gt: string } {
  const pred = join(root, name, 'pred'),
    gt = join(root, name, 'gt');
  mkdirSync(pred, { recursive: true });
  mkdirSync(gt, { recursive: true });
  return { pred, gt };
}

test('case ids drop image extensions and DRIVE / nnU-Net suffixes', () => {
  assert.equal(caseIdOf('/x/01_manual1.gif'), '01');
  assert.equal(caseIdOf('01_test_mask.gif'), '01');
  assert.equal(caseIdOf('21_training.tif'), '21');
  assert.equal(caseIdOf('BRATS_001_0000.nii.gz'), 'BRATS_001');
  assert.equal(caseIdOf('case.v2.nii.gz'), 'case.v2');
  assert.equal(caseIdOf('_mask.png'), '_mask'); // never stripped to nothing
});

test('folder evaluation: rows per case × class, a missing prediction scored as missed, files written atomically', async () => {
  const { pred, gt } = folders('ok');
  const cube = boxMask(shape, [2, 2, 0], [6, 6, 2]); // 32 voxels
  const shifted = boxMask(shape, [3, 2, 0], [7, 6, 2]); // overlap 24
  writeJson(join(gt, 'a_seg.json'), cube, shape);
  writeJson(join(pred, 'a.json'), shifted, shape);
  writeJson(join(gt, 'b.json'), cube, shape);
  writeJson(join(pred, 'b_pred.json'), cube, shape);
  writeJson(join(gt, 'c.json'), cube, shape); // no prediction: a missed case
  writeJson(join(gt, 'd.json'), new Uint8Array(256), shape); // empty truth
  writeJson(join(pred, 'd.json'), new Uint8Array(256), shape); // and an empty prediction
  const seen: string[] = [];
  const result = await evaluateFolder(pred, gt, { ...json, onCase: (id) => seen.push(id) });
  assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  assert.deepEqual(result.cases, ['a', 'b', 'c', 'd']);
  assert.deepEqual(result.missingPredictions, ['c']);
  assert.deepEqual(
    result.rows.map((r) => [r.case, r.class, r.emptiness, r.missingPrediction]),
    [
      ['a', '1', 'none', false],
      ['b', '1', 'none', false],
      ['c', '1', 'pred-empty', true],
      ['d', '1', 'both-empty', false],
    ],
  );
  const dices = result.rows.map((r) => r.dice);
  close(dices[0]!, 48 / 64);
  assert.deepEqual(dices.slice(1), [1, 0, 1]);
  const diagonal = Math.sqrt(8 ** 2 + 8 ** 2 + 4 ** 2);
  close(result.rows[2]!.hd95, diagonal);
  const agg = result.aggregate['1']!;
  assert.equal(agg.cases, 4);
  assert.equal(agg.bothEmpty, 1);
  assert.equal(agg.oneEmpty, 1);
  assert.equal(agg.missing, 1);
  close(agg.metrics.dice!.mean, (0.75 + 1 + 0 + 1) / 4);
  close(agg.metrics.dice!.median, (0.75 + 1) / 2);
  assert.ok(agg.metrics.dice!.ci95[0] <= agg.metrics.dice!.mean && agg.metrics.dice!.mean <= agg.metrics.dice!.ci95[1]);
  assert.equal(agg.metrics.relativeVolumeDifferencePercent!.count, 4); // c: −100 %, d: 0 %

  const out = join(root, 'ok', 'out');
  const paths = writeEvaluation(out, result);
  assert.deepEqual(readdirSync(out).sort(), ['per_case.csv', 'summary.json']);
  const csv = readFileSync(paths.csv, 'utf8').trim().split('\n');
  assert.equal(csv.length, 5);
  assert.match(csv[0]!, /^case,class,labels,emptiness,missingPrediction,dice,iou,/);
  assert.match(csv[3]!, /^c,1,1,pred-empty,true,0,0,/);
  const summary = JSON.parse(readFileSync(paths.json, 'utf8'));
  assert.equal(summary.emptyMaskPolicy, EMPTY_MASK_POLICY);
  assert.deepEqual(summary.missingPredictions, ['c']);
  assert.equal(summary.classes['1'].metrics.dice.count, 4);
});

test('labels found in some cases only are scored in every case (both-empty elsewhere)', async () => {
  const { pred, gt } = folders('labels');
  const two = boxMask(shape, [0, 0, 0], [2, 2, 2]).map((v) => v * 2);
  writeJson(join(gt, 'a.json'), boxMask(shape, [4, 4, 0], [6, 6, 2]), shape);
  writeJson(join(pred, 'a.json'), boxMask(shape, [4, 4, 0], [6, 6, 2]), shape);
  writeJson(join(gt, 'b.json'), two, shape);
  writeJson(join(pred, 'b.json'), new Uint8Array(256), shape);
  const result = await evaluateFolder(pred, gt, json);
  assert.deepEqual(
    result.rows.map((r) => [r.case, r.class, r.emptiness, r.dice]),
    [
      ['a', '1', 'none', 1],
      ['a', '2', 'both-empty', 1],
      ['b', '1', 'both-empty', 1],
      ['b', '2', 'pred-empty', 0],
    ],
  );
});

test('a prediction without ground truth is an error listing the unpaired cases', async () => {
  const { pred, gt } = folders('unpaired');
  writeJson(join(gt, 'a.json'), new Uint8Array(256), shape);
  writeJson(join(gt, 'b.json'), new Uint8Array(256), shape);
  writeJson(join(pred, 'a.json'), new Uint8Array(256), shape);
  writeJson(join(pred, 'zz.json'), new Uint8Array(256), shape);
  await assert.rejects(
    evaluateFolder(pred, gt, json),
    (e: unknown) =>
      e instanceof OptionError &&
      /no ground truth for prediction case\(s\) zz/.test(e.message) &&
      /without a prediction: b/.test(e.message),
  );
});

test('geometry mismatch names the case; a missing ROI file is an error; an empty folder is an error', async () => {
  const { pred, gt } = folders('geometry');
  writeJson(join(gt, 'p1.json'), new Uint8Array(256), shape, [1, 1, 3]);
  writeJson(join(pred, 'p1.json'), new Uint8Array(256), shape, [1, 1, 2]);
  await assert.rejects(
    evaluateFolder(pred, gt, json),
    (e: unknown) => e instanceof ShapeError && /case p1: prediction: spacing/.test(e.message),
  );
  const roi = join(root, 'geometry', 'roi');
  mkdirSync(roi);
  await assert.rejects(evaluateFolder(pred, gt, { ...json, roi }), /OptionError: roi: no file for case\(s\) p1/);
  const empty = join(root, 'geometry', 'none');
  mkdirSync(empty);
  await assert.rejects(evaluateFolder(empty, empty, json), /no ground-truth images found/);
  await assert.rejects(evaluateFolder(join(root, 'nope'), gt, json), /no such file or folder/);
});

test('a single prediction file against a single truth file is one case, whatever the names', async () => {
  const { pred, gt } = folders('single');
  writeJson(join(gt, 'truth.json'), boxMask(shape, [0, 0, 0], [4, 4, 4]), shape);
  writeJson(join(pred, 'output.json'), boxMask(shape, [0, 0, 0], [4, 4, 2]), shape);
  const result = await evaluateFolder(join(pred, 'output.json'), join(gt, 'truth.json'), json);
  assert.deepEqual(result.cases, ['truth']);
  close(result.rows[0]!.dice, (2 * 32) / (64 + 32));
});
