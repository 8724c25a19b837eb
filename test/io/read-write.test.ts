import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImage } from '../../src/io/image.js';
import { readImage } from '../../src/io/read.js';
import { writeImage } from '../../src/io/write.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const img = createImage(
  Int16Array.from({ length: 60 }, (_, n) => n - 30),
  [5, 4, 3],
  { spacing: [1, 2, 3], origin: [4, 5, 6] },
);

test('readImage dispatches by extension and, without one, by magic bytes (gzip NIfTI, NRRD, MetaImage, PNG)', async () => {
  const flat = createImage(
    Uint8Array.from({ length: 12 }, (_, n) => n * 20),
    [4, 3, 1],
  );
  for (const ext of ['.nii.gz', '.nii', '.nrrd', '.mha', '.png']) {
    const src = ext === '.png' ? flat : img;
    const named = join(dir, `x${ext}`);
    await writeImage(src, named);
    const bare = join(dir, `bare-${ext.replace(/\./g, '')}`);
    copyFileSync(named, bare);
    for (const path of [named, bare]) {
      const back = await readImage(path);
      assert.deepEqual(back.shape, src.shape, path);
      assert.deepEqual(Array.from(back.data), Array.from(src.data), path);
      if (ext !== '.png') assert.deepEqual(back.origin, src.origin, path);
    }
  }
});

test('unknown formats fail with a FileFormatError naming the file', async () => {
  writeFileSync(join(dir, 'mystery'), 'hello, not an image');
  await assert.rejects(
    readImage(join(dir, 'mystery')),
    (e: Error) =>
      e.name === 'FileFormatError' &&
      /unknown image format/.test(e.message) &&
      e.message.startsWith(join(dir, 'mystery')),
  );
  await assert.rejects(writeImage(img, join(dir, 'out.jpg')), /cannot write this format/);
});
