// Corrupt, truncated and absurd NIfTI files fail with one-line FileFormatErrors naming the file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readNifti } from '../../../src/io/nifti/read.js';
import { buildNifti, buildNiftiHeader } from '../../helpers/nifti-builder.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir();

function expectFormatError(bytes: Uint8Array | undefined, name: string, reason: RegExp): void {
  const path = join(dir, name);
  if (bytes) writeFileSync(path, bytes);
  assert.throws(
    () => readNifti(path),
    (e: Error) => {
      assert.equal(e.name, 'FileFormatError', e.stack);
      assert.ok(e.message.startsWith(path), e.message);
      assert.match(e.message, reason);
      assert.equal(e.message.split('\n').length, 1);
      return true;
    },
  );
}

const good = buildNifti({ dims: [64, 64, 64], datatype: 4, bitpix: 16 }, Buffer.alloc(64 * 64 * 64 * 2, 7));

test('a truncated .nii.gz (cut in the middle of the stream)', () => {
  const gz = gzipSync(
    Buffer.concat([
      good.subarray(0, 352),
      Buffer.from(Array.from({ length: 64 ** 3 * 2 }, (_, i) => (i * 7919) % 251)),
    ]),
  );
  expectFormatError(gz.subarray(0, Math.floor(gz.length / 2)), 'cut.nii.gz', /corrupt or truncated gzip|truncated/);
});

test('a complete gzip stream with too few voxels for its header', () => {
  const noisy = Buffer.concat([
    good.subarray(0, 352),
    Buffer.from(Array.from({ length: 60000 }, (_, i) => (i * 7919) % 251)),
  ]);
  expectFormatError(gzipSync(noisy), 'short.nii.gz', /truncated: 60352 bytes/);
});

test('absurd dimensions are refused before allocating', () => {
  const header = buildNiftiHeader({ version: 2, dims: [1e9, 1e9, 10], datatype: 16, bitpix: 32 });
  expectFormatError(header, 'huge.nii', /too large|truncated/);
  expectFormatError(gzipSync(header), 'huge.nii.gz', /too large|cannot hold/);
  const claims = buildNiftiHeader({ dims: [1000, 1000, 1000], datatype: 2, bitpix: 8 });
  expectFormatError(gzipSync(claims), 'bomb.nii.gz', /cannot hold/);
  expectFormatError(buildNiftiHeader({ dims: [10, -3, 4], datatype: 2, bitpix: 8 }), 'negative.nii', /dim\[2\] = -3/);
  expectFormatError(buildNiftiHeader({ dims: [10, 0, 4], datatype: 2, bitpix: 8 }), 'zero.nii', /dim\[2\] = 0/);
});

test('a size mismatch between header and file', () => {
  expectFormatError(good.subarray(0, good.length - 1), 'mismatch.nii', /truncated: .* needs 524640/);
});

test('garbage bytes, an empty file, a missing file, an unknown datatype', () => {
  expectFormatError(
    Buffer.from('this is not an image at all, just some text that is long enough. '.repeat(10)),
    'garbage.nii',
    /not a NIfTI/,
  );
  expectFormatError(Buffer.alloc(0), 'empty.nii', /too short/);
  expectFormatError(Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]), 'garbage.nii.gz', /gzip|too short/);
  expectFormatError(undefined, 'missing.nii', /no such file/);
  expectFormatError(
    buildNifti({ dims: [1, 1, 1], datatype: 3, bitpix: 8 }, Buffer.alloc(1)),
    'type.nii',
    /unknown NIfTI datatype code 3/,
  );
});
