import assert from 'node:assert/strict';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { buildNifti, bytesOf } from '../helpers/nifti-builder.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
// An oblique qform (30° about x, qfac -1) so that geometry has to survive every format.
const source = join(dir, 'src.nii');
writeFileSync(
  source,
  buildNifti(
    {
      dims: [4, 3, 2],
      datatype: 512,
      bitpix: 16,
      pixdim: [-1, 0.5, 0.75, 2, 1, 1, 1, 1],
      qformCode: 1,
      quatern: [Math.sin(Math.PI / 12), 0, 0],
      qoffset: [1, -2, 3],
    },
    bytesOf(Uint16Array.from({ length: 24 }, (_, n) => n * 1000)),
  ),
);

function info(path: string) {
  const r = runCli(['info', path, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('convert keeps shape, geometry, dtype and voxels through .nii.gz, .nrrd, .nhdr, .mha and .mhd', () => {
  const reference = info(source);
  for (const ext of ['.nii.gz', '.nrrd', '.nhdr', '.mha', '.mhd']) {
    const out = join(dir, `out${ext}`);
    const r = runCli(['convert', source, out]);
    assert.equal(r.status, 0, r.stderr);
    const got = info(out);
    assert.deepEqual(got.shape, reference.shape, ext);
    assert.equal(got.dtype, reference.dtype, ext);
    assert.deepEqual([got.min, got.max, got.mean], [reference.min, reference.max, reference.mean], ext);
    for (const key of ['spacing', 'origin', 'direction'] as const) {
      got[key].forEach((v: number, n: number) =>
        assert.ok(Math.abs(v - reference[key][n]) < 1e-5, `${ext} ${key}[${n}]: ${v} vs ${reference[key][n]}`),
      );
    }
  }
});

test('convert to PNG writes 2D images and refuses 3D ones without leaving a file', () => {
  const slice = join(dir, 'slice.nii');
  writeFileSync(
    slice,
    buildNifti({ dims: [3, 2], datatype: 2, bitpix: 8 }, Uint8Array.from([0, 50, 100, 150, 200, 250])),
  );
  assert.equal(runCli(['convert', slice, join(dir, 'slice.png')]).status, 0);
  assert.deepEqual(info(join(dir, 'slice.png')).shape, [3, 2, 1]);
  const r = runCli(['convert', source, join(dir, 'volume.png')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^vesalius: PNG needs a 2D image/);
  assert.equal(existsSync(join(dir, 'volume.png')), false);
  const bad = runCli(['convert', source, join(dir, 'out.xyz')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /out\.xyz: cannot write this format/);
});
