// multipart/related as DICOMweb uses it: built bodies split back into the same parts, with binary
// payloads that contain CRLFs and dashes, and boundaries quoted or not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundaryOf, buildMultipart, splitMultipart } from '../../src/pacs/multipart.js';

test('buildMultipart → splitMultipart gives the parts back, byte for byte', () => {
  const parts = [
    Uint8Array.from([0x0d, 0x0a, 0x2d, 0x2d, 0, 255]),
    new Uint8Array(0),
    new TextEncoder().encode('\r\n--not-the-boundary\r\n\r\n'),
  ];
  const { body, contentType } = buildMultipart(parts, 'application/dicom');
  assert.match(contentType, /^multipart\/related; type="application\/dicom"; boundary=vesalius-[0-9a-f]{24}$/);
  const back = splitMultipart(body, boundaryOf(contentType)!);
  assert.deepEqual(
    back.map((p) => Array.from(p)),
    parts.map((p) => Array.from(p)),
  );
});

test('boundaries from Content-Type headers, quoted or not; a preamble and part headers are skipped', () => {
  assert.equal(boundaryOf('multipart/related; type="application/dicom"; boundary="a b"'), 'a b');
  assert.equal(boundaryOf('multipart/related;boundary=xyz;type=application/dicom'), 'xyz');
  assert.equal(boundaryOf('application/json'), undefined);
  const body = new TextEncoder().encode(
    'preamble\r\n--B\r\nContent-Type: application/dicom\r\nX: y\r\n\r\nONE\r\n--B\r\n\r\nTWO\r\n--B--\r\n',
  );
  assert.deepEqual(
    splitMultipart(body, 'B').map((p) => new TextDecoder().decode(p)),
    ['ONE', 'TWO'],
  );
});
