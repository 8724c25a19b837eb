import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createImage } from '../../src/io/image.js';
import { encodeNifti } from '../../src/io/nifti/write.js';
import { writeImage } from '../../src/io/write.js';
import { sanitizeName, inside, isJobId, newJobId } from '../../src/serve/ids.js';
import { extractZip } from '../../src/serve/unzip.js';
import { checkUploadedFile, DEFAULT_UPLOAD_LIMITS, UploadError } from '../../src/serve/upload-check.js';
import { dicomBytes } from '../io/dicom/write-dicom.js';
import { tempDir } from '../helpers/tmp.js';
import { zipBytes } from '../helpers/zip.js';

const limits = { ...DEFAULT_UPLOAD_LIMITS, maxVoxels: 64 * 64 * 64 };

async function refused(path: string, status: number, reason: RegExp): Promise<void> {
  await assert.rejects(checkUploadedFile(path, limits), (err: unknown) => {
    assert.ok(err instanceof UploadError, String(err));
    assert.equal(err.status, status, err.reason);
    assert.match(err.reason, reason);
    assert.ok(!err.reason.includes(path), `the reason names no server path: ${err.reason}`);
    return true;
  });
}

test('NIfTI (.nii.gz and .nii) is identified by its bytes, with the voxel count from its header', async () => {
  const dir = tempDir();
  const image = createImage(new Float32Array(20 * 10 * 4).fill(1), [20, 10, 4]);
  await writeImage(image, join(dir, 'a.nii.gz'));
  writeFileSync(join(dir, 'renamed.png'), readFileSync(join(dir, 'a.nii.gz')));
  writeFileSync(join(dir, 'plain'), encodeNifti(image));
  assert.deepEqual(await checkUploadedFile(join(dir, 'a.nii.gz'), limits), {
    kind: 'nifti',
    ending: '.nii.gz',
    voxels: 800,
  });
  // the client's name does not decide the format
  assert.equal((await checkUploadedFile(join(dir, 'renamed.png'), limits)).ending, '.nii.gz');
  assert.deepEqual(await checkUploadedFile(join(dir, 'plain'), limits), { kind: 'nifti', ending: '.nii', voxels: 800 });
});

test('truncated and corrupt uploads are 400 with a reason; too many voxels is 413 from the header alone', async () => {
  const dir = tempDir();
  const bytes = encodeNifti(createImage(new Float32Array(32 * 32 * 8), [32, 32, 8]));
  const gz = gzipSync(bytes);
  writeFileSync(join(dir, 'cut.nii.gz'), gz.subarray(0, gz.length - 100));
  await refused(join(dir, 'cut.nii.gz'), 400, /truncated|unexpected end/i);
  writeFileSync(join(dir, 'cut.nii'), bytes.subarray(0, bytes.length - 4));
  await refused(join(dir, 'cut.nii'), 400, /truncated/);
  const garbage = Buffer.from(gz);
  garbage.fill(7, 20, garbage.length - 10);
  writeFileSync(join(dir, 'garbage.nii.gz'), garbage);
  await refused(join(dir, 'garbage.nii.gz'), 400, /gzip|NIfTI|truncated/i);
  writeFileSync(join(dir, 'text.txt'), 'hello, not an image');
  await refused(join(dir, 'text.txt'), 400, /unrecognised/);
  writeFileSync(join(dir, 'empty'), '');
  await refused(join(dir, 'empty'), 400, /empty/);
  // a header claiming 512³ voxels with a few bytes of data: refused before anything is inflated
  const big = Buffer.from(encodeNifti(createImage(new Uint8Array(8), [2, 2, 2])));
  big.writeInt16LE(512, 42);
  big.writeInt16LE(512, 44);
  big.writeInt16LE(512, 46);
  writeFileSync(join(dir, 'big.nii.gz'), gzipSync(big));
  await refused(join(dir, 'big.nii.gz'), 413, /voxels exceed/);
  // a gzip bomb: the data inflate past what the header declares
  const small = encodeNifti(createImage(new Uint8Array(8), [2, 2, 2]));
  writeFileSync(join(dir, 'bomb.nii.gz'), gzipSync(Buffer.concat([small, Buffer.alloc(8 << 20)])));
  await refused(join(dir, 'bomb.nii.gz'), 413, /more than/);
});

test('NRRD: attached data only (a detached header would name a server path), sizes checked', async () => {
  const dir = tempDir();
  const header = (extra: string) => `NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 4 2\nencoding: raw\n${extra}\n`;
  writeFileSync(join(dir, 'ok.nrrd'), Buffer.concat([Buffer.from(header('')), Buffer.alloc(32)]));
  assert.deepEqual(await checkUploadedFile(join(dir, 'ok.nrrd'), limits), {
    kind: 'nrrd',
    ending: '.nrrd',
    voxels: 32,
  });
  writeFileSync(join(dir, 'detached.nrrd'), header('data file: /etc/passwd\n'));
  await refused(join(dir, 'detached.nrrd'), 400, /detached/);
  writeFileSync(join(dir, 'short.nrrd'), Buffer.concat([Buffer.from(header('')), Buffer.alloc(10)]));
  await refused(join(dir, 'short.nrrd'), 400, /truncated/);
});

test('zip extraction: entry names are never used as paths, traversal names are refused, lying sizes and too many entries too', async () => {
  const dir = tempDir();
  const dcm = dicomBytes({ rows: 4, columns: 4, values: new Array(16).fill(3) });
  const nested = zipBytes([
    { name: 'study/series 1/IM0001', data: dcm },
    { name: 'study/series 1/IM0002.dcm', data: dcm, deflate: true },
    { name: 'study/', data: new Uint8Array(0) },
  ]);
  writeFileSync(join(dir, 'nested.zip'), nested);
  const out = join(dir, 'out');
  assert.equal(await extractZip(join(dir, 'nested.zip'), out, { maxEntries: 10, maxBytes: 1 << 20 }), 2);
  assert.deepEqual(readdirSync(out).sort(), ['00000.dcm', '00001.dcm']);
  assert.deepEqual(readFileSync(join(out, '00001.dcm')), Buffer.from(dcm));
  for (const name of ['../../escape.dcm', '/etc/cron.d/x', 'a/../../b']) {
    writeFileSync(join(dir, 'evil.zip'), zipBytes([{ name, data: dcm }]));
    await assert.rejects(
      extractZip(join(dir, 'evil.zip'), join(dir, 'evil'), { maxEntries: 10, maxBytes: 1 << 20 }),
      (e: unknown) => e instanceof UploadError && e.status === 400 && /path/.test(e.reason),
    );
  }
  assert.ok(
    !existsSync(join(dir, '..', 'escape.dcm')) &&
      !existsSync(join(dir, 'escape.dcm')) &&
      !existsSync(join(dir, 'evil')),
  );
  // an entry that inflates past its declared size stops with a 400, not a full disk
  writeFileSync(
    join(dir, 'liar.zip'),
    zipBytes([{ name: 'a.dcm', data: new Uint8Array(100000), deflate: true, declaredSize: 10 }]),
  );
  await assert.rejects(
    extractZip(join(dir, 'liar.zip'), join(dir, 'o2'), { maxEntries: 10, maxBytes: 1 << 20 }),
    (e: unknown) => e instanceof UploadError && e.status === 400,
  );
  writeFileSync(
    join(dir, 'declared.zip'),
    zipBytes([{ name: 'a.dcm', data: dcm, deflate: true, declaredSize: 5 << 20 }]),
  );
  await assert.rejects(
    extractZip(join(dir, 'declared.zip'), join(dir, 'o3'), { maxEntries: 10, maxBytes: 1 << 20 }),
    (e: unknown) => e instanceof UploadError && e.status === 413,
  );
  writeFileSync(join(dir, 'many.zip'), zipBytes(Array.from({ length: 5 }, (_, i) => ({ name: `${i}`, data: dcm }))));
  await assert.rejects(
    extractZip(join(dir, 'many.zip'), join(dir, 'o4'), { maxEntries: 3, maxBytes: 1 << 20 }),
    (e: unknown) => e instanceof UploadError && e.status === 413,
  );
  writeFileSync(join(dir, 'notzip.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(50)]));
  await assert.rejects(
    extractZip(join(dir, 'notzip.zip'), join(dir, 'o5'), { maxEntries: 3, maxBytes: 1 << 20 }),
    (e: unknown) => e instanceof UploadError && e.status === 400,
  );
});

test('ids are generated UUIDs; names are sanitised display strings; paths stay inside their root', () => {
  const id = newJobId();
  assert.ok(isJobId(id));
  for (const bad of ['../x', '..', `${id}/..`, `${id}\0`, id.toUpperCase(), '']) assert.equal(isJobId(bad), false, bad);
  assert.equal(sanitizeName('../../etc/passwd'), 'passwd');
  assert.equal(sanitizeName('C:\\Users\\DOE^JOHN\\scan.nii.gz'), 'scan.nii.gz');
  assert.equal(sanitizeName('..hidden'), '_hidden');
  assert.equal(sanitizeName('a b;rm -rf $(x).nii'), 'a_b_rm_-rf___x_.nii');
  assert.equal(sanitizeName(undefined), 'upload');
  assert.throws(() => inside('/data/jobs', '..', 'keys.json'));
  assert.equal(inside('/data/jobs', id), `/data/jobs/${id}`);
});
