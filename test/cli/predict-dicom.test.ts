// `predict --format dicom-seg --sr` on a DICOM series with a run the trainer made: the SEG holds the
// same voxels as the plain prediction, the SR measures its finding and points at the SEG segment.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readDicomSeg } from '../../src/io/dicom/seg/read.js';
import { readImage } from '../../src/io/read.js';
import { runCli } from '../helpers/cli.js';
import { assertSamePlaces } from '../helpers/label-places.js';
import { hasCommand, hasPythonModules, needsReference, requireReference, SYSTEM_PYTHON } from '../helpers/reference.js';
import { trainTinyDiskRun, writeDiskSeries } from '../helpers/tiny-disk-run.js';
import { tempDir } from '../helpers/tmp.js';

let dir = '';
let run = '';
before(async () => {
  dir = tempDir();
  run = await trainTinyDiskRun(join(dir, 'train'));
  writeDiskSeries(join(dir, 'series'));
});

const references = hasPythonModules('pydicom') && hasCommand('dciodvfy');

test(
  'predict --format dicom-seg --sr: SEG = the prediction, SR measures it, both valid',
  needsReference(references, 'python3-pydicom and dciodvfy'),
  async () => {
    requireReference(references, 'python3-pydicom and dciodvfy');
    const out = join(dir, 'out');
    const r = runCli([
      'predict',
      run,
      join(dir, 'series'),
      '-o',
      out,
      '--format',
      'dicom-seg',
      '--sr',
      '--no-tta',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['series.seg.dcm', 'series.sr.dcm']);
    const written = JSON.parse(r.stdout);
    assert.equal(written[0].sr, join(out, 'series.sr.dcm'));
    const plain = runCli(['predict', run, join(dir, 'series'), '-o', join(dir, 'plain'), '--no-tta']);
    assert.equal(plain.status, 0, plain.stderr);
    const labels = await readImage(join(dir, 'plain', 'series.nii.gz'));
    const seg = await readDicomSeg(join(out, 'series.seg.dcm'));
    assertSamePlaces(labels, seg.image);
    assert.deepEqual(
      seg.segments.map((s) => [s.number, s.label, s.type?.meaning]),
      [[1, 'nodule', 'Nodule']],
    );
    // the disk: radius √30 pixels of 1 mm on 6 slices of 2 mm; the model finds it
    let voxels = 0;
    for (const v of labels.data) voxels += v ? 1 : 0;
    assert.ok(voxels > 400 && voxels < 700, `${voxels} voxels predicted`);

    const sr = spawnSync(
      SYSTEM_PYTHON,
      [
        '-c',
        `import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1]); s = pydicom.dcmread(sys.argv[2])
groups = [c for c in d.ContentSequence if c.ConceptNameCodeSequence[0].CodeValue == '126010'][0].ContentSequence
out = []
for g in groups:
    items = {i.ConceptNameCodeSequence[0].CodeMeaning: i for i in g.ContentSequence}
    ref = items['Referenced Segment'].ReferencedSOPSequence[0]
    out.append({'volume': float(items['Volume'].MeasuredValueSequence[0].NumericValue),
                'certainty': float(items['Certainty of Finding'].MeasuredValueSequence[0].NumericValue),
                'sop': ref.ReferencedSOPInstanceUID, 'segment': int(ref.ReferencedSegmentNumber),
                'seg': s.SOPInstanceUID, 'same_study': d.StudyInstanceUID == s.StudyInstanceUID})
print(json.dumps(out))`,
        join(out, 'series.sr.dcm'),
        join(out, 'series.seg.dcm'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(sr.status, 0, sr.stderr);
    const groups = JSON.parse(sr.stdout);
    assert.ok(groups.length >= 1);
    const [g] = groups;
    assert.equal(g.sop, g.seg);
    assert.equal(g.segment, 1);
    assert.equal(g.same_study, true);
    assert.ok(
      Math.abs(g.volume - voxels * 2) < 2 * 40,
      `largest finding ${g.volume} mm³ of ${voxels * 2} mm³ predicted`,
    );
    assert.ok(g.certainty > 0.5 && g.certainty <= 1);
    for (const file of ['series.seg.dcm', 'series.sr.dcm']) {
      const v = spawnSync('dciodvfy', [join(out, file)], { encoding: 'utf8' });
      assert.doesNotMatch(`${v.stdout}${v.stderr}`, /^Error/m, file);
    }
  },
);

test('predict --format dicom-seg refuses non-DICOM inputs and --sr without a SEG, writing nothing', async () => {
  const { writeImage } = await import('../../src/io/write.js');
  const image = await readImage(join(dir, 'series'));
  await writeImage(image, join(dir, 'image.nii.gz'));
  const nifti = runCli(['predict', run, join(dir, 'image.nii.gz'), '-o', join(dir, 'bad1'), '--format', 'dicom-seg']);
  assert.equal(nifti.status, 1);
  assert.match(nifti.stderr, /^vesalius: --format: dicom-seg needs one DICOM series/);
  const sr = runCli(['predict', run, join(dir, 'series'), '-o', join(dir, 'bad2'), '--sr']);
  assert.equal(sr.status, 1);
  assert.match(sr.stderr, /^vesalius: --sr: needs --format dicom-seg/);
  assert.equal(existsSync(join(dir, 'bad1')), false);
  assert.equal(existsSync(join(dir, 'bad2')), false);
});
