import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BoxSet } from '../../src/detection/boxes.js';
import { COCO_IOU_THRESHOLDS, cocoAveragePrecision, type DetectionPair } from '../../src/detection/metrics/coco.js';
import { froc, frocCandidates, frocFromCandidates } from '../../src/detection/metrics/froc.js';
import { Random } from '../../src/util/random.js';
import { repoRoot } from '../helpers/data.js';
import { runPythonJson } from '../helpers/python-json.js';
import { hasPythonModules, referenceTest } from '../helpers/reference.js';

const set = (dims: 2 | 3, rows: number[][], scored = false): BoxSet => {
  const w = 2 * dims;
  return {
    dims,
    boxes: Float64Array.from(rows.flatMap((r) => r.slice(0, w))),
    labels: Int32Array.from(rows.map((r) => r[w]!)),
    ...(scored ? { scores: Float32Array.from(rows.map((r) => r[w + 1]!)) } : {}),
  };
};
const pair = (id: string, gt: number[][], pred: number[][], dims: 2 | 3 = 2): DetectionPair => ({
  id,
  gt: set(dims, gt),
  pred: set(dims, pred, true),
});
const near = (a: number, b: number, tol = 1e-12, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('COCO AP by hand: 101-point interpolation, precision made monotone, recall never reached reads 0', () => {
  // 2 objects; detections TP 0.9, FP 0.8, TP 0.7 → precision [1, 2/3, 2/3] at recall [.5, .5, 1]:
  // thresholds 0 … 0.50 (51 of them) read 1, 0.51 … 1 (50) read 2/3
  const r = cocoAveragePrecision(
    [
      pair(
        'a',
        [
          [0, 0, 10, 10, 0],
          [20, 20, 30, 30, 0],
        ],
        [
          [0, 0, 10, 10, 0, 0.9],
          [50, 50, 60, 60, 0, 0.8],
          [20, 20, 30, 31, 0, 0.7],
        ],
      ),
    ],
    { numClasses: 1, iouThresholds: [0.5] },
  );
  near(r.ap[0]![0]!, (51 + 50 * (2 / 3)) / 101, 1e-12, 'AP');
  // half the objects found: recall 0.5 → thresholds above read 0
  const half = cocoAveragePrecision(
    [
      pair(
        'a',
        [
          [0, 0, 10, 10, 0],
          [20, 20, 30, 30, 0],
        ],
        [[0, 0, 10, 10, 0, 0.9]],
      ),
    ],
    { numClasses: 1, iouThresholds: [0.5] },
  );
  near(half.ap[0]![0]!, 51 / 101);
  near(half.recall[0]![0]!, 0.5);
});

test('COCO AP: tied scores keep their given order (as pycocotools sorts, stably), images without objects add false positives', () => {
  const gt = [[0, 0, 10, 10, 0]];
  const fpFirst = cocoAveragePrecision(
    [
      pair('a', gt, [
        [40, 40, 50, 50, 0, 0.8],
        [0, 0, 10, 10, 0, 0.8],
      ]),
    ],
    { numClasses: 1, iouThresholds: [0.5] },
  );
  const tpFirst = cocoAveragePrecision(
    [
      pair('a', gt, [
        [0, 0, 10, 10, 0, 0.8],
        [40, 40, 50, 50, 0, 0.8],
      ]),
    ],
    { numClasses: 1, iouThresholds: [0.5] },
  );
  near(fpFirst.ap[0]![0]!, 0.5);
  near(tpFirst.ap[0]![0]!, 1);
  // an empty image's confident false positive comes first: precision [0, 1/2] → monotone [1/2, 1/2]
  const empty = cocoAveragePrecision(
    [pair('empty', [], [[5, 5, 9, 9, 0, 0.95]]), pair('b', gt, [[0, 0, 10, 10, 0, 0.9]])],
    { numClasses: 1, iouThresholds: [0.5] },
  );
  near(empty.ap[0]![0]!, 0.5);
});

test('COCO AP: a class without ground truth has no AP (left out of the mean); with ground truth but no detections AP is 0', () => {
  const r = cocoAveragePrecision(
    [
      pair(
        'a',
        [
          [0, 0, 10, 10, 0],
          [0, 0, 10, 10, 2],
        ],
        [
          [0, 0, 10, 10, 0, 0.9],
          [0, 0, 10, 10, 1, 0.9],
        ],
      ),
    ],
    { numClasses: 3 },
  );
  assert.ok(Number.isNaN(r.apPerClass[1]!), 'class 1 has no ground truth');
  near(r.apPerClass[0]!, 1);
  near(r.apPerClass[2]!, 0);
  near(r.meanAp, 0.5);
  // IoU 0.81 passes thresholds 0.5 … 0.8 only: 7 of 10
  const partial = cocoAveragePrecision([pair('a', [[0, 0, 10, 10, 0]], [[0, 0, 10, 8.1, 0, 0.9]])], { numClasses: 1 });
  near(partial.meanAp, 0.7);
  assert.equal(COCO_IOU_THRESHOLDS.length, 10);
});

function randomCases(rng: Random, images: number, classes: number, dims: 2 | 3): DetectionPair[] {
  const box = () => {
    const lo = Array.from({ length: dims }, () => rng.uniform(0, 60));
    return [...lo, ...lo.map((v) => v + rng.uniform(4, 25))];
  };
  return Array.from({ length: images }, (_, i) => {
    const gt = Array.from({ length: rng.int(6) }, () => [...box(), rng.int(classes)]);
    const pred: number[][] = [];
    for (const g of gt) {
      // jittered copies (some duplicates), and a few misses
      for (let k = rng.int(3); k > 0; k--)
        pred.push([
          ...g.slice(0, 2 * dims).map((v) => v + rng.normal() * 2),
          g[2 * dims]!,
          Math.round(rng.uniform(0, 1) * 20) / 20,
        ]);
    }
    for (let k = rng.int(4); k > 0; k--)
      pred.push([...box(), rng.int(classes), Math.round(rng.uniform(0, 1) * 20) / 20]);
    return pair(`img${i}`, gt, pred, dims);
  });
}

referenceTest(
  'COCO AP and mAP@[.5:.95] match a transcription of COCOeval on random 2D and 3D cases with tied scores and empty images',
  hasPythonModules('numpy'),
  'python3-numpy',
  () => {
    const rng = new Random(5);
    for (const [dims, maxDet, thresholds] of [
      [2, 100, null],
      [2, 3, null],
      [3, 100, [0.1]],
    ] as const) {
      const cases = randomCases(rng, 12, 3, dims);
      const ours = cocoAveragePrecision(cases, {
        numClasses: 3,
        maxDetections: maxDet,
        ...(thresholds ? { iouThresholds: thresholds } : {}),
      });
      const images = cases.map((c) => ({
        gt: Array.from(c.gt.labels, (l, i) => [...c.gt.boxes.subarray(i * 2 * dims, (i + 1) * 2 * dims), l]),
        dt: Array.from(c.pred.labels, (l, i) => [
          ...c.pred.boxes.subarray(i * 2 * dims, (i + 1) * 2 * dims),
          l,
          c.pred.scores![i]!,
        ]),
      }));
      const ref = runPythonJson<{ ap: (number | null)[][]; mAP: number }>(
        `exec(open(${JSON.stringify(join(repoRoot, 'test/helpers/cocoeval_reference.py'))}).read().replace('main()\\n', ''))
import io
sys.stdin = io.StringIO(json.dumps(data)); main()`,
        { dims, numClasses: 3, iouThrs: thresholds, maxDet, images },
      );
      ref.ap.forEach((row, c) =>
        row.forEach((v, t) =>
          v === null
            ? assert.ok(Number.isNaN(ours.ap[c]![t]!))
            : near(ours.ap[c]![t]!, v, 1e-12, `${dims}D class ${c} t ${t}`),
        ),
      );
      near(ours.meanAp, ref.mAP, 1e-12, `${dims}D mAP`);
    }
  },
);

test('FROC by hand: duplicate hits on a lesion count once and are not false positives; CPM averages 7 rates', () => {
  // image A: lesions L1, L2; predictions 0.9 → L1, 0.8 → L1 (duplicate), 0.7 FP, 0.6 → L2
  // image B: lesion L3 missed; predictions 0.5 FP, 0.4 FP
  const a = pair(
    'A',
    [
      [0, 0, 10, 10, 0],
      [50, 50, 60, 60, 0],
    ],
    [
      [1, 1, 10, 10, 0, 0.9],
      [0, 0, 9, 9, 0, 0.8],
      [30, 30, 35, 35, 0, 0.7],
      [50, 50, 60, 61, 0, 0.6],
    ],
  );
  const b = pair(
    'B',
    [[20, 20, 25, 25, 0]],
    [
      [70, 70, 75, 75, 0, 0.5],
      [80, 80, 85, 85, 0, 0.4],
    ],
  );
  const r = froc([a, b], { hit: 'iou', iouThreshold: 0.5 });
  // operating points (0, 0) (0, 1/3) (0.5, 1/3) (0.5, 2/3) (1, 2/3) (1.5, 2/3)
  assert.deepEqual(
    r.curve.map((p) => [p.fpPerImage, p.sensitivity]),
    [
      [0, 1 / 3],
      [0.5, 1 / 3],
      [0.5, 2 / 3],
      [1, 2 / 3],
      [1.5, 2 / 3],
    ],
  );
  assert.deepEqual(r.sensitivities, [1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3]);
  near(r.cpm, (2 * (1 / 3) + 5 * (2 / 3)) / 7, 1e-12, 'CPM');
  assert.equal(r.detected, 2);
  assert.equal(r.lesions, 3);
});

test('FROC hit criteria: centre in the box, centre within the inscribed ellipsoid (LUNA16 radius), IoU', () => {
  // lesion: a sphere of diameter 10 around (10, 10, 10) as its box; predictions centred at distance 4 and at the corner
  const gt = [[5, 5, 5, 15, 15, 15, 0]];
  const inside = [12, 12, 11, 14, 14, 13, 0, 0.9]; // centre (13, 13, 12): distance √(9+9+4) ≈ 4.7 < 5
  const corner = [13, 13, 13, 15, 15, 15, 0, 0.8]; // centre (14, 14, 14): in the box, distance 6.9 > 5
  const p = pair('a', gt, [inside, corner], 3);
  assert.deepEqual(
    Array.from(frocCandidates(p, { hit: 'centre_in_ellipsoid' }).falsePositives, (s) => Math.round(s * 10) / 10),
    [0.8],
  );
  assert.deepEqual(frocCandidates(p, { hit: 'centre_in_box' }).falsePositives, []);
  assert.equal(frocCandidates(p, { hit: 'iou', iouThreshold: 0.1 }).falsePositives.length, 2);
  // another class never hits unless class-agnostic
  const other = pair('b', gt, [[5, 5, 5, 15, 15, 15, 1, 0.9]], 3);
  assert.equal(frocCandidates(other).falsePositives.length, 1);
  assert.equal(frocCandidates(other, { classAgnostic: true }).falsePositives.length, 0);
});

referenceTest(
  'FROC operating points and sensitivities match the LUNA16 script (sklearn roc_curve + numpy.interp)',
  hasPythonModules('sklearn', 'numpy'),
  'python3-sklearn',
  () => {
    const rng = new Random(9);
    const perImage = Array.from({ length: 15 }, () => ({
      lesionScores: Float64Array.from({ length: rng.int(4) }, () =>
        rng.uniform(0, 1) < 0.2 ? NaN : Math.round(rng.uniform(0, 1) * 40) / 40,
      ),
      falsePositives: Array.from({ length: rng.int(12) }, () => Math.round(rng.uniform(0, 1) * 40) / 40),
    }));
    const ours = frocFromCandidates(perImage);
    const gtList: number[] = [],
      probs: number[] = [],
      exclude: boolean[] = [];
    for (const c of perImage) {
      for (const s of c.lesionScores) {
        gtList.push(1);
        probs.push(Number.isNaN(s) ? -1e9 : s);
        exclude.push(Number.isNaN(s));
      }
      for (const s of c.falsePositives) {
        gtList.push(0);
        probs.push(s);
        exclude.push(false);
      }
    }
    const ref = runPythonJson<number[]>(
      `import numpy as np, sklearn.metrics as skl
gt, prob, ex, n = np.array(data['gt']), np.array(data['prob']), np.array(data['exclude']), data['images']
gl, pl = gt[~ex], prob[~ex]
fpr, tpr, thr = skl.roc_curve(gl, pl)
fps = fpr * (len(pl) - gl.sum()) / n
sens = tpr * gl.sum() / gt.sum()
print(json.dumps([float(np.interp(r, fps, sens)) for r in [0.125, 0.25, 0.5, 1, 2, 4, 8]]))`,
      { gt: gtList, prob: probs, exclude, images: perImage.length },
    );
    ref.forEach((v, i) => near(ours.sensitivities[i]!, v, 1e-12, `rate ${ours.rates[i]}`));
  },
);
