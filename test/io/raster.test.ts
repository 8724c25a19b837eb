// Rasters through sharp: PNGs generated here with known pixels (8/16-bit, grey/RGB/RGBA), the
// DRIVE and ISBI files, the PNG writer, and undecodable input.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { createImage } from '../../src/io/image.js';
import { encodePng, readRaster, writePng } from '../../src/io/raster.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();

test('a grey 8-bit PNG: x is i, y (downwards) is j, unit geometry', async () => {
  const pixels = Uint8Array.from({ length: 4 * 3 }, (_, n) => n * 20);
  const path = join(dir, 'g8.png');
  writeFileSync(
    path,
    await sharp(pixels, { raw: { width: 4, height: 3, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  );
  assert.equal((await sharp(path).metadata()).channels, 1);
  const img = await readRaster(path);
  assert.deepEqual(img.shape, [4, 3, 1]);
  assert.ok(img.data instanceof Uint8Array);
  assert.deepEqual(Array.from(img.data), Array.from(pixels));
  assert.deepEqual(
    [img.spacing, img.origin, img.direction],
    [
      [1, 1, 1],
      [0, 0, 0],
      [1, 0, 0, 0, 1, 0, 0, 0, 1],
    ],
  );
});

test('16-bit grey and RGB(A) round trip through the PNG writer with channels as the last axis', async () => {
  const grey16 = createImage(Uint16Array.from([0, 1000, 65535, 300, 7, 40000]), [3, 2, 1]);
  await writePng(grey16, join(dir, 'g16.png'));
  const g = await readRaster(join(dir, 'g16.png'));
  assert.ok(g.data instanceof Uint16Array);
  assert.deepEqual(Array.from(g.data), Array.from(grey16.data));
  const meta = await sharp(join(dir, 'g16.png')).metadata();
  assert.deepEqual([meta.channels, meta.depth], [1, 'ushort']);

  // planar RGB: R plane then G then B.
  const rgb = createImage(Uint8Array.from([10, 20, 30, 40, 50, 60]), [2, 1, 1, 3]);
  await writePng(rgb, join(dir, 'rgb.png'));
  const raw = await sharp(join(dir, 'rgb.png')).raw().toBuffer();
  assert.deepEqual(Array.from(raw), [10, 30, 50, 20, 40, 60], 'interleaved in the file');
  const back = await readRaster(join(dir, 'rgb.png'));
  assert.deepEqual(back.shape, [2, 1, 1, 3]);
  assert.deepEqual(Array.from(back.data), Array.from(rgb.data));

  const rgba = createImage(Uint8Array.from([1, 2, 3, 4, 5, 6, 255, 128]), [2, 1, 1, 4]);
  writeFileSync(join(dir, 'rgba.png'), await encodePng(rgba));
  const r4 = await readRaster(join(dir, 'rgba.png'));
  assert.deepEqual(Array.from(r4.data), Array.from(rgba.data));
});

test('the PNG writer refuses 3D images and values that do not fit', async () => {
  await assert.rejects(encodePng(createImage(new Uint8Array(8), [2, 2, 2])), /2D image/);
  await assert.rejects(encodePng(createImage(Float32Array.from([0.5, 1]), [2, 1, 1])), /0\.\.65535.*0\.5/);
  const fits = await encodePng(createImage(Float32Array.from([0, 255]), [2, 1, 1]));
  assert.equal((await sharp(fits).metadata()).depth, 'uchar');
});

test('garbage and missing files give FileFormatErrors naming the file', async () => {
  writeFileSync(join(dir, 'junk.png'), 'not a png at all');
  await assert.rejects(
    readRaster(join(dir, 'junk.png')),
    (e: Error) => e.name === 'FileFormatError' && e.message.startsWith(join(dir, 'junk.png')),
  );
  await assert.rejects(readRaster(join(dir, 'none.png')), (e: Error) => e.name === 'FileFormatError');
  const png = await sharp(new Uint8Array(64 * 64).fill(9), { raw: { width: 64, height: 64, channels: 1 } })
    .png()
    .toBuffer();
  writeFileSync(join(dir, 'cut.png'), png.subarray(0, png.length - 30));
  await assert.rejects(readRaster(join(dir, 'cut.png')), (e: Error) => e.name === 'FileFormatError');
});

test(
  'DRIVE images (RGB TIFF), manual annotations (grey-palette GIF) and masks load',
  skipUnlessData('drive-retina'),
  async () => {
    const root = sharedData('drive-retina', 'training')!;
    const image = await readRaster(join(root, 'images', '21_training.tif'));
    assert.deepEqual(image.shape, [565, 584, 1, 3]);
    const manual = await readRaster(join(root, '1st_manual', '21_manual1.gif'));
    assert.deepEqual(manual.shape, [565, 584, 1]);
    assert.deepEqual(new Set(manual.data), new Set([0, 255]));
    const maskFile = readdirSync(join(root, 'mask')).find((f) => f.startsWith('21_'))!;
    const mask = await readRaster(join(root, 'mask', maskFile));
    assert.deepEqual(mask.shape.slice(0, 3), [565, 584, 1]);
  },
);

test('ISBI 2012 slices load as 512×512 grey 8-bit', skipUnlessData('isbi2012-em-membrane'), async () => {
  const img = await readRaster(sharedData('isbi2012-em-membrane', 'train', 'image', '0.png')!);
  assert.deepEqual(img.shape, [512, 512, 1]);
  assert.ok(img.data instanceof Uint8Array);
  const label = await readRaster(sharedData('isbi2012-em-membrane', 'train', 'label', '0.png')!);
  assert.ok([...new Set(label.data)].every((v) => v === 0 || v === 255));
});

test('JPEG (grey and colour), TIFF and GIF load with the right shapes', async () => {
  const grey = new Uint8Array(16 * 8).fill(120);
  writeFileSync(
    join(dir, 'g.jpg'),
    await sharp(grey, { raw: { width: 16, height: 8, channels: 1 } })
      .toColourspace('b-w')
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
  const g = await readRaster(join(dir, 'g.jpg'));
  assert.deepEqual(g.shape, [16, 8, 1]);
  assert.ok(Array.from(g.data).every((v) => Math.abs(v - 120) <= 2));
  const colour = Uint8Array.from({ length: 16 * 8 * 3 }, (_, n) => [200, 100, 50][n % 3]!);
  const raw = { width: 16, height: 8, channels: 3 as const };
  writeFileSync(join(dir, 'c.jpg'), await sharp(colour, { raw }).jpeg({ quality: 95 }).toBuffer());
  writeFileSync(join(dir, 'c.tif'), await sharp(colour, { raw }).tiff().toBuffer());
  writeFileSync(join(dir, 'c.gif'), await sharp(colour, { raw }).gif().toBuffer());
  for (const name of ['c.jpg', 'c.tif', 'c.gif']) {
    const c = await readRaster(join(dir, name));
    assert.deepEqual(c.shape, [16, 8, 1, 3], name);
    // planar: the R plane is all ≈200, then G ≈100, then B ≈50
    [200, 100, 50].forEach((value, ch) =>
      assert.ok(Math.abs(c.data[ch * 128 + 37]! - value) <= 6, `${name} channel ${ch}: ${c.data[ch * 128 + 37]}`),
    );
  }
});

/** A baseline TIFF (uncompressed, 8-bit grey), one IFD per page, written byte by byte. */
function multiPageTiff(width: number, height: number, pages: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  parts.push(header);
  let offset = 8;
  const ifdOffsets: number[] = [];
  const ifds: Buffer[] = [];
  for (const pixels of pages) {
    const dataOffset = offset;
    parts.push(Buffer.from(pixels));
    offset += pixels.length;
    const entries: Array<[number, number, number]> = [
      [256, 4, width],
      [257, 4, height],
      [258, 3, 8],
      [259, 3, 1],
      [262, 3, 1],
      [273, 4, dataOffset],
      [277, 3, 1],
      [278, 4, height],
      [279, 4, pixels.length],
    ];
    const ifd = Buffer.alloc(2 + 12 * entries.length + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, value], n) => {
      ifd.writeUInt16LE(tag, 2 + 12 * n);
      ifd.writeUInt16LE(type, 4 + 12 * n);
      ifd.writeUInt32LE(1, 6 + 12 * n);
      if (type === 3) ifd.writeUInt16LE(value, 10 + 12 * n);
      else ifd.writeUInt32LE(value, 10 + 12 * n);
    });
    ifdOffsets.push(offset);
    ifds.push(ifd);
    parts.push(ifd);
    offset += ifd.length;
  }
  ifds.forEach((ifd, n) => ifd.writeUInt32LE(ifdOffsets[n + 1] ?? 0, ifd.length - 4));
  header.writeUInt32LE(ifdOffsets[0]!, 4);
  return Buffer.concat(parts);
}

test('a multi-page TIFF becomes a stack: page p is k = p', async () => {
  const pages = [0, 1, 2].map((p) => Uint8Array.from({ length: 5 * 4 }, (_, n) => p * 50 + n));
  const path = join(dir, 'stack.tif');
  writeFileSync(path, multiPageTiff(5, 4, pages));
  const img = await readRaster(path);
  assert.deepEqual(img.shape, [5, 4, 3]);
  assert.deepEqual(
    Array.from(img.data),
    pages.flatMap((p) => Array.from(p)),
  );
});
