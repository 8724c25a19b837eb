import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sanitizeLabels } from '../../src/data/labels.js';

test('labels already in the declared classes pass unchanged', () => {
  const r = sanitizeLabels(new Uint8Array([0, 1, 2, 2, 0]), [0, 1, 2], 'a.nii');
  assert.deepEqual([...r.data], [0, 1, 2, 2, 0]);
  assert.deepEqual(r.mapping, ['as-is']);
  assert.ok(r.data instanceof Uint8Array);
});

test('float labels are rounded when integral within 1e-3', () => {
  const r = sanitizeLabels(new Float32Array([0, 0.9999999, 2.0004, 4]), [0, 1, 2, 4], 'seg.nii.gz');
  assert.deepEqual([...r.data], [0, 1, 2, 4]);
  assert.deepEqual(r.mapping, ['rounded']);
});

test('0/255 masks map to 0/1 when the classes are {0, 1}', () => {
  const r = sanitizeLabels(new Uint8Array([0, 255, 255, 0]), [0, 1], 'mask.gif');
  assert.deepEqual([...r.data], [0, 1, 1, 0]);
  assert.deepEqual(r.mapping, ['255→1']);
  // float 0.0/255.0 too
  assert.deepEqual([...sanitizeLabels(new Float64Array([255, 0]), [0, 1], 'm.nii').data], [1, 0]);
});

test('values outside the declared classes are an error naming the file and the values', () => {
  assert.throws(
    () => sanitizeLabels(new Uint8Array([0, 1, 3, 7, 3]), [0, 1, 2], 'labelsTr/case_01.nii.gz'),
    /labelsTr\/case_01\.nii\.gz: label values 3, 7 are not declared classes \(0, 1, 2\)/,
  );
  // 0/255 is not remapped when the classes are not {0, 1}
  assert.throws(
    () => sanitizeLabels(new Uint8Array([0, 255]), [0, 1, 2], 'x.png'),
    /x\.png: label values 255 are not declared/,
  );
  // {0, 1, 255} is neither
  assert.throws(() => sanitizeLabels(new Uint8Array([0, 1, 255]), [0, 1], 'y.png'), /label values 255 /);
});

test('non-integral values are an error naming the file', () => {
  assert.throws(
    () => sanitizeLabels(new Float32Array([0, 0.5, 1]), [0, 1], 'p.nii'),
    /p\.nii: label values must be integers .* found 0\.5/,
  );
  assert.throws(() => sanitizeLabels(new Float32Array([0, NaN]), [0, 1], 'q.nii'), /q\.nii: .*NaN/);
});

test('more than 255 classes give 16-bit labels', () => {
  const r = sanitizeLabels(new Int32Array([0, 300]), [0, 300], 'big.nii');
  assert.ok(r.data instanceof Uint16Array);
  assert.deepEqual([...r.data], [0, 300]);
});

test('a remap merges raw values into classes before the check (BraTS whole tumour)', () => {
  const r = sanitizeLabels(Float32Array.from([0, 1, 2, 4, 4, 0]), [0, 1], 'seg.nii.gz', { 2: 1, 3: 1, 4: 1 });
  assert.deepEqual([...r.data], [0, 1, 1, 1, 1, 0]);
  assert.deepEqual(r.mapping, ['remapped']);
  assert.throws(
    () => sanitizeLabels(Float32Array.from([0, 5]), [0, 1], 'seg.nii.gz', { 2: 1 }),
    /label values 5 are not declared/,
  );
});

test('long runs and alternating values both map correctly (run cache)', () => {
  const data = Float32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 2 : i % 3 === 1 ? 2 : 0.9999));
  const r = sanitizeLabels(data, [0, 1, 2], 'x');
  assert.deepEqual([...r.data.subarray(0, 6)], [2, 2, 1, 2, 2, 1]);
});
