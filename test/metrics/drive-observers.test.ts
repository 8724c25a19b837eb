import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readImage } from '../../src/io/read.js';
import { evaluateFolder } from '../../src/metrics/evaluate.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { close } from './helpers.js';

// The second DRIVE observer against the first, inside the FOV masks, on the 20 test images.
// Truth from an independent computation (PIL + numpy + scipy.ndimage, Debian python3): per-case mean
// Dice 0.7881230577943907, mean HD95 (4-connected boundary pixels, max of both directions' P95)
// 6.688291884118871 px; pooled Se 0.77464, Sp 0.97246, Acc 0.94728 — the second-observer numbers
// commonly reported in the literature are about Se 0.776, Sp 0.972, Acc 0.947.
test(
  'DRIVE: second observer vs first inside the FOV reproduces the published agreement',
  skipUnlessData('drive-retina', 'testing'),
  async () => {
    const root = sharedData('drive-retina', 'testing')!;
    // The 2nd-observer GIFs are palette images (index 1 = vessel): evaluation reads label maps as palette indices.
    const result = await evaluateFolder(join(root, '2nd_manual'), join(root, '1st_manual'), {
      reader: readImage,
      binary: true,
      roi: join(root, 'mask'),
    });
    assert.equal(result.cases.length, 20);
    const agg = result.aggregate['1']!;
    close(agg.metrics.dice!.mean, 0.7881230577943907, 1e-12);
    close(agg.metrics.hd95!.mean, 6.688291884118871, 1e-9);
    const sum = (k: 'tp' | 'fp' | 'fn' | 'tn') => result.rows.reduce((s, r) => s + r[k], 0);
    const [tp, fp, fn, tn] = [sum('tp'), sum('fp'), sum('fn'), sum('tn')];
    close(tp / (tp + fn), 0.776, 0.002);
    close(tn / (tn + fp), 0.9724, 0.0005);
    close((tp + tn) / (tp + fp + fn + tn), 0.9472, 0.0005);
  },
);
