// Indexed-colour PNG/GIF label maps: read with LABEL_MAP, each pixel is its palette index (the class of a
// VOC-style label PNG, as PIL reads it); read plainly, the colours. The PNGs are written here byte by byte,
// so the palette order (the truth) is ours, not an encoder's.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { createImage } from '../../src/io/image.js';
import { LABEL_MAP, readImage } from '../../src/io/read.js';
import { evaluateFolder } from '../../src/metrics/evaluate.js';
import { writePng } from '../../src/io/raster.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { python, referenceTest, runPython } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
/** An 8-bit indexed-colour PNG: `indices` row by row, `palette` as [r, g, b] entries. */
function palettePng(
  width: number,
  height: number,
  indices: number[],
  palette: Array<[number, number, number]>,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // depth 8, colour type 3 (palette), deflate, adaptive filters, no interlace
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) rows.set(indices.slice(y * width, (y + 1) * width), y * (width + 1) + 1); // filter 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Uint8Array.from(palette.flat())),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

// VOC-like: class 0 black, 1 dark red, 2 dark green, plus unused padding entries (black repeated).
const VOC: Array<[number, number, number]> = [
  [0, 0, 0],
  [128, 0, 0],
  [0, 128, 0],
  [0, 0, 0],
  [0, 0, 0],
];
const CLASSES = [0, 1, 1, 2, 0, 2, 2, 1, 0, 0, 1, 2]; // 4 × 3

test('a palette label PNG reads as class indices with LABEL_MAP and as colours otherwise', async () => {
  const path = join(tempDir(), 'voc.png');
  // indices 3 and 4 repeat black as padding: black pixels are index 0
  writeFileSync(path, palettePng(4, 3, CLASSES, VOC));
  const labels = await readImage(path, LABEL_MAP);
  assert.deepEqual(labels.shape, [4, 3, 1]);
  assert.deepEqual([...labels.data], CLASSES); // x fastest, y downwards: the stored row order
  const colours = await readImage(path);
  assert.deepEqual(colours.shape, [4, 3, 1, 3]);
  assert.deepEqual(
    [0, 1, 2].map((c) => colours.data[c * 12 + 1]),
    [128, 0, 0],
  ); // pixel (1, 0) is class 1: dark red
});

test('grey palettes keep their grey values in both modes (as before LABEL_MAP existed)', async () => {
  const grey = join(tempDir(), 'grey.png');
  writeFileSync(
    grey,
    palettePng(
      4,
      3,
      CLASSES.map((c) => Math.min(c, 1)),
      [
        [0, 0, 0],
        [255, 255, 255],
      ],
    ),
  );
  for (const options of [undefined, LABEL_MAP])
    assert.deepEqual(
      [...(await readImage(grey, options)).data],
      CLASSES.map((c) => (c ? 255 : 0)),
    );
});

test('evaluation reads palette label maps as classes: a VOC-style prediction against the same classes in grey scores Dice 1', async () => {
  const dir = tempDir();
  const pred = join(dir, 'pred'),
    gt = join(dir, 'gt');
  for (const d of [pred, gt]) mkdirSync(d);
  writeFileSync(join(pred, 'case1.png'), palettePng(4, 3, CLASSES, VOC));
  await writePng(createImage(Uint8Array.from(CLASSES), [4, 3, 1]), join(gt, 'case1.png'));
  const result = await evaluateFolder(pred, gt, { reader: readImage, bootstrap: { resamples: 10 } });
  assert.deepEqual(Object.keys(result.aggregate), ['1', '2']);
  for (const agg of Object.values(result.aggregate)) assert.equal(agg.metrics.dice!.mean, 1);
});

referenceTest('a GIF written by libvips reads as the indices PIL gives', python('PIL', 'numpy'), async () => {
  const path = join(tempDir(), 'three.gif');
  const colours = [
    [12, 200, 40],
    [250, 10, 10],
    [20, 20, 230],
  ];
  const rgb = Buffer.alloc(6 * 5 * 3);
  for (let p = 0; p < 30; p++) rgb.set(colours[(p * 7) % 3]!, 3 * p);
  await sharp(rgb, { raw: { width: 6, height: 5, channels: 3 } })
    .gif({ dither: 0 })
    .toFile(path);
  const ours = [...(await readImage(path, LABEL_MAP)).data];
  const script =
    'import sys, json, numpy; from PIL import Image; print(json.dumps(numpy.array(Image.open(sys.argv[1])).ravel().tolist()))';
  const theirs = JSON.parse(runPython(script, [path]));
  assert.deepEqual(ours, theirs);
  assert.equal(new Set(ours).size, 3);
});

test(
  "DRIVE's second-observer GIFs (palette (4,2,4)/(252,254,252)) read as 0/1 vessel labels",
  skipUnlessData('drive-retina'),
  async () => {
    const path = sharedData('drive-retina', 'testing', '2nd_manual', '01_manual2.gif')!;
    const labels = await readImage(path, LABEL_MAP);
    assert.deepEqual(labels.shape, [565, 584, 1]);
    let vessels = 0;
    for (const v of labels.data) {
      assert.ok(v === 0 || v === 1);
      vessels += v;
    }
    assert.equal(vessels, 28848); // numpy.array(PIL.Image.open(...)).sum()
  },
);
