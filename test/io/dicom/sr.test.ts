// TID 1500 measurement report: its tree as pydicom reads it, the SEG segment it points at, and
// dciodvfy's verdict.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readDicom } from '../../../src/io/dicom/index.js';
import { loadReferenceSeries } from '../../../src/io/dicom/seg/reference.js';
import { writeDicomSeg } from '../../../src/io/dicom/seg/write.js';
import { SR_CODES, writeMeasurementReport } from '../../../src/io/dicom/sr/tid1500.js';
import { createImage } from '../../../src/io/image.js';
import { writeSeries } from '../../helpers/dicom-series.js';
import { hasCommand, hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';

async function report(dir: string) {
  const series = writeSeries(join(dir, 'series'), {
    rows: 8,
    columns: 9,
    slices: 4,
    row: [0, 1, 0],
    column: [0, 0, -1],
    pixelSpacing: [1, 1],
    step: 2,
    origin: [10, -20, 30],
  });
  const image = await readDicom(join(dir, 'series'));
  const label = new Uint8Array(image.data.length);
  label.fill(1, 10, 20);
  const reference = await loadReferenceSeries(join(dir, 'series'));
  const seg = await writeDicomSeg(createImage(label, image.shape, image), reference, join(dir, 'seg.dcm'), {
    segments: [
      { number: 1, label: 'nodule' },
      { number: 2, label: 'mass' },
    ],
  });
  writeMeasurementReport(join(dir, 'sr.dcm'), {
    segmentation: {
      sopClassUid: seg.dataset.SOPClassUID,
      sopInstanceUid: seg.sopInstanceUid,
      seriesInstanceUid: seg.seriesInstanceUid,
    },
    reference,
    groups: [
      {
        trackingId: 'Finding 1',
        finding: seg.segments[0]!.type,
        findingSite: { value: '39607008', scheme: 'SCT', meaning: 'Lung' },
        laterality: { value: '7771000', scheme: 'SCT', meaning: 'Left' },
        segmentNumber: 1,
        measurements: [
          { concept: SR_CODES.volume, value: 268.25, unit: SR_CODES.cubicMillimetre },
          { concept: SR_CODES.longAxis, value: 8.5, unit: SR_CODES.millimetre },
          { concept: SR_CODES.certainty, value: 0.62, unit: SR_CODES.noUnits },
        ],
      },
    ],
  });
  return { series, seg };
}

referenceTest(
  'pydicom reads the TID 1500 tree: one group on segment 1 of the SEG, with its measurements',
  hasPythonModules('pydicom'),
  'python3-pydicom',
  async () => {
    const dir = tempDir();
    const { series, seg } = await report(dir);
    const script = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
def walk(items):
    out = []
    for it in items:
        node = {'type': it.ValueType, 'rel': it.get('RelationshipType'),
                'name': it.ConceptNameCodeSequence[0].CodeMeaning if 'ConceptNameCodeSequence' in it else None}
        if it.ValueType == 'NUM':
            mv = it.MeasuredValueSequence[0]
            node['value'] = float(mv.NumericValue); node['unit'] = mv.MeasurementUnitsCodeSequence[0].CodeValue
        if it.ValueType == 'IMAGE':
            s = it.ReferencedSOPSequence[0]
            node['sop'] = s.ReferencedSOPInstanceUID; node['segment'] = int(s.ReferencedSegmentNumber) if 'ReferencedSegmentNumber' in s else None
        if it.ValueType in ('TEXT',): node['value'] = it.TextValue
        if it.ValueType == 'UIDREF': node['value'] = it.UID
        if it.ValueType == 'CODE': node['value'] = it.ConceptCodeSequence[0].CodeMeaning
        if 'ContentSequence' in it: node['children'] = walk(it.ContentSequence)
        out.append(node)
    return out
print(json.dumps({'template': d.ContentTemplateSequence[0].TemplateIdentifier, 'study': d.StudyInstanceUID, 'patient': str(d.PatientName), 'tree': walk(d.ContentSequence)}))
`;
    const r = spawnSync(SYSTEM_PYTHON, ['-c', script, join(dir, 'sr.dcm')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sr = JSON.parse(r.stdout);
    assert.equal(sr.template, '1500');
    assert.equal(sr.study, series.studyUid);
    assert.equal(sr.patient, 'Synthetic^Patient');
    const measurements = sr.tree.find((n: { name: string }) => n.name === 'Imaging Measurements');
    assert.equal(measurements.children.length, 1);
    const g = measurements.children[0].children as {
      name: string;
      value?: unknown;
      unit?: string;
      segment?: number;
      sop?: string;
      children?: unknown[];
    }[];
    const by = (name: string) => g.find((n) => n.name === name)!;
    assert.equal(by('Tracking Identifier').value, 'Finding 1');
    assert.equal(by('Finding').value, 'Nodule');
    assert.equal(by('Finding Site').value, 'Lung');
    assert.deepEqual(by('Finding Site').children, [
      { type: 'CODE', rel: 'HAS CONCEPT MOD', name: 'Laterality', value: 'Left' },
    ]);
    assert.equal(by('Referenced Segment').sop, seg.sopInstanceUid);
    assert.equal(by('Referenced Segment').segment, 1);
    assert.equal(by('Source series for segmentation').value, series.seriesUid);
    assert.deepEqual([by('Volume').value, by('Volume').unit], [268.25, 'mm3']);
    assert.deepEqual([by('Long axis').value, by('Long axis').unit], [8.5, 'mm']);
    assert.deepEqual([by('Certainty of Finding').value, by('Certainty of Finding').unit], [0.62, '1']);
    // the image library lists every source instance
    const library = sr.tree.find((n: { name: string }) => n.name === 'Image Library').children[0].children;
    assert.deepEqual(library.map((n: { sop: string }) => n.sop).sort(), [...series.instanceOfSlice].sort());
  },
);

referenceTest(
  'dciodvfy finds no error or warning in the SR',
  hasCommand('dciodvfy'),
  'dciodvfy (Debian dicom3tools)',
  async () => {
    const dir = tempDir();
    await report(dir);
    const r = spawnSync('dciodvfy', [join(dir, 'sr.dcm')], { encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    assert.match(out, /ComprehensiveSR/);
    assert.doesNotMatch(out, /^(Error|Warning)/m, out);
  },
);
