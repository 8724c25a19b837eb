import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionBatchMaker } from '../../src/detection/batches.js';
import type { PreparedCase } from '../../src/detection/prepare.js';
import { defaultAugmentation } from '../../src/transforms/defaults.js';

const SIZE = 64;

/** A 64 × 64 one-channel image with the given corner boxes (x1, y1, x2, y2) and labels. */
function fakeCase(id: string, boxes: number[][], labels: number[]): PreparedCase {
  return {
    id,
    data: new Float32Array(SIZE * SIZE),
    channels: 1,
    size: [SIZE, SIZE],
    boxes: { dims: 2, boxes: Float64Array.from(boxes.flat()), labels: Int32Array.from(labels) },
  } as unknown as PreparedCase;
}

// nine images with three class-0 boxes each in one corner; one image with a single class-1 box in the other
const cases = [
  ...Array.from({ length: 9 }, (_, i) =>
    fakeCase(
      `common${i}`,
      [
        [2, 2, 8, 8],
        [4, 10, 10, 16],
        [10, 4, 16, 10],
      ],
      [0, 0, 0],
    ),
  ),
  fakeCase('rare', [[48, 48, 56, 56]], [1]),
];
const augmentation = defaultAugmentation(2, { enabled: false }, { patchSize: [16, 16] });

function rareShare(balanceClasses: boolean): number {
  const maker = new DetectionBatchMaker(cases, augmentation, {
    batchSize: 8,
    patchSize: [16, 16],
    objectFraction: 1,
    emptyFraction: 0,
    balanceClasses,
    seed: 5,
  });
  let rare = 0,
    total = 0;
  try {
    for (let i = 0; i < 50; i++) {
      const batch = maker.make(i);
      for (const set of batch.boxes) {
        total++;
        // an object-centred 16 × 16 patch holds the box it was centred on, whole
        assert.ok(set.labels.length > 0);
        if (set.labels.includes(1)) rare++;
      }
    }
  } finally {
    maker.dispose();
  }
  return rare / total;
}

test('class-balanced sampling centres half the patches on the rare class of two; without it, a tenth', () => {
  // 400 samples: binomial standard deviation 0.025, so these bounds are > 4 sigma wide
  const balanced = rareShare(true);
  assert.ok(balanced > 0.4 && balanced < 0.6, `balanced: ${balanced}`);
  const plain = rareShare(false);
  assert.ok(plain > 0.04 && plain < 0.18, `by image: ${plain}`);
});

test('batch i depends only on (seed, i)', () => {
  const make = () =>
    new DetectionBatchMaker(cases, augmentation, {
      batchSize: 4,
      patchSize: [16, 16],
      objectFraction: 0.5,
      emptyFraction: 0,
      balanceClasses: true,
      seed: 9,
    });
  const a = make(),
    b = make();
  try {
    b.make(0);
    const x = a.make(3),
      y = b.make(3);
    assert.deepEqual(y.cases, x.cases);
    assert.deepEqual(
      y.boxes.map((s) => Array.from(s.boxes)),
      x.boxes.map((s) => Array.from(s.boxes)),
    );
  } finally {
    a.dispose();
    b.dispose();
  }
});
