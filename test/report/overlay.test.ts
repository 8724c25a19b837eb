import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { lossCurves, metricBoxPlot, rocPlot } from '../../src/report/plots.js';
import { OVERLAY_COLOURS, overlayPlanes, overlayPng } from '../../src/report/overlay.js';
import { svgToPng } from '../../src/report/charts.js';

/** RGB of the pixel (x, y) of a PNG. */
async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

const near = (a: number[], b: readonly number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

test('overlay PNG: false positives red, false negatives blue, true positives green, in the overlay panel', async () => {
  const n = 20;
  // grey 0.5 with a black top row and a white bottom row, so the display window is [0, 1] and 0.5 is 128
  const image = new Float32Array(n * n).fill(0.5);
  for (let i = 0; i < n; i++) {
    image[i] = 0;
    image[i + n * (n - 1)] = 1;
  }
  const truth = new Uint8Array(n * n);
  const pred = new Uint8Array(n * n);
  for (let j = 5; j < 10; j++)
    for (let i = 5; i < 10; i++) {
      truth[i + n * j] = 1; // truth block
      if (i < 8) pred[i + n * j] = 1; // predicted part of it: TP; i = 8, 9 missed: FN
    }
  for (let j = 14; j < 17; j++) for (let i = 14; i < 17; i++) pred[i + n * j] = 1; // a false positive blob
  const panelHeight = 200; // 10 px per voxel, nearest-neighbour
  const png = await overlayPng(
    {
      channels: [image],
      truth,
      prediction: pred,
      shape: [n, n, 1],
      spacing: [1, 1, 1],
      caption: 'case x: Dice 0.75, Jaccard 0.6',
    },
    { panelHeight },
  );
  const meta = await sharp(png).metadata();
  const gap = 6;
  assert.equal(meta.width, 4 * panelHeight + 5 * gap);
  const top = 30 + 18 + 20; // caption, legend and panel titles
  const overlayLeft = gap + 3 * (panelHeight + gap);
  const at = (i: number, j: number) => pixel(png, overlayLeft + i * 10 + 5, top + j * 10 + 5);
  const fp = await at(15, 15),
    fn = await at(9, 7),
    tp = await at(6, 7),
    bg = await at(2, 2);
  // colours are blended over the grey image (0.5 → 128); the strongest channel names the colour
  assert.ok(fp[0]! > 180 && fp[1]! < 80 && fp[2]! < 80, `false positive ${fp} should be red`);
  assert.ok(fn[2]! > 180 && fn[0]! < 80, `false negative ${fn} should be blue`);
  assert.ok(tp[1]! > 150 && tp[0]! < 80 && tp[2]! < 80, `true positive ${tp} should be green`);
  assert.ok(near(bg, [128, 128, 128], 2), `background ${bg} stays grey`);
  // the image panel at the FP blob is plain grey; the prediction panel colours it
  assert.ok(near(await pixel(png, gap + 155, top + 155), [128, 128, 128], 2));
  void OVERLAY_COLOURS;
});

test('3D overlays: three planes through the most foreground, in the physical aspect ratio', async () => {
  const [ni, nj, nk] = [10, 8, 6];
  const truth = new Uint8Array(ni * nj * nk);
  truth[3 + ni * (5 + nj * 4)] = 1;
  truth[3 + ni * (2 + nj * 4)] = 1;
  const planes = overlayPlanes(truth, truth, [ni, nj, nk], [1, 1, 3]);
  assert.deepEqual(
    planes.map((p) => p.name),
    ['axial k=4', 'coronal j=2', 'sagittal i=3'],
  );
  assert.equal(planes[0]!.aspect, 10 / 8);
  assert.equal(planes[1]!.aspect, 10 / 18, 'coronal: 10 mm wide, 6 slices × 3 mm high');
  const png = await overlayPng(
    {
      channels: [new Float32Array(ni * nj * nk)],
      truth,
      prediction: truth,
      shape: [ni, nj, nk],
      spacing: [1, 1, 3],
      caption: '3D',
    },
    { panelHeight: 180 },
  );
  const meta = await sharp(png).metadata();
  // the widest plane row (axial: 180 · 10/8 = 225 px) sets the panel width
  assert.equal(meta.width, 4 * 225 + 5 * 6);
});

test('charts render as SVG without a browser and as PNG through sharp', async () => {
  const curves = await lossCurves([
    { series: 'fold 0', epoch: 1, trainLoss: 1, valLoss: 1.1, valDice: 0.4 },
    { series: 'fold 0', epoch: 2, trainLoss: 0.8, valLoss: 0.9, valDice: 0.6 },
    { series: 'fold 1', epoch: 1, trainLoss: 1.2, valLoss: 1.0, valDice: 0.5 },
  ]);
  assert.match(curves, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const text of ['Loss', 'Validation Dice', 'epoch', 'fold 0', 'fold 1', 'validation'])
    assert.ok(curves.includes(`>${text}<`), text);
  const box = await metricBoxPlot(
    [1, 2, 3].flatMap((i) => [
      { method: 'unet', class: '1', case: `c${i}`, value: 0.8 + i / 100 },
      { method: 'otsu', class: '1', case: `c${i}`, value: 0.5 + i / 100 },
    ]),
    'dice',
  );
  assert.ok(box.includes('>unet<') && box.includes('>otsu<'));
  const roc = await rocPlot([{ method: 'rf', class: '1', fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], auc: 0.85 }]);
  assert.ok(roc.includes('rf (AUC 0.850)'));
  const png = await svgToPng(curves);
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(meta.width! > 600);
});
