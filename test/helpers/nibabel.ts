import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python with nibabel (the `python3` on PATH may lack it). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

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

/** What nibabel reports for each file, or undefined (with the reason) when nibabel is unavailable. */
export function nibabelView(paths: string[]): { views?: Record<string, NibabelView>; unavailable?: string } {
  if (!existsSync(SYSTEM_PYTHON)) return { unavailable: `${SYSTEM_PYTHON} not found` };
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import nibabel, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return { unavailable: `${SYSTEM_PYTHON} has no nibabel` };
  const r = spawnSync(SYSTEM_PYTHON, ['-c', SCRIPT, ...paths], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`nibabel helper failed: ${r.stderr}`);
  return { views: JSON.parse(r.stdout) as Record<string, NibabelView> };
}

/** Whether nibabel can be used (for test skip messages). */
export function nibabelSkip(): { skip: string | false } {
  const probe = existsSync(SYSTEM_PYTHON) && spawnSync(SYSTEM_PYTHON, ['-c', 'import nibabel, numpy']).status === 0;
  return { skip: probe ? false : `${SYSTEM_PYTHON} with nibabel is not available: nibabel comparison skipped` };
}
