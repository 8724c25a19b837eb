// Assembling a 150-slice 512×512 int16 CT-like series: Vesalius readDicom against pydicom + numpy
// (read every file with dcmread, sort by ImagePositionPatient·normal, stack pixel_array·slope+intercept),
// both in the same run on the same files, runs interleaved (ours, then pydicom's) so that load from
// other processes hits both alike. Each pydicom run is timed inside Python after a warm-up read, so
// interpreter start-up is not counted. Run: node --import tsx bench/dicom.ts [slices] [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicom } from '../src/io/dicom/index.js';
import { Random } from '../src/util/random.js';
import { dicomBytes, uid } from '../test/io/dicom/write-dicom.js';

const slices = Number(process.argv[2] ?? 150);
const runs = Number(process.argv[3] ?? 7);
const size = 512;
const PYTHON = '/usr/bin/python3';

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function generate(dir: string): void {
  const random = new Random(1);
  const seriesUid = uid();
  const order = Array.from({ length: slices }, (_, k) => k);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const values = new Int16Array(size * size);
  order.forEach((k, n) => {
    for (let p = 0; p < values.length; p++) values[p] = ((p * 7 + k * 13) % 3000) - 1000;
    writeFileSync(
      join(dir, `IM${String(n).padStart(4, '0')}`),
      dicomBytes({
        rows: size,
        columns: size,
        values,
        signed: true,
        slope: 1,
        intercept: -1024,
        modality: 'CT',
        position: [-250, -250, -300 + 1.25 * k],
        orientation: [1, 0, 0, 0, 1, 0],
        pixelSpacing: [0.98, 0.98],
        seriesUid,
        instanceNumber: n + 1,
      }),
    );
  });
}

const PYDICOM_SCRIPT = `
import sys, os, time, json, numpy as np, pydicom
folder, runs = sys.argv[1], int(sys.argv[2])
def load():
    ds = [pydicom.dcmread(os.path.join(folder, f)) for f in os.listdir(folder)]
    o = np.array(ds[0].ImageOrientationPatient, dtype=float)
    n = np.cross(o[:3], o[3:])
    ds.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, dtype=float), n)))
    return np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds])
load()  # warm-up
times = []
for _ in range(runs):
    t = time.perf_counter(); v = load(); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"times": times, "sum": float(v.sum()), "shape": list(v.shape), "pydicom": pydicom.__version__}))
`;

const dir = mkdtempSync(join(tmpdir(), 'vesalius-bench-dicom-'));
try {
  const t0 = performance.now();
  generate(dir);
  console.error(
    `generated ${slices} slices ${size}x${size} int16 in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`,
  );

  await readDicom(dir); // warm-up (page cache, JIT)
  const ours: number[] = [];
  const theirsTimes: number[] = [];
  let sum = 0;
  let shape: number[] = [];
  let dtype = '';
  let theirs = { sum: 0, shape: [] as number[], pydicom: '' };
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const img = await readDicom(dir);
    ours.push(performance.now() - t);
    shape = img.shape;
    dtype = img.data.constructor.name;
    if (r === 0) for (const v of img.data) sum += v;
    const py = spawnSync(PYTHON, ['-c', PYDICOM_SCRIPT, dir, '1'], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (py.status !== 0) throw new Error(`pydicom run failed: ${py.stderr}`);
    const out = JSON.parse(py.stdout) as { times: number[]; sum: number; shape: number[]; pydicom: string };
    theirsTimes.push(...out.times);
    theirs = out;
  }
  if (theirs.sum !== sum) throw new Error(`results differ: Vesalius sum ${sum}, pydicom sum ${theirs.sum}`);

  const mo = median(ours),
    mp = median(theirsTimes);
  console.log(
    `DICOM series assembly: ${slices} files, ${size}x${size} int16, rescale intercept -1024; ${runs} interleaved runs each after a warm-up; same voxel sum ${sum}`,
  );
  console.log(
    `Vesalius -> [${shape.join(', ')}] ${dtype}; pydicom ${theirs.pydicom} + numpy -> [${theirs.shape.join(', ')}] float64`,
  );
  console.log('');
  console.log('| reader | median ms | min ms | max ms |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    `| Vesalius readDicom(folder) | ${mo.toFixed(0)} | ${Math.min(...ours).toFixed(0)} | ${Math.max(...ours).toFixed(0)} |`,
  );
  console.log(
    `| pydicom dcmread + sort + stack | ${mp.toFixed(0)} | ${Math.min(...theirsTimes).toFixed(0)} | ${Math.max(...theirsTimes).toFixed(0)} |`,
  );
  console.log('');
  console.log(`pydicom / Vesalius median time: ${(mp / mo).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
