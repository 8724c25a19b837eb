// pydicom's view of a DICOM SEG (an independent reader): per frame the segment, the plane position,
// the source instance it derives from and the indices of its set pixels.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SYSTEM_PYTHON } from './reference.js';

export interface PydicomSegFrame {
  segment: number;
  position: number[];
  source: string | null;
  frame: number | null;
  pixels: number[];
}

export interface PydicomSeg {
  frames: PydicomSegFrame[];
  orientation: number[];
  rows: number;
  columns: number;
}

const SCRIPT = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
pixels = sys.argv[2] == 'pixels'
arr = d.pixel_array.reshape(int(d.NumberOfFrames), d.Rows, d.Columns) if pixels else None
shared = d.SharedFunctionalGroupsSequence[0]
out = []
for f, item in enumerate(d.PerFrameFunctionalGroupsSequence):
    pos = [float(x) for x in item.PlanePositionSequence[0].ImagePositionPatient]
    ident = item.SegmentIdentificationSequence if 'SegmentIdentificationSequence' in item else shared.SegmentIdentificationSequence
    src = item.DerivationImageSequence[0].SourceImageSequence[0] if 'DerivationImageSequence' in item else None
    out.append({'segment': int(ident[0].ReferencedSegmentNumber), 'position': pos,
                'source': src.ReferencedSOPInstanceUID if src else None,
                'frame': int(src.ReferencedFrameNumber) if src is not None and 'ReferencedFrameNumber' in src else None,
                'pixels': [int(p) for p in arr[f].flatten().nonzero()[0]] if pixels else []})
orientation = [float(x) for x in shared.PlaneOrientationSequence[0].ImageOrientationPatient]
print(json.dumps({'frames': out, 'orientation': orientation, 'rows': d.Rows, 'columns': d.Columns}))
`;

/** Runs Debian's pydicom on a SEG file (`pixels: false` skips decoding the frames). */
export function pydicomSegFrames(path: string, options: { pixels?: boolean } = {}): PydicomSeg {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', SCRIPT, path, options.pixels === false ? 'none' : 'pixels'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PydicomSeg;
}
