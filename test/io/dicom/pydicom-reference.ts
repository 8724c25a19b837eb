// What pydicom reads from DICOM files (test/helpers/pydicom_volume.py), and the comparison with Vesalius.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image } from '../../../src/io/image.js';
import { readImage } from '../../../src/io/read.js';
import { hasPythonModules, SYSTEM_PYTHON } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';

const script = fileURLToPath(new URL('../../helpers/pydicom_volume.py', import.meta.url));

/** Debian's pydicom and numpy (nibabel too for mosaics), which the comparisons below need. */
export const PYDICOM = ['pydicom', 'numpy'] as const;
export const hasPydicom = (): boolean => hasPythonModules(...PYDICOM);
export const PYDICOM_WHAT = `${SYSTEM_PYTHON} with pydicom and numpy (python3-pydicom)`;

export interface PydicomVolume {
  shape: number[];
  /** pydicom's pixel_array dtype (before any mapping). */
  dtype: string;
  geometry: { origin: number[]; spacing: (number | null)[]; direction: number[] } | null;
  /** In Vesalius order (i fastest, colour slowest), as float64. */
  values: Float64Array;
}

/** Reads every file with pydicom in one Python process. */
export function pydicomVolumes(files: string[]): PydicomVolume[] {
  const out = tempDir('vesalius-pydicom-');
  const run = spawnSync(SYSTEM_PYTHON, [script, out, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`pydicom reference failed: ${run.stderr || run.error}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line, n) => {
      const bytes = readFileSync(join(out, `${n}.f64`));
      const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      return { ...(JSON.parse(line) as Omit<PydicomVolume, 'values'>), values };
    });
}

function close(a: readonly number[], b: readonly number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= tol, `${what}: [${a.join(', ')}] vs pydicom [${b.join(', ')}]`));
}

/**
 * Vesalius' image equals pydicom's volume: the same shape, every value (exactly; float32 images equal
 * pydicom's float64 values rounded to float32), and the geometry when pydicom's header gives one.
 */
export function assertSameAsPydicom(image: Image, ref: PydicomVolume, what: string): void {
  assert.deepEqual(image.shape, ref.shape, `${what}: shape`);
  const float32 = image.data instanceof Float32Array;
  const n = ref.values.length;
  assert.equal(image.data.length, n, `${what}: value count`);
  for (let i = 0; i < n; i++) {
    const want = float32 ? Math.fround(ref.values[i]!) : ref.values[i]!;
    if (image.data[i] !== want) assert.fail(`${what}: value ${i} is ${image.data[i]}, pydicom gives ${want}`);
  }
  if (!ref.geometry) return;
  close(image.origin, ref.geometry.origin, 1e-9, `${what}: origin`);
  close(image.direction, ref.geometry.direction, 1e-9, `${what}: direction`);
  const [si, sj, sk] = ref.geometry.spacing;
  close(image.spacing.slice(0, 2), [si!, sj!], 1e-9, `${what}: in-plane spacing`);
  if (sk !== null && sk !== undefined) close([image.spacing[2]], [sk], 1e-6, `${what}: slice spacing`);
}

/** Reads each file with Vesalius (readImage) and with pydicom, and asserts they agree; returns the images. */
export async function assertFilesSameAsPydicom<K extends string>(files: Record<K, string>): Promise<Record<K, Image>> {
  const names = Object.keys(files) as K[];
  const refs = pydicomVolumes(names.map((n) => files[n]));
  const images = {} as Record<K, Image>;
  for (const [i, name] of names.entries()) {
    images[name] = await readImage(files[name]);
    assertSameAsPydicom(images[name], refs[i]!, name);
  }
  return images;
}
