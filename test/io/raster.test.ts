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
  writeFileSync(path, await sharp(pixels, { raw: { width: 4, height: 3, channels: 1 } }).toColourspace('b-w').png().toBuffer());
  assert.equal((await sharp(path).metadata()).channels, 1);
  const img = await readRaster(path);
  assert.deepEqual(img.shape, [4, 3, 1]);
  assert.ok(img.data instanceof Uint8Array);
  assert.deepEqual(Array.from(img.data), Array.from(pixels));
  assert.deepEqual([img.spacing, img.origin, img.direction], [[1, 1, 1], [0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]]);
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
  const r4 = await readRaster((writeFileSync(join(dir, 'rgba.png'), await encodePng(rgba)), join(dir, 'rgba.png')));
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
  await assert.rejects(readRaster(join(dir, 'junk.png')), (e: Error) => e.name === 'FileFormatError' && e.message.startsWith(join(dir, 'junk.png')));
  await assert.rejects(readRaster(join(dir, 'none.png')), (e: Error) => e.name === 'FileFormatError');
  const png = await sharp(new Uint8Array(64 * 64).fill(9), { raw: { width: 64, height: 64, channels: 1 } }).png().toBuffer();
  writeFileSync(join(dir, 'cut.png'), png.subarray(0, png.length - 30));
  await assert.rejects(readRaster(join(dir, 'cut.png')), (e: Error) => e.name === 'FileFormatError');
});

test('DRIVE images (RGB TIFF), manual annotations (grey-palette GIF) and masks load', skipUnlessData('drive-retina'), async () => {
  const root = sharedData('drive-retina', 'training')!;
  const image = await readRaster(join(root, 'images', '21_training.tif'));
  assert.deepEqual(image.shape, [565, 584, 1, 3]);
  const manual = await readRaster(join(root, '1st_manual', '21_manual1.gif'));
  assert.deepEqual(manual.shape, [565, 584, 1]);
  assert.deepEqual(new Set(manual.data), new Set([0, 255]));
  const maskFile = readdirSync(join(root, 'mask')).find((f) => f.startsWith('21_'))!;
  const mask = await readRaster(join(root, 'mask', maskFile));
  assert.deepEqual(mask.shape.slice(0, 3), [565, 584, 1]);
});

test('ISBI 2012 slices load as 512×512 grey 8-bit', skipUnlessData('isbi2012-em-membrane'), async () => {
  const img = await readRaster(sharedData('isbi2012-em-membrane', 'train', 'image', '0.png')!);
  assert.deepEqual(img.shape, [512, 512, 1]);
  assert.ok(img.data instanceof Uint8Array);
  const label = await readRaster(sharedData('isbi2012-em-membrane', 'train', 'label', '0.png')!);
  assert.ok([...new Set(label.data)].every((v) => v === 0 || v === 255));
});
