import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import dcmjs from 'dcmjs';
import { dtypeOf, indexToWorld } from '../../../src/io/image.js';
import { readDicom, scanDicomFolder } from '../../../src/io/dicom/index.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';
import { assertSameCorners, assertSameThroughWorld, readNiftiReference } from './nifti-reference.js';

const SERIES = ['dicom-samples', 'series'];

/** brain_001.dcm has 2,490,368 zero bytes after its dataset (SOURCE.md), which dcmjs cannot skip. */
function datasetBytes(name: string, file: Buffer): ArrayBuffer {
  const end = name === 'brain_001.dcm' ? 132_914 : file.byteLength;
  return file.buffer.slice(file.byteOffset, file.byteOffset + end) as ArrayBuffer;
}

test(
  'GE EPI fMRI (15 slices × 10 volumes) matches the dcm2niix reference voxel for voxel through world space',
  skipUnlessData(...SERIES, 'dcm_qa_nih-ge-epi-mr_0004'),
  async () => {
    const root = sharedData(...SERIES, 'dcm_qa_nih-ge-epi-mr_0004')!;
    const img = await readDicom(join(root, 'In'));
    assert.deepEqual(img.shape, [64, 64, 15, 10]);
    assert.equal(dtypeOf(img.data), 'int16');
    const ref = readNiftiReference(join(root, 'Ref', 'DCM2NIIX_regression_test_4.nii'));
    assertSameCorners(img, ref);
    assertSameThroughWorld(img, ref, { values: true });
  },
);

test(
  'TotalSegmentator CT (JPEG 2000, no file extension, no SeriesInstanceUID) lies on the grid of its segmentation',
  skipUnlessData(...SERIES, 'totalsegmentator-ct-20slices'),
  async () => {
    const root = sharedData(...SERIES, 'totalsegmentator-ct-20slices')!;
    const img = await readDicom(join(root, 'dicom'));
    assert.deepEqual(img.shape, [512, 512, 20]);
    assert.equal(dtypeOf(img.data), 'int16'); // 12 bits stored, intercept −1024: Hounsfield units
    let min = Infinity;
    for (const v of img.data) min = Math.min(min, v);
    assert.equal(min, -1024);
    // the segmentation is a model output, so only its geometry is a reference
    const ref = readNiftiReference(join(root, 'example_seg_dicom.nii.gz'));
    assertSameCorners(img, ref);
    assertSameThroughWorld(img, ref, { values: false });
  },
);

test(
  'GE oblique PD series: every slice sits at its own ImagePositionPatient and holds its own pixels (read by dcmjs)',
  skipUnlessData(...SERIES, 'papaya-ge-mr-pd-oblique-20slices'),
  async () => {
    const dir = sharedData(...SERIES, 'papaya-ge-mr-pd-oblique-20slices')!;
    const [series] = await scanDicomFolder(dir);
    const img = await readDicom(dir);
    assert.deepEqual(img.shape, [256, 256, 20]);
    assert.equal(img.meta.oblique, true);
    // positions are written to 0.1 mm, so slices lie up to ~0.07 mm off a uniform grid
    assert.ok(series!.maxSliceDeviation < 0.08, `deviation ${series!.maxSliceDeviation}`);
    const seen = new Set<number>();
    for (const name of readdirSync(dir)) {
      const file = readFileSync(join(dir, name));
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
        dcmjs.data.DicomMessage.readFile(datasetBytes(name, file), { ignoreErrors: true }).dict,
      );
      const ipp = ds.ImagePositionPatient.map(Number) as number[];
      const iop = ds.ImageOrientationPatient.map(Number) as number[];
      const [rowSpacing, colSpacing] = ds.PixelSpacing.map(Number) as number[];
      // find our slice whose first voxel is nearest this file's position
      let best = -1,
        dist = Infinity;
      for (let k = 0; k < 20; k++) {
        const w = indexToWorld(img, [0, 0, k]);
        const d = Math.hypot(w[0] - ipp[0]!, w[1] - ipp[1]!, w[2] - ipp[2]!);
        if (d < dist) [best, dist] = [k, d];
      }
      // the header writes positions to 0.1 mm: each coordinate is off by up to 0.05 mm
      assert.ok(dist < 0.1, `${name}: nearest slice is ${dist} mm away`);
      seen.add(best);
      // voxel (i, j) of that slice is at ipp + i·colSpacing·row + j·rowSpacing·col
      const w = indexToWorld(img, [255, 255, best]);
      const expected = [0, 1, 2].map((a) => ipp[a]! + 255 * colSpacing! * iop[a]! + 255 * rowSpacing! * iop[3 + a]!);
      expected.forEach((v, a) =>
        assert.ok(Math.abs(v - w[a]!) < 0.1, `${name}: far corner axis ${a}: ${w[a]} vs ${v}`),
      );
      const pixels = new Int16Array(ds.PixelData[0] as ArrayBuffer, 0, 256 * 256);
      const slice = img.data.subarray(256 * 256 * best, 256 * 256 * (best + 1));
      assert.deepEqual(Array.from(slice), Array.from(pixels), `${name}: pixels`);
    }
    assert.equal(seen.size, 20);
  },
);
