// DICOM SEG on real data: TotalSegmentator's label of a Siemens CT (a LAS NIfTI made by a converter,
// 117 classes, JPEG 2000 source with empty dataset SOP UIDs) becomes a SEG whose frames sit exactly on
// the source slices; SEGs written by highdicom and dcmqi read back where pydicom puts their frames.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDicomSeg } from '../../../src/io/dicom/seg/read.js';
import { loadReferenceSeries } from '../../../src/io/dicom/seg/reference.js';
import { writeDicomSeg } from '../../../src/io/dicom/seg/write.js';
import { worldToIndex } from '../../../src/io/geometry.js';
import { readImage } from '../../../src/io/read.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';
import {
  hasCommand,
  hasPythonModules,
  needsReference,
  requireReference,
  SYSTEM_PYTHON,
} from '../../helpers/reference.js';
import { pydicomSegFrames } from '../../helpers/seg-pydicom.js';
import { tempDir } from '../../helpers/tmp.js';
import { assertSamePlaces } from '../../helpers/label-places.js';

const TOTALSEG = ['dicom-samples', 'series', 'totalsegmentator-ct-20slices'];
const HIGHDICOM = ['dicom-samples', 'seg-sr', 'highdicom'];

const references = hasPythonModules('pydicom') && hasCommand('dciodvfy');
const skip = skipUnlessData(...TOTALSEG).skip || needsReference(references, 'python3-pydicom and dciodvfy').skip;

test('TotalSegmentator label (NIfTI, LAS) → SEG on its CT: same voxels, frames on the source slices', {
  skip,
}, async () => {
  requireReference(references, 'python3-pydicom and dciodvfy');
  const root = sharedData(...TOTALSEG)!;
  const label = await readImage(join(root, 'example_seg_dicom.nii.gz'));
  const out = join(tempDir(), 'totalseg.dcm');
  const reference = await loadReferenceSeries(join(root, 'dicom'));
  const written = await writeDicomSeg(label, reference, out);
  // the source lacks Study/Series Instance UIDs: the SEG says what it made up
  assert.equal(written.warnings.length, 2);
  let largest = 0;
  for (const v of label.data) largest = Math.max(largest, v);
  assert.equal(written.segments.length, largest);
  const back = await readDicomSeg(out);
  assertSamePlaces(label, back.image);
  const onGrid = await readDicomSeg(out, { reference: reference.grid });
  assert.deepEqual(onGrid.image.data, written.label.data);

  // pydicom: each frame lies exactly where the CT instance it names lies
  const seg = pydicomSegFrames(out, { pixels: false });
  const ct = spawnSync(
    SYSTEM_PYTHON,
    [
      '-c',
      `import json,sys,glob,pydicom
out={}
for f in glob.glob(sys.argv[1]+'/*'):
    d=pydicom.dcmread(f, stop_before_pixels=True)
    out[d.file_meta.MediaStorageSOPInstanceUID]=[float(x) for x in d.ImagePositionPatient]
print(json.dumps(out))`,
      join(root, 'dicom'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(ct.status, 0, ct.stderr);
  const positions = JSON.parse(ct.stdout) as Record<string, number[]>;
  assert.equal(seg.frames.length, written.dataset.NumberOfFrames);
  for (const f of seg.frames) {
    const p = positions[f.source!]!;
    assert.ok(
      Math.hypot(p[0]! - f.position[0]!, p[1]! - f.position[1]!, p[2]! - f.position[2]!) < 1e-4,
      `frame of segment ${f.segment}`,
    );
  }
  const report = spawnSync('dciodvfy', [out], { encoding: 'utf8' });
  assert.doesNotMatch(`${report.stdout}${report.stderr}`, /^Error/m);
});

for (const file of [
  'seg_image_ct_binary_overlap.dcm',
  'seg_image_ct_binary_fractional.dcm',
  '../pydicom-data/liver_seg.dcm',
]) {
  test(`a SEG from another writer (${file}) reads back where pydicom puts its frames`, {
    skip: skipUnlessData(...HIGHDICOM).skip || needsReference(hasPythonModules('pydicom'), 'python3-pydicom').skip,
  }, async () => {
    requireReference(hasPythonModules('pydicom'), 'python3-pydicom');
    const path = join(sharedData(...HIGHDICOM)!, file);
    const seg = await readDicomSeg(path, { masks: true });
    const masks = seg.masks!;
    const [ni, nj, nk] = masks.shape as [number, number, number];
    const py = pydicomSegFrames(path);
    const fractional = file.includes('fractional');
    let checked = 0;
    for (const f of py.frames) {
      const [i, j, k] = worldToIndex(seg.image, f.position);
      assert.ok(Math.abs(i!) < 1e-4 && Math.abs(j!) < 1e-4 && Math.abs(k! - Math.round(k!)) < 1e-4);
      const channel = seg.segments.findIndex((s) => s.number === f.segment);
      const base = channel * ni * nj * nk + Math.round(k!) * ni * nj;
      const ours: number[] = [];
      for (let p = 0; p < ni * nj; p++) if (masks.data[base + p]) ours.push(p);
      // fractional frames: pydicom gives every non-zero value, we keep those over one half
      if (fractional) assert.ok(ours.every((p) => f.pixels.includes(p)));
      else assert.deepEqual(ours, f.pixels);
      checked += f.pixels.length;
    }
    assert.ok(checked > 0);
  });
}

test(
  'a legacy file without preamble or meta header (one stray byte first) can be a SEG reference',
  skipUnlessData('dicom-samples'),
  async () => {
    const path = join(sharedData('dicom-samples')!, 'transfer-syntax', 'pydicom-misc', 'no_meta.dcm');
    const { readDicom } = await import('../../../src/io/dicom/index.js');
    const { createImage } = await import('../../../src/io/image.js');
    const ct = await readDicom(path);
    const label = createImage(
      Uint8Array.from(ct.data, (v) => (v > 1100 ? 1 : 0)),
      ct.shape,
      ct,
    );
    const out = join(tempDir(), 'seg.dcm');
    const written = await writeDicomSeg(label, path, out, { segments: [{ number: 1, label: 'bone' }] });
    assert.equal(written.dataset.PatientName[0].Alphabetic, 'CompressedSamples^CT1');
    assert.deepEqual((await readDicomSeg(out, { reference: ct })).image.data, label.data);
  },
);
