// Findings: sizes against hand-computed geometry, components and centroids against scipy, sides and
// locations in patient space, and the report in its four forms (the PDF read back by pdftotext).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImage, type Image, type Mat3 } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { findFindings } from '../../src/report/findings.js';
import { findingsFromFiles } from '../../src/report/findings-files.js';
import { buildFindingsReport, findingSentence, reportHtml } from '../../src/report/findings-report.js';
import { runCli } from '../helpers/cli.js';
import { hasCommand, hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

function volume(
  shape: [number, number, number],
  fill: (i: number, j: number, k: number) => number,
  geometry: Partial<Image> = {},
): Image {
  const [ni, nj, nk] = shape;
  const data = new Uint8Array(ni * nj * nk);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) data[i + ni * (j + nj * k)] = fill(i, j, k);
  return createImage(data, shape, geometry);
}

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('a 4×3-voxel rectangle: long axis its diagonal, short axis its width across the diagonal', () => {
  for (const [si, sj] of [
    [1, 1],
    [0.5, 2],
  ] as const) {
    const label = volume([10, 10, 3], (i, j, k) => (i >= 2 && i < 6 && j >= 3 && j < 6 && k === 1 ? 1 : 0), {
      spacing: [si, sj, 5],
    });
    const [f] = findFindings(label);
    const w = 4 * si;
    const h = 3 * sj;
    close(f!.longAxis, Math.hypot(w, h));
    close(f!.shortAxis, (2 * w * h) / Math.hypot(w, h));
    close(f!.volume, 12 * si * sj * 5);
    // one slice of 5 mm: the 3D diameter spans the slab
    close(f!.maxDiameter, Math.hypot(w, h, 5));
    assert.deepEqual(f!.slices, [1, 1]);
  }
});

test('measurements follow the spacing and direction: a rotated, flipped grid gives the same sizes', () => {
  const c = Math.cos(0.4);
  const s = Math.sin(0.4);
  const rotated: Mat3 = [c, -s, 0, s, c, 0, 0, 0, -1];
  const ball = (i: number, j: number, k: number) => ((i - 8) ** 2 + (j - 8) ** 2 + (k - 8) ** 2 * 4 <= 30 ? 1 : 0);
  const a = findFindings(volume([17, 17, 17], ball, { spacing: [1, 1, 2] }))[0]!;
  const b = findFindings(
    volume([17, 17, 17], ball, { spacing: [1, 1, 2], direction: rotated, origin: [5, -7, 9] }),
  )[0]!;
  for (const key of ['volume', 'longAxis', 'shortAxis', 'maxDiameter'] as const) close(a[key], b[key], 1e-6);
  // the ball's physical radius is about √30 mm: its diameters are near 2√30 (voxel outlines add up to a voxel)
  assert.ok(a.longAxis > 2 * Math.sqrt(30) && a.longAxis < 2 * Math.sqrt(30) + 2);
  close(b.centroid[2], 9 - 16, 1e-9); // k axis points to -z: centre of k = 8 is 16 mm below the origin
});

test("sides in patient coordinates: +x is the patient's left, whatever the voxel order", () => {
  // origin x = -20, i runs to +x: voxels i < 20 are right (x < 0), i > 20 left
  const label = volume([41, 5, 3], (i) => (i < 5 ? 1 : i > 36 ? 2 : i >= 18 && i <= 22 ? 3 : 0), {
    origin: [-20, 0, 0],
  });
  const sides = findFindings(label).map((f) => [f.classValue, f.side]);
  assert.deepEqual(sides, [
    [1, 'right'],
    [2, 'left'],
    [3, 'midline'],
  ]);
  // the same voxels with i running to -x (a flipped direction) swap sides
  const flipped = {
    ...label,
    direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3,
    origin: [20, 0, 0] as [number, number, number],
  };
  assert.deepEqual(
    findFindings(flipped).map((f) => f.side),
    ['left', 'right', 'midline'],
  );
});

referenceTest(
  'components, sizes and centroids agree with scipy.ndimage (26-connectivity)',
  hasPythonModules('scipy', 'numpy'),
  'python3-scipy',
  () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const label = volume([20, 18, 12], () => (random() < 0.12 ? (random() < 0.5 ? 1 : 2) : 0));
    const ours = findFindings(label).map((f) => [
      f.classValue,
      f.voxels,
      ...f.centroidVoxel.map((x) => Math.round(x * 1e6) / 1e6),
    ]);
    const script = `
import json, sys, numpy as np
from scipy import ndimage
d = np.array(json.loads(sys.stdin.read()), dtype=np.uint8).reshape(12, 18, 20)  # k, j, i
out = []
for c in (1, 2):
    lab, n = ndimage.label(d == c, structure=np.ones((3, 3, 3)))
    for i in range(1, n + 1):
        m = lab == i
        k, j, ii = ndimage.center_of_mass(m)
        out.append([c, int(m.sum()), round(ii, 6), round(j, 6), round(k, 6)])
print(json.dumps(out))`;
    const r = spawnSync(SYSTEM_PYTHON, ['-c', script], {
      input: JSON.stringify(Array.from(label.data)),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as number[][];
    const order = (a: number[], b: number[]) =>
      a[0]! - b[0]! || b[1]! - a[1]! || a[2]! - b[2]! || a[3]! - b[3]! || a[4]! - b[4]!;
    assert.deepEqual([...ours].sort(order), theirs.sort(order));
  },
);

test('model probability, mean intensity and atlas location per finding; the sentence reads as a report line', () => {
  const label = volume(
    [20, 20, 50],
    (i, j, k) => (i >= 2 && i < 10 && j >= 2 && j < 10 && k >= 40 && k <= 46 ? 1 : 0),
    { origin: [5, 0, 0] },
  );
  const n = 20 * 20 * 50;
  const probabilities = createImage(new Float32Array(2 * n).fill(0.62, n), [20, 20, 50, 2], label);
  const image = createImage(new Int16Array(n).fill(-40), [20, 20, 50], label);
  const atlas = volume([20, 20, 50], (i) => (i < 6 ? 3 : 4), label);
  const [f] = findFindings(label, {
    probabilities,
    image,
    atlas,
    atlasNames: new Map([
      [3, 'left lung'],
      [4, 'heart'],
    ]),
    classNames: new Map([[1, 'nodule']]),
  });
  close(f!.meanProbability!, 0.62, 1e-6);
  close(f!.meanIntensity!, -40);
  assert.deepEqual(f!.location, { value: 3, name: 'left lung', fraction: 0.5 });
  assert.equal(f!.side, 'left');
  assert.equal(
    findingSentence(f!),
    'Finding 1: 11 mm nodule, left, in left lung (50%), slices 41–47, volume 448 mm³, short axis 11 mm, mean intensity -40, model probability 0.62',
  );
});

test('a 2D prediction reports areas; a photograph has no side', () => {
  const label = volume([8, 8, 1], (i, j) => (i < 3 && j < 2 ? 1 : 0), { spacing: [0.5, 0.5, 1] });
  const [f] = findFindings(label);
  assert.equal(f!.is2D, true);
  close(f!.volume, 6 * 0.25);
  label.meta['raster.channels'] = 1;
  const [g] = findFindings(label);
  assert.equal(g!.side, 'unknown');
  assert.match(findingSentence(g!), /^Finding 1: 1\.8 mm class 1, area 2 mm²/);
});

referenceTest(
  'findings report files: text, JSON, HTML and a PDF that pdftotext reads',
  hasCommand('pdftotext'),
  'pdftotext (Debian poppler-utils)',
  async () => {
    const dir = tempDir();
    const label = volume(
      [30, 30, 20],
      (i, j, k) => ((i - 8) ** 2 + (j - 8) ** 2 + (k - 5) ** 2 < 10 ? 1 : i > 20 && j > 20 && k > 10 ? 2 : 0),
      { origin: [-100, 0, 0] },
    );
    await writeImage(label, join(dir, 'pred.nii.gz'));
    const names = join(dir, 'names.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(names, JSON.stringify({ labels: { background: 0, nodule: 1, mass: 2 } }));
    const { report, written } = await findingsFromFiles(join(dir, 'pred.nii.gz'), {
      names,
      output: join(dir, 'report'),
    });
    assert.deepEqual(
      written.map((w) => w.slice(dir.length + 1)),
      ['report.txt', 'report.json', 'report.html', 'report.pdf'],
    );
    assert.equal(report.findings.length, 2);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(json.findings[0].className, 'nodule');
    assert.match(json.disclaimer, /not a diagnosis/);
    const text = readFileSync(join(dir, 'report.txt'), 'utf8');
    assert.match(text, /^Finding 1: \d+ mm nodule, right, slices 3–9, volume \d+ mm³/m);
    assert.match(text, /METHOD\n/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<td>mass<\/td>/);
    const pdf = spawnSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
    assert.equal(pdf.status, 0, pdf.stderr);
    for (const f of report.findings)
      assert.ok(pdf.stdout.includes(f.text.replace(/\s+/g, ' ').slice(0, 40)), `PDF lacks "${f.text}"`);
    assert.match(pdf.stdout, /Disclaimer/);
  },
);

test('reportHtml escapes what it shows', () => {
  const label = volume([4, 4, 2], (i) => (i === 1 ? 1 : 0));
  const findings = findFindings(label, { classNames: new Map([[1, '<script>x</script>']]) });
  const html = reportHtml(
    buildFindingsReport(findings, {
      prediction: 'a&b.nii',
      shape: [4, 4, 2],
      spacing: [1, 1, 1],
      orientation: 'LPS',
      midlineX: 0,
    }),
  );
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /a&amp;b\.nii/);
});

test('vesalius findings: the report on stdout, JSON with --json, one-line errors', async () => {
  const dir = tempDir();
  await writeImage(
    volume([12, 12, 6], (i, j, k) => (i < 4 && j < 4 && k < 3 ? 1 : 0)),
    join(dir, 'pred.nii.gz'),
  );
  const text = runCli(['findings', join(dir, 'pred.nii.gz')]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Finding 1: \d mm class 1/);
  const json = runCli(['findings', join(dir, 'pred.nii.gz'), '--json']);
  assert.equal(JSON.parse(json.stdout).findings.length, 1);
  const bad = runCli(['findings', join(dir, 'pred.nii.gz'), '--image', join(dir, 'missing.nii.gz')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^vesalius: .*missing\.nii\.gz: no such file/);
  const format = runCli(['findings', join(dir, 'pred.nii.gz'), '-o', join(dir, 'r'), '--format', 'docx']);
  assert.equal(format.status, 1);
  assert.match(format.stderr, /--format: must be among txt, json, html, pdf/);
});
