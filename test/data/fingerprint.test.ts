import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelNamesFor, fingerprintDataset, loadCase } from '../../src/data/fingerprint.js';
import type { Dataset } from '../../src/data/layout/dataset.js';
import { type Image, createImage } from '../../src/io/image.js';

/** An in-memory reader: path → image. */
function readerOf(images: Record<string, Image>) {
  return async (path: string) => {
    const img = images[path];
    if (!img) throw new Error(`no such test image ${path}`);
    return img;
  };
}

const dataset = (over: Partial<Dataset> = {}): Dataset => ({
  name: 'mem',
  layout: 'folders',
  root: '/mem',
  cases: [{ id: 'a', images: ['a_flair', 'a_t1'], label: 'a_seg' }],
  test: [],
  labels: [
    { name: 'background', value: 0 },
    { name: 'tumour', value: 1 },
  ],
  channels: ['FLAIR', 'T1'],
  ...over,
});

test('loadCase concatenates channels, sanitises and remaps labels', async () => {
  const spacing: [number, number, number] = [1, 1, 2];
  const images = {
    a_flair: createImage(Float32Array.from([1, 2, 3, 4]), [2, 2, 1], { spacing }),
    a_t1: createImage(Float32Array.from([5, 6, 7, 8]), [2, 2, 1], { spacing }),
    a_seg: createImage(Float32Array.from([0, 2, 4, 0]), [2, 2, 1], { spacing }),
  };
  const ds = dataset({ labelRemap: { 2: 1, 4: 1 } });
  const c = await loadCase(ds, ds.cases[0]!, readerOf(images));
  assert.deepEqual(
    c.channels.map((x) => Array.from(x)),
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
  );
  assert.deepEqual(Array.from(c.label!), [0, 1, 1, 0]);
  assert.deepEqual(c.spacing, spacing);
  assert.deepEqual(c.channelsPerFile, [1, 1]);
  // without the remap, 2 and 4 are undeclared
  await assert.rejects(
    loadCase(dataset(), dataset().cases[0]!, readerOf(images)),
    /a_seg: label values 2, 4 are not declared classes \(0, 1\)/,
  );
});

test('mismatched image/label grids are an error before anything else', async () => {
  const images = {
    a_flair: createImage(new Float32Array(4), [2, 2, 1]),
    a_t1: createImage(new Float32Array(4), [2, 2, 1]),
    a_seg: createImage(new Uint8Array(6), [3, 2, 1]),
  };
  await assert.rejects(
    loadCase(dataset(), dataset().cases[0]!, readerOf(images)),
    /a_seg: grid 3×2×1 does not match a_flair \(2×2×1\)/,
  );
  const spaced = { ...images, a_seg: createImage(new Uint8Array(4), [2, 2, 1], { spacing: [1, 1.5, 1] }) };
  await assert.rejects(
    loadCase(dataset(), dataset().cases[0]!, readerOf(spaced)),
    /a_seg: spacing \[1, 1\.5, 1\] does not match a_flair/,
  );
  const moved = { ...images, a_t1: createImage(new Float32Array(4), [2, 2, 1], { origin: [0, 0.5, 0] }) };
  await assert.rejects(
    loadCase(dataset(), dataset().cases[0]!, readerOf(moved)),
    /a_t1: origin \[0, 0\.5, 0\] does not match a_flair/,
  );
  const turned = {
    ...images,
    a_seg: createImage(new Uint8Array(4), [2, 2, 1], { direction: [0, 1, 0, 1, 0, 0, 0, 0, 1] }),
  };
  await assert.rejects(
    loadCase(dataset(), dataset().cases[0]!, readerOf(turned)),
    /a_seg: direction does not match a_flair/,
  );
});

test('grey masks decoded as RGB are accepted; colour labels are not', async () => {
  const ds = dataset({ cases: [{ id: 'a', images: ['img'], label: 'mask' }], channels: ['rgb'] });
  const rgb = createImage(Uint8Array.from([1, 2, 3, 4, 5, 6]), [2, 1, 1, 3]);
  const grey = createImage(Uint8Array.from([0, 255, 0, 255, 0, 255]), [2, 1, 1, 3]);
  const c = await loadCase(ds, ds.cases[0]!, readerOf({ img: rgb, mask: grey }));
  assert.deepEqual(Array.from(c.label!), [0, 1]);
  assert.equal(c.channels.length, 3);
  const colour = createImage(Uint8Array.from([0, 255, 0, 0, 0, 255]), [2, 1, 1, 3]);
  await assert.rejects(
    loadCase(ds, ds.cases[0]!, readerOf({ img: rgb, mask: colour })),
    /mask: a label must have one channel/,
  );
});

test('fingerprintDataset names expanded channels and refuses cases with different channels', async () => {
  const ds = dataset({
    cases: [
      { id: 'a', images: ['a'], label: 'la' },
      { id: 'b', images: ['b'], label: 'lb' },
    ],
    channels: ['rgb'],
  });
  const label = createImage(Uint8Array.from([0, 1]), [2, 1, 1]);
  const fp = await fingerprintDataset(
    ds,
    readerOf({
      a: createImage(new Uint8Array(6).fill(9), [2, 1, 1, 3]),
      b: createImage(new Uint8Array(6).fill(9), [2, 1, 1, 3]),
      la: label,
      lb: label,
    }),
  );
  assert.deepEqual(fp.channels, ['rgb:0', 'rgb:1', 'rgb:2']);
  assert.equal(fp.foreground_intensity[2]!.mean, 9);
  assert.deepEqual(fp.class_frequencies, [0.5, 0.5]);
  await assert.rejects(
    fingerprintDataset(
      ds,
      readerOf({
        a: createImage(new Uint8Array(6), [2, 1, 1, 3]),
        b: createImage(new Uint8Array(2), [2, 1, 1]),
        la: label,
        lb: label,
      }),
    ),
    /b: case b has channels \[rgb\], earlier cases \[rgb:0, rgb:1, rgb:2\]/,
  );
  await assert.rejects(fingerprintDataset(dataset({ cases: [] }), readerOf({})), /empty dataset/);
});

test('channel names: per channel (4D MSD modality lists), or per file expanded (RGB files)', () => {
  assert.deepEqual(channelNamesFor(['FLAIR', 'T1w', 't1gd', 'T2w'], [4], 'x'), ['FLAIR', 'T1w', 't1gd', 'T2w']);
  assert.deepEqual(channelNamesFor(['rgb'], [3], 'x'), ['rgb:0', 'rgb:1', 'rgb:2']);
  assert.deepEqual(channelNamesFor(['CT', 'PET'], [1, 1], 'x'), ['CT', 'PET']);
  assert.throws(
    () => channelNamesFor(['CT', 'PET'], [3], 'case.nii.gz'),
    /case\.nii\.gz: the dataset names 2 channel\(s\) \(CT, PET\) but the case has 3 in 1 file/,
  );
});
