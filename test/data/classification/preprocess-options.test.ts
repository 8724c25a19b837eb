// The preprocessing options of classification inputs (green channel, histogram matching, CLAHE) inside
// prepareInput: applied in that order at the image's own size, before the resize; bad input named.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clahe } from '../../../src/data/classification/clahe.js';
import { histogramTemplate, matchHistograms } from '../../../src/data/classification/histogram-match.js';
import { loadHistogramTemplate, prepareInput } from '../../../src/data/classification/preprocess.js';
import { createImage } from '../../../src/io/image.js';
import { writePng } from '../../../src/io/raster.js';
import { FileFormatError, OptionError } from '../../../src/util/errors.js';
import { Random } from '../../../src/util/random.js';
import { tempDir } from '../../helpers/tmp.js';

function rgbImage(w: number, h: number, seed: number) {
  const rng = new Random(seed);
  const data = new Uint8Array(w * h * 3).map(() => rng.int(256));
  return createImage(data, [w, h, 1, 3], { spacing: [0.5, 0.25, 1], origin: [3, 4, 0] });
}

test('green channel, then histogram matching, then CLAHE, at the image size; the grid is the plain resize', () => {
  const image = rgbImage(20, 12, 1);
  const reference = Float32Array.from({ length: 50 }, (_, i) => (i * 7) % 200);
  const template = histogramTemplate(reference, 1, 'ref');
  const options = { tiles: [2, 3] as [number, number], clipLimit: 0.05, bins: 64 };
  const base = { size: [12, 20], fit: 'resize' as const, channels: 'green' as const, intensity: 'auto' as const };
  const prepared = prepareInput(image, { ...base, clahe: options, histogramMatch: template }, 'a.png');
  const green = Float32Array.from({ length: 240 }, (_, i) => image.data[240 + i]!);
  const expected = clahe(matchHistograms(green, 1, template, 'a.png'), 1, 12, 20, options);
  assert.equal(prepared.channels, 1);
  assert.ok(prepared.data.every((v, i) => Math.abs(v - expected[i]!) < 1e-6));
  assert.deepEqual(prepared.grid, prepareInput(image, base, 'a.png').grid);
  // without CLAHE an 8-bit reference keeps the 'auto' division by 255
  const matchedOnly = prepareInput(image, { ...base, histogramMatch: { ...template, eightBit: true } }, 'a.png');
  const m = matchHistograms(green, 1, template, 'a.png');
  assert.ok(matchedOnly.data.every((v, i) => Math.abs(v - m[i]! / 255) < 1e-6));
});

test('green channel of a one-channel image, CLAHE out of range or in 3D: one error naming the option', () => {
  const grey = createImage(new Uint8Array(64), [8, 8, 1]);
  const spec = { size: [8, 8], fit: 'resize' as const, channels: 'green' as const, intensity: 'auto' as const };
  assert.throws(
    () => prepareInput(grey, spec, 'xray.png'),
    (e: Error) =>
      e instanceof OptionError &&
      e.message === "input.channels: 'green' needs an RGB image, but xray.png has 1 channel(s)",
  );
  const clahe = { tiles: [8, 8] as [number, number], clipLimit: 2, bins: 256 };
  assert.throws(
    () => prepareInput(grey, { ...spec, channels: 'keep', clahe }, 'xray.png'),
    /input\.clahe\.clip_limit: must lie in \[0, 1\], got 2/,
  );
  const volume = createImage(new Uint8Array(64), [4, 4, 4]);
  assert.throws(
    () =>
      prepareInput(
        volume,
        { ...spec, size: [4, 4, 4], channels: 'keep', clahe: { ...clahe, clipLimit: 0.01 } },
        'ct.nii',
      ),
    /input\.clahe: applies to 2D inputs/,
  );
});

test('a missing or unreadable histogram reference is one error naming the file and the option', async () => {
  const dir = tempDir();
  await assert.rejects(loadHistogramTemplate(join(dir, 'nope.png'), 'keep'), (e: Error) => {
    assert.ok(e instanceof FileFormatError);
    assert.equal(e.message, `${join(dir, 'nope.png')}: not found (input.histogram_match)`);
    return true;
  });
  const broken = join(dir, 'broken.png');
  writeFileSync(broken, 'not a png');
  await assert.rejects(loadHistogramTemplate(broken, 'keep'), (e: Error) => {
    assert.ok(e instanceof FileFormatError);
    assert.match(e.message, /broken\.png: cannot be read as an image \(input\.histogram_match\): /);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  const grey = join(dir, 'grey.png');
  await writePng(createImage(new Uint8Array(16).fill(9), [4, 4, 1]), grey);
  await assert.rejects(
    loadHistogramTemplate(grey, 'green'),
    /^OptionError: input\.histogram_match: input\.channels: 'green' needs an RGB image/,
  );
  const template = await loadHistogramTemplate(grey, 'keep');
  assert.deepEqual([template.eightBit, [...template.channels[0]!.values]], [true, [9]]);
});
