/**
 * I/O benchmark: read time of a 256³ int16 NIfTI (.nii.gz and .nii), Vesalius vs nibabel, in the
 * same run on the same file. Run: `node --import tsx bench/io.ts [--reps N]`.
 *
 * Fairness: both sides are timed inside their own process (no interpreter start-up), on a warm page
 * cache, after one untimed warm-up call, median of N repetitions. The repetitions of the two sides
 * are interleaved (ours, nibabel, ours, ...) so that load from other processes hits both alike. nibabel is timed two ways: `np.asanyarray(img.dataobj)` (stored
 * int16, what Vesalius returns for unscaled data) and `img.get_fdata()` (float64, nibabel's usual call).
 *
 * Extension point: each benchmark is a `Case` in `cases` below. The DICOM series case (Vesalius vs
 * pydicom assembling a 100+-slice series) belongs to the DICOM module and is added there as another
 * `Case` (or in bench/dicom.ts by that module's author).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImage } from '../src/io/image.js';
import { readNifti } from '../src/io/nifti/read.js';
import { writeNifti } from '../src/io/nifti/write.js';
import { Random } from '../src/util/random.js';

const PYTHON = '/usr/bin/python3';
const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 7;

interface Case {
  name: string;
  file: string;
  /** Vesalius: the call being timed. */
  ours: () => unknown;
  /** Python statements timed per repetition, with `p` the file path; label → statement. */
  reference: Record<string, string>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeOnce(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const PY_SCRIPT = `
import json, sys, time
import numpy as np, nibabel as nib
p, stmts = sys.argv[1], json.loads(sys.argv[2])
out = {}
for label, stmt in stmts.items():
    code = compile(stmt, label, 'exec')
    exec(code, {'nib': nib, 'np': np, 'p': p})  # warm-up
    t0 = time.perf_counter(); exec(code, {'nib': nib, 'np': np, 'p': p}); out[label] = (time.perf_counter() - t0) * 1000
print(json.dumps(out))`;

/** One timed repetition of each reference statement (in a fresh interpreter, timed inside it). */
function timePythonOnce(path: string, statements: Record<string, string>): Record<string, number> | string {
  const r = spawnSync(PYTHON, ['-c', PY_SCRIPT, path, JSON.stringify(statements)], { encoding: 'utf8' });
  if (r.status !== 0) return `nibabel unavailable (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(r.stdout) as Record<string, number>;
}

function runCase(c: Case): { ours: number; reference: Record<string, number> | string } {
  c.ours(); // warm-up (page cache, JIT)
  const ours: number[] = [];
  const reference: Record<string, number[]> = {};
  for (let r = 0; r < REPS; r++) {
    ours.push(timeOnce(c.ours));
    const ref = timePythonOnce(c.file, c.reference);
    if (typeof ref === 'string') return { ours: median(ours), reference: ref };
    for (const [label, ms] of Object.entries(ref)) {
      reference[label] ??= [];
      reference[label].push(ms);
    }
  }
  return {
    ours: median(ours),
    reference: Object.fromEntries(Object.entries(reference).map(([k, v]) => [k, median(v)])),
  };
}

/** A CT-like 256³ int16 phantom: air, a noisy body ellipsoid, a bright "bone" shell. */
function phantom(n = 256): ReturnType<typeof createImage> {
  const rnd = new Random(1);
  const data = new Int16Array(n * n * n);
  for (let k = 0, o = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++, o++) {
        const x = (i - n / 2) / (0.42 * n),
          y = (j - n / 2) / (0.35 * n),
          z = (k - n / 2) / (0.48 * n);
        const r2 = x * x + y * y + z * z;
        const noise = Math.round((rnd.next() - 0.5) * 40);
        data[o] = r2 > 1 ? -1000 + (noise >> 2) : r2 > 0.85 ? 700 + noise : 40 + noise;
      }
    }
  }
  return createImage(data, [n, n, n], { spacing: [0.8, 0.8, 1.5], origin: [-100, -100, -190] });
}

const dir = mkdtempSync(join(tmpdir(), 'vesalius-bench-'));
try {
  const image = phantom();
  const gz = join(dir, 'ct256.nii.gz');
  const raw = join(dir, 'ct256.nii');
  writeNifti(image, gz, { gzipLevel: 6 });
  writeNifti(image, raw);
  const nibabel = {
    'nibabel dataobj (int16)': 'np.asanyarray(nib.load(p).dataobj)',
    'nibabel get_fdata (float64)': 'nib.load(p).get_fdata()',
  };
  const cases: Case[] = [
    { name: '256³ int16 .nii.gz', file: gz, ours: () => readNifti(gz), reference: nibabel },
    { name: '256³ int16 .nii', file: raw, ours: () => readNifti(raw), reference: nibabel },
    // >>> DICOM series case goes here (Vesalius readDicom(folder) vs pydicom), see header comment.
  ];
  console.log(`I/O read benchmark, median of ${REPS} runs (ms), node ${process.version}`);
  console.log('| case | file MB | Vesalius | reference | reference ms | reference / Vesalius |');
  console.log('|---|---|---|---|---|---|');
  for (const c of cases) {
    const { ours, reference: ref } = runCase(c);
    const mb = (statSync(c.file).size / 2 ** 20).toFixed(1);
    if (typeof ref === 'string') {
      console.log(`| ${c.name} | ${mb} | ${ours.toFixed(1)} | ${ref} | - | - |`);
      continue;
    }
    for (const [label, ms] of Object.entries(ref)) {
      console.log(
        `| ${c.name} | ${mb} | ${ours.toFixed(1)} | ${label} | ${ms.toFixed(1)} | ${(ms / ours).toFixed(2)}× |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
