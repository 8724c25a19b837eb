import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clahe, claheChannel, clipHistogram } from '../../../src/data/classification/clahe.js';
import { OptionError } from '../../../src/util/errors.js';
import { Random } from '../../../src/util/random.js';
import { python, referenceTest } from '../../helpers/reference.js';
import { runPythonJson } from '../../helpers/python-json.js';
import { checkClaheOptions } from '../../../src/data/classification/clahe.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** An 8-bit test image: a smooth gradient, a bright disc and noise (values 0..255). */
function photo(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const disc = (y - rows / 3) ** 2 + (x - cols / 2) ** 2 < (rows / 5) ** 2 ? 90 : 0;
      const v = 30 + (120 * x) / cols + disc + rng.uniform(-20, 20);
      out[y * cols + x] = Math.round(Math.min(255, Math.max(0, v)));
    }
  return out;
}

test('CLAHE with one tile and no clipping is global histogram equalisation (hand-computed)', () => {
  // 8×8: 16 pixels of 0, 16 of 100, 32 of 200. Levels 0, 8192, 16383 → bins 0, 126, 252 (65 levels a bin);
  // cumulative counts 16, 32, 64 of 64 → 4095, 8191, 16383 → rescaled 0, 1/3, 1
  const image = new Float32Array(64).map((_, i) => (i < 16 ? 0 : i < 32 ? 100 : 200));
  for (const clipLimit of [0, 1, 0.5]) {
    const out = claheChannel(image, 8, 8, { tiles: [1, 1], clipLimit, bins: 256 });
    assert.deepEqual([out[0], out[20], out[40]], [0, Math.fround(1 / 3), 1], `clip limit ${clipLimit}`);
  }
  // clip limit 0.25: bins clipped at 16 → 16 excess pixels spread by skimage's stride (15) over bins
  // 15, 30, …, 255 (17 of them); the cumulative count at bin 126 becomes 16 + 8 + 16 = 40 →
  // ⌊40·16383/64⌋ = 10239 → (10239 − 4095)/(16383 − 4095) = 1/2: contrast limited towards the identity
  const limited = claheChannel(image, 8, 8, { tiles: [1, 1], clipLimit: 0.25, bins: 256 });
  assert.deepEqual([limited[0], limited[20], limited[40]], [0, 0.5, 1]);
});

test('CLAHE keeps a constant image constant; clipping follows skimage (hand-computed)', () => {
  const flat = claheChannel(new Float32Array(40 * 30).fill(77), 40, 30, { tiles: [8, 8], clipLimit: 0.01, bins: 256 });
  assert.ok(flat.every((v) => v === flat[0]));
  // 14 excess pixels over 8 bins: 1 to each bin below 6 − 1, then the remaining 7 one by one
  const room = new Int32Array([20, 0, 0, 0, 0, 0, 0, 0]);
  clipHistogram(room, 6);
  assert.deepEqual([...room], [6, 2, 2, 2, 2, 2, 2, 2]);
  // more excess than room below the limit: every bin at the limit, the rest dropped (as skimage)
  const full = new Int32Array([50, 0, 3, 0, 9, 0, 0, 2]);
  clipHistogram(full, 6);
  assert.deepEqual([...full], [6, 6, 6, 6, 6, 6, 6, 6]);
});

test('CLAHE parameters out of range name the option', () => {
  assert.throws(
    () => checkClaheOptions({ tiles: [0, 8], clipLimit: 0.01, bins: 256 }, 'input.clahe'),
    (e: Error) => {
      assert.ok(e instanceof OptionError);
      assert.match(e.message, /^input\.clahe\.tiles: /);
      return true;
    },
  );
  assert.throws(
    () => checkClaheOptions({ tiles: [8, 8], clipLimit: 1.5, bins: 256 }, 'input.clahe'),
    /input\.clahe\.clip_limit: must lie in \[0, 1\]/,
  );
  assert.throws(
    () => checkClaheOptions({ tiles: [8, 8], clipLimit: 0.01, bins: 1 }, 'input.clahe'),
    /input\.clahe\.bins/,
  );
});

const cases = [
  { rows: 64, cols: 48, tiles: [8, 8], clip: 0.01, bins: 256 },
  { rows: 61, cols: 77, tiles: [4, 6], clip: 0.03, bins: 128 },
  { rows: 100, cols: 90, tiles: [3, 5], clip: 0, bins: 256 },
  { rows: 37, cols: 53, tiles: [8, 8], clip: 0.1, bins: 64 },
];

referenceTest('CLAHE equals skimage.exposure.equalize_adapthist (grey and RGB)', python('skimage', 'numpy'), () => {
  const inputs = cases.map((c, i) => ({ ...c, image: Array.from(photo(c.rows, c.cols, i + 1)) }));
  const script = `
import numpy as np
from skimage.exposure import equalize_adapthist
out = []
for c in data:
    img = np.array(c['image'], dtype=np.uint8).reshape(c['rows'], c['cols'])
    k = [max(1, s // t) for s, t in zip(img.shape, c['tiles'])]
    grey = equalize_adapthist(img, kernel_size=k, clip_limit=c['clip'], nbins=c['bins'])
    rgb = np.stack([img, (img * 0.5).astype(np.uint8), img[::-1]], axis=-1)
    colour = equalize_adapthist(rgb, kernel_size=k, clip_limit=c['clip'], nbins=c['bins'])
    out.append({'grey': grey.ravel().tolist(), 'rgb': np.moveaxis(colour, -1, 0).ravel().tolist()})
print(json.dumps(out))`;
  const expected = runPythonJson<Array<{ grey: number[]; rgb: number[] }>>(script, inputs);
  const diffs: string[] = [];
  inputs.forEach((c, i) => {
    const o = { tiles: c.tiles as [number, number], clipLimit: c.clip, bins: c.bins };
    const grey = claheChannel(c.image, c.rows, c.cols, o);
    // the same 8-bit planes the python side builds: R = image, G = ⌊image/2⌋, B = image flipped vertically
    const n = c.rows * c.cols;
    const rgb = new Float32Array(3 * n);
    for (let y = 0; y < c.rows; y++)
      for (let x = 0; x < c.cols; x++) {
        const v = c.image[y * c.cols + x]!;
        rgb[y * c.cols + x] = v;
        rgb[n + y * c.cols + x] = Math.floor(v * 0.5);
        rgb[2 * n + y * c.cols + x] = c.image[(c.rows - 1 - y) * c.cols + x]!;
      }
    const colour = clahe(rgb, 3, c.rows, c.cols, o);
    const dg = maxDiff(grey, expected[i]!.grey);
    const dc = maxDiff(colour, expected[i]!.rgb);
    diffs.push(`${c.rows}×${c.cols}: grey ${dg.toExponential(1)}, rgb ${dc.toExponential(1)}`);
    // float32 output against float64: the integer levels are identical, only the last rounding differs
    assert.ok(dg < 1e-7, `grey ${c.rows}×${c.cols} tiles ${c.tiles}: max |Δ| ${dg}`);
    assert.ok(dc < 1e-6, `rgb ${c.rows}×${c.cols} tiles ${c.tiles}: max |Δ| ${dc}`);
  });
  console.log(`CLAHE vs skimage, max |Δ|: ${diffs.join('; ')}`);
});
