// Every NIfTI/Analyze file in the shared sample folder must load with the shape and affine nibabel
// reports, and the voxel statistics of nibabel's get_fdata() (after scl_slope/scl_inter).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { geometryToAffine } from '../../../src/io/nifti/affine.js';
import { readNifti, readNiftiHeader } from '../../../src/io/nifti/read.js';
import { intensityStats } from '../../../src/io/voxels.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';
import { NIBABEL, nibabelView, type NibabelView } from '../../helpers/nibabel.js';
import { referenceTest } from '../../helpers/reference.js';

function sampleFiles(): string[] {
  const root = sharedData('nifti-samples')!;
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => /\.(nii|nii\.gz|hdr)$/.test(f))
    .map((f) => join(root, f))
    .sort();
}

function assertAffine(path: string, ours: number[], theirs: number[][]): void {
  for (let n = 0; n < 12; n++) {
    const expected = theirs[Math.floor(n / 4)]![n % 4]!;
    assert.ok(
      Math.abs(ours[n]! - expected) < 1e-5 * Math.max(1, Math.abs(expected)),
      `${path}: affine[${n}] ${ours[n]} vs nibabel ${expected}`,
    );
  }
}

referenceTest(
  'every sample NIfTI loads with the shape, affine and intensities nibabel reports',
  NIBABEL,
  () => {
    const files = sampleFiles();
    assert.ok(files.length >= 15, `expected the sample set, found ${files.length} files`);
    const views = nibabelView(files);
    let withData = 0;
    for (const path of files) {
      const view = views[path] as NibabelView;
      assert.equal(view.error, undefined, `nibabel failed on ${path}`);
      const geometry = readNiftiHeader(path);
      assert.deepEqual(geometry.shape, view.shape, `${path}: shape`);
      assertAffine(path, geometryToAffine(geometry), view.affine);
      if (view.min === undefined) continue; // header-only sample (its .img is not shipped)
      withData++;
      const image = readNifti(path);
      assert.deepEqual(image.shape, view.shape, `${path}: shape`);
      assertAffine(path, geometryToAffine(image), view.affine);
      const stats = intensityStats(image);
      for (const key of ['min', 'max', 'mean'] as const) {
        const expected = view[key]!;
        // float32 results of scaled data round differently from nibabel's float64 in the 7th digit.
        assert.ok(
          Math.abs(stats[key] - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
          `${path}: ${key} ${stats[key]} vs nibabel ${expected}`,
        );
      }
    }
    assert.ok(withData >= 15, `only ${withData} samples with data`);
  },
  skipUnlessData('nifti-samples'),
);

test(
  'the oblique (pitched) CT sample is neither axis-aligned in our direction matrix nor misread',
  skipUnlessData('nifti-samples', 'niivue-demo-images', 'CT_pitch.nii.gz'),
  () => {
    const image = readNifti(sharedData('nifti-samples', 'niivue-demo-images', 'CT_pitch.nii.gz')!);
    const offAxis = image.direction.filter((v, n) => n % 4 !== 0 && Math.abs(v) > 0.01);
    assert.ok(offAxis.length > 0, 'expected an oblique direction matrix');
    // Columns stay unit vectors and mutually orthogonal (no shear in this acquisition).
    const col = (c: number) => [image.direction[c]!, image.direction[3 + c]!, image.direction[6 + c]!];
    for (let a = 0; a < 3; a++) {
      assert.ok(Math.abs(Math.hypot(...col(a)) - 1) < 1e-9);
      for (let b = a + 1; b < 3; b++) assert.ok(Math.abs(col(a).reduce((s, x, n) => s + x * col(b)[n]!, 0)) < 1e-5);
    }
  },
);
