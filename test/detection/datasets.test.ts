import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDetectionDataset } from '../../src/detection/datasets/open.js';
import { readVocDataset } from '../../src/detection/datasets/voc.js';
import { createImage, type Mat3 } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { tempTree } from '../helpers/tmp.js';

const xml = (file: string, objects: string) =>
  `<annotation><filename>${file}</filename><size><width>40</width><height>30</height><depth>1</depth></size>${objects}</annotation>`;
const obj = (name: string, b: number[]) =>
  `<object><name>${name}</name><difficult>0</difficult><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;

async function vocTree(objects: Record<string, string>, images = Object.keys(objects)) {
  const root = tempTree(
    Object.fromEntries(Object.entries(objects).map(([id, o]) => [`Annotations/${id}.xml`, xml(`${id}.png`, o)])),
  );
  for (const id of images)
    await writeImage(createImage(new Uint8Array(40 * 30), [40, 30]), join(root, 'JPEGImages', `${id}.png`));
  return root;
}

test('VOC: 1-based inclusive pixels become voxel edges; zero-size, outside and border-crossing boxes are reported by file', async () => {
  const root = await vocTree({
    a: obj('cell', [1, 1, 10, 5]) + obj('cell', [7, 7, 7, 7]) + obj('spot', [35, 20, 50, 30]),
    b: obj('spot', [100, 100, 120, 120]),
  });
  const d = readVocDataset(root, { classes: ['cell', 'spot'] });
  assert.deepEqual(
    d.cases.map((c) => c.id),
    ['a', 'b'],
  );
  assert.deepEqual([...d.cases[0]!.boxes.boxes], [0, 0, 10, 5, 34, 19, 40, 30]);
  assert.deepEqual([...d.cases[0]!.boxes.labels], [0, 1]);
  assert.equal(d.cases[1]!.boxes.labels.length, 0);
  assert.equal(d.warnings.length, 3);
  assert.match(d.warnings[0]!, /a\.xml: box 1 \[7, 7, 7, 7\] has zero size or is inverted: skipped/);
  assert.match(d.warnings[1]!, /a\.xml: box 2 .* reaches past the image .* clipped/);
  assert.match(d.warnings[2]!, /b\.xml: box 0 .* lies outside the image .* skipped/);
  assert.throws(
    () => readVocDataset(root, { classes: ['cell', 'spot'], badBoxes: 'error' }),
    /a\.xml: box 1 .* zero size/,
  );
});

test('VOC: an unknown class and an annotation without its image are errors naming the file', async () => {
  const root = await vocTree({ a: obj('cell', [1, 1, 10, 5]) + obj('blob', [1, 1, 3, 3]) });
  assert.throws(
    () => readVocDataset(root, { classes: ['cell'] }),
    /a\.xml: class 'blob' is not one of the declared classes \(cell\)/,
  );
  const missing = await vocTree({ a: obj('cell', [1, 1, 10, 5]), b: obj('cell', [1, 1, 10, 5]) }, ['a']);
  assert.throws(() => readVocDataset(missing), /b\.xml: its image .*b\.png does not exist/);
});

test('COCO JSON: xywh boxes, crowd regions skipped with a warning, unknown categories refused', async () => {
  const coco = {
    images: [{ id: 7, file_name: 'a.png', width: 40, height: 30 }],
    annotations: [
      { image_id: 7, category_id: 3, bbox: [2, 3, 10, 5] },
      { image_id: 7, category_id: 3, bbox: [0, 0, 40, 30], iscrowd: 1 },
    ],
    categories: [{ id: 3, name: 'cell' }],
  };
  const root = tempTree({ 'ann.json': JSON.stringify(coco) });
  await writeImage(createImage(new Uint8Array(1200), [40, 30]), join(root, 'a.png'));
  const spec = {
    format: 'coco' as const,
    root,
    split: 'ann.json',
    classes: null,
    badBoxes: 'warn' as const,
    dims: 2 as const,
    images: null,
    labels: null,
  };
  const d = await openDetectionDataset(spec);
  assert.deepEqual([...d.cases[0]!.boxes.boxes], [2, 3, 12, 8]);
  assert.match(d.warnings[0]!, /crowd region: skipped/);
  const bad = tempTree({
    'ann.json': JSON.stringify({ ...coco, annotations: [{ image_id: 7, category_id: 9, bbox: [1, 1, 2, 2] }] }),
  });
  await assert.rejects(openDetectionDataset({ ...spec, root: bad }), /annotation 0 names category 9/);
});

test('CSV 3D (x1, y1, x2, y2, z1, z2) with an image without objects; LUNA16 world spheres through each image geometry', async () => {
  const root = tempTree({
    'boxes.csv': 'path,x1,y1,x2,y2,z1,z2,class\nvol1.nii.gz,1,2,5,6,0,3,lesion\nvol2.nii.gz,,,,,,,\n',
  });
  for (const f of ['vol1.nii.gz', 'vol2.nii.gz'])
    await writeImage(createImage(new Float32Array(8 * 8 * 4), [8, 8, 4]), join(root, f));
  const spec = {
    format: 'csv' as const,
    root,
    split: 'boxes.csv',
    classes: null,
    badBoxes: 'warn' as const,
    dims: 3 as const,
    images: null,
    labels: null,
  };
  const d = await openDetectionDataset(spec);
  assert.deepEqual([...d.cases[0]!.boxes.boxes], [1, 2, 0, 5, 6, 3]);
  assert.equal(d.cases[1]!.boxes.labels.length, 0);

  // a CT-like volume: spacing 0.8 × 0.8 × 2, origin (−50, −40, 10), i towards R (flipped x)
  const luna = tempTree({ 'annotations.csv': 'seriesuid,coordX,coordY,coordZ,diameter_mm\nscan1,-58,-32,20,8\n' });
  const geometry = {
    spacing: [0.8, 0.8, 2] as [number, number, number],
    origin: [-50, -40, 10] as [number, number, number],
    direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3,
  };
  await writeImage(
    createImage(new Int16Array(32 * 32 * 12), [32, 32, 12], geometry),
    join(luna, 'images', 'scan1.nii.gz'),
  );
  await writeImage(
    createImage(new Int16Array(32 * 32 * 12), [32, 32, 12], geometry),
    join(luna, 'images', 'scan2.nii.gz'),
  );
  const l = await openDetectionDataset({
    ...spec,
    format: 'luna16',
    root: luna,
    split: 'annotations.csv',
    images: 'images',
  });
  assert.deepEqual(
    l.cases.map((c) => [c.id, c.boxes.labels.length]),
    [
      ['scan1', 1],
      ['scan2', 0],
    ],
  );
  // centre: i = (−50 − (−58)) / 0.8 = 10, j = (−32 + 40) / 0.8 = 10, k = (20 − 10) / 2 = 5; radius 4 mm = 5, 5, 2 voxels
  // (NIfTI stores geometry in float32: compare to 1e-5)
  const box = [...l.cases[0]!.boxes.boxes].map((v) => Math.round(v * 1e5) / 1e5);
  assert.deepEqual(box, [10.5 - 5, 10.5 - 5, 5.5 - 2, 10.5 + 5, 10.5 + 5, 5.5 + 2]);
  const noImage = tempTree({
    'annotations.csv': 'seriesuid,coordX,coordY,coordZ,diameter_mm\nscanX,0,0,0,5\n',
    'images/.keep': '',
  });
  await assert.rejects(
    openDetectionDataset({ ...spec, format: 'luna16', root: noImage, split: 'annotations.csv', images: 'images' }),
    /series scanX has no image/,
  );
});

test('boxes from label maps: one box per connected component and label value', async () => {
  const root = tempTree();
  const label = new Uint8Array(10 * 8);
  for (const [i, j, v] of [
    [1, 1, 1],
    [2, 1, 1],
    [2, 2, 1],
    [7, 5, 1],
    [8, 6, 2],
  ])
    label[i! + 10 * j!] = v!;
  await writeImage(createImage(label, [10, 8]), join(root, 'labels', 'c1.png'));
  await writeImage(createImage(new Uint8Array(80), [10, 8]), join(root, 'images', 'c1.png'));
  const d = await openDetectionDataset({
    format: 'labels',
    root,
    split: '*',
    classes: ['a', 'b'],
    badBoxes: 'warn',
    dims: 2,
    images: 'images',
    labels: 'labels',
  });
  assert.deepEqual([...d.cases[0]!.boxes.boxes], [1, 1, 3, 3, 7, 5, 8, 6, 8, 6, 9, 7]);
  assert.deepEqual([...d.cases[0]!.boxes.labels], [0, 0, 1]);
});

test(
  'BCCD train split: 205 images, the two zero-area boxes of the source reported, class counts as SOURCE.md',
  skipUnlessData('bccd-blood-cells'),
  () => {
    const root = sharedData('bccd-blood-cells')!;
    const train = readVocDataset(root, { split: 'train', classes: ['RBC', 'WBC', 'Platelets'] });
    const val = readVocDataset(root, { split: 'val', classes: ['RBC', 'WBC', 'Platelets'] });
    assert.equal(train.cases.length, 205);
    assert.equal(val.cases.length, 87);
    const count = (d: typeof train, k: number) =>
      d.cases.reduce((s, c) => s + c.boxes.labels.filter((l) => l === k).length, 0);
    const skipped = [...train.warnings, ...val.warnings];
    assert.equal(skipped.length, 2);
    assert.ok(skipped.every((w) => /BloodImage_003(38|43)\.xml: .* zero size/.test(w)));
    // SOURCE.md: train RBC 2382, WBC 214, Platelets 209; val RBC 968, WBC 87, Platelets 83 (the two zero-area RBC boxes included there)
    assert.equal(count(train, 0) + count(val, 0) + 2, 2382 + 968);
    assert.deepEqual([count(train, 1), count(train, 2), count(val, 1), count(val, 2)], [214, 209, 87, 83]);
  },
);
