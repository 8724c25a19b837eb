import { python, requireReference, runPython } from './reference.js';

/** nibabel (with numpy) in the reference python: pass to `referenceTest`. */
export const NIBABEL = python('nibabel', 'numpy');

export interface NibabelView {
  shape: number[];
  /** 4×4 affine (RAS), row-major. */
  affine: number[][];
  qform?: number[][];
  sform?: number[][];
  /** [qform_code, sform_code]. */
  codes?: number[];
  /** Statistics of get_fdata() (after scl_slope/scl_inter); absent when there is no data file. */
  min?: number;
  max?: number;
  mean?: number;
  error?: string;
}

const SCRIPT = `
import json, sys, os
import numpy as np
import nibabel as nib
out = {}
for p in sys.argv[1:]:
    try:
        img = nib.load(p)
        r = {'shape': [int(n) for n in img.shape], 'affine': np.asarray(img.affine, dtype=float).tolist()}
        if hasattr(img.header, 'get_qform'):
            r['qform'] = np.asarray(img.header.get_qform(), dtype=float).tolist()
            r['sform'] = np.asarray(img.header.get_sform(), dtype=float).tolist()
            r['codes'] = [int(img.header['qform_code']), int(img.header['sform_code'])]
        try:
            d = img.get_fdata()
            r.update(min=float(np.nanmin(d)), max=float(np.nanmax(d)), mean=float(np.nanmean(d)))
        except (FileNotFoundError, OSError):
            pass
        out[p] = r
    except Exception as e:
        out[p] = {'error': str(e)}
print(json.dumps(out))
`;

/** What nibabel reports for each file; throws (naming the reference) when nibabel is unavailable. */
export function nibabelView(paths: string[]): Record<string, NibabelView> {
  requireReference(NIBABEL.available, NIBABEL.what);
  return JSON.parse(runPython(SCRIPT, paths)) as Record<string, NibabelView>;
}
