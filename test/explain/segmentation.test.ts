// Grad-CAM of segmentation runs: a U-Net trained on bright disks puts the heatmap of class "nodule"
// on the disk of a new image (of another size, padded for the pooling, with its own origin and a flipped
// axis), and the heatmap keeps the input's geometry; a 3D input of anisotropic spacing (resampled by the
// run's plan) keeps its slice count and spacing; bad options are one line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { explainSegmentation } from '../../src/explain/segmentation.js';
import { createImage } from '../../src/io/image.js';
import { readImage } from '../../src/io/read.js';
import { writeImage } from '../../src/io/write.js';
import { loadRun } from '../../src/train/run-folder.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { trainTinyDiskRun } from '../helpers/tiny-disk-run.js';
import { writeTinyRun } from '../helpers/tiny-run.js';

let dir: string;
let runDir: string;
const [NI, NJ] = [42, 38];
const DISK = { ci: 12, cj: 24, r: 5 };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vesalius-explain-seg-'));
  runDir = await trainTinyDiskRun(dir);
  const rng = new Random(5);
  const data = new Float32Array(NI * NJ);
  for (let j = 0; j < NJ; j++)
    for (let i = 0; i < NI; i++) {
      const inside = (i - DISK.ci) ** 2 + (j - DISK.cj) ** 2 < DISK.r ** 2;
      data[i + NI * j] = 100 + (inside ? 60 : 0) + 20 * (rng.next() - 0.5);
    }
  const direction = [-1, 0, 0, 0, 1, 0, 0, 0, 1] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  await writeImage(
    createImage(data, [NI, NJ, 1], { spacing: [1, 1, 1], origin: [7, -3, 2], direction }),
    join(dir, 'new.nii.gz'),
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

function insideDisk(v: number, margin = 0): boolean {
  const i = v % NI;
  const j = Math.floor(v / NI) % NJ;
  return (i - DISK.ci) ** 2 + (j - DISK.cj) ** 2 < (DISK.r + margin) ** 2;
}

for (const method of ['gradcam', 'gradcam++'] as const) {
  test(`segmentation ${method}: the heatmap of "nodule" lies on the disk, with the input's geometry`, async () => {
    const run = loadRun(runDir);
    try {
      const [written] = await explainSegmentation(run, [join(dir, 'new.nii.gz')], {
        method,
        output: join(dir, `out-${method}`),
      });
      assert.equal(written!.className, 'nodule');
      const heat = await readImage(written!.heatmap);
      const input = await readImage(join(dir, 'new.nii.gz'));
      assert.deepEqual(heat.shape.slice(0, 3), [NI, NJ, 1]);
      assert.deepEqual([...heat.spacing], [...input.spacing]);
      assert.deepEqual([...heat.origin], [...input.origin]);
      assert.deepEqual([...heat.direction], [...input.direction]);
      let best = 0;
      let inSum = 0,
        inN = 0,
        outSum = 0,
        outN = 0;
      for (let v = 0; v < heat.data.length; v++) {
        const h = Number(heat.data[v]);
        if (h > Number(heat.data[best])) best = v;
        if (insideDisk(v)) {
          inSum += h;
          inN++;
        } else if (!insideDisk(v, 3)) {
          outSum += h;
          outN++;
        }
      }
      assert.equal(Number(heat.data[best]), 1, 'normalised to a maximum of 1');
      assert.ok(insideDisk(best, 1), `maximum at voxel ${best % NI},${Math.floor(best / NI)}, off the disk`);
      assert.ok(
        inSum / inN > 4 * (outSum / outN),
        `mean heat on the disk ${inSum / inN}, away from it ${outSum / outN}`,
      );
    } finally {
      run.model.dispose();
    }
  });
}

test('segmentation explain keeps a 3D input of anisotropic spacing on its own grid (slice count and spacing)', async () => {
  const tiny = writeTinyRun(join(dir, 'tiny3d'), { dims: 3 });
  const shape = [20, 18, 7];
  const data = Float32Array.from({ length: shape[0]! * shape[1]! * shape[2]! }, (_, v) => 10 + 50 * Math.sin(v * 0.37));
  const path = join(dir, 'aniso.nii.gz');
  await writeImage(createImage(data, shape, { spacing: [0.8, 0.9, 2.5], origin: [1, 2, 3] }), path);
  const run = loadRun(tiny);
  try {
    const [written] = await explainSegmentation(run, [path], { method: 'gradcam', output: join(dir, 'out3d') });
    const heat = await readImage(written!.heatmap);
    assert.deepEqual(heat.shape.slice(0, 3), shape);
    assert.deepEqual(
      [...heat.spacing],
      [0.8, 0.9, 2.5].map((s) => Math.fround(s)),
    );
    for (const v of heat.data) assert.ok(Number(v) >= 0 && Number(v) <= 1);
  } finally {
    run.model.dispose();
  }
});

test('vesalius explain on a segmentation run: files and a pseudo-mask; bad options are one line', () => {
  const out = join(dir, 'cli');
  const ok = runCli([
    'explain',
    runDir,
    join(dir, 'new.nii.gz'),
    '-o',
    out,
    '--class',
    'nodule',
    '--mask',
    '0.5',
    '--json',
  ]);
  assert.equal(ok.status, 0, ok.stderr);
  const [entry] = JSON.parse(ok.stdout) as { heatmap: string; overlay: string; mask: string; className: string }[];
  assert.equal(entry!.className, 'nodule');
  assert.match(entry!.overlay, /\.png$/);
  assert.match(entry!.mask, /_mask\.nii\.gz$/);
  const occlusion = runCli(['explain', runDir, join(dir, 'new.nii.gz'), '-o', out, '--method', 'occlusion']);
  assert.equal(occlusion.status, 1);
  assert.match(occlusion.stderr.trim().split('\n').at(-1)!, /--method.*gradcam/);
  const badClass = runCli(['explain', runDir, join(dir, 'new.nii.gz'), '-o', out, '--class', 'liver']);
  assert.equal(badClass.status, 1);
  assert.match(badClass.stderr.trim().split('\n').at(-1)!, /--class.*'liver'.*nodule/);
});
