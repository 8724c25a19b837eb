import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readImage } from '../../src/io/read.js';
import { evaluateCase } from '../../src/metrics/evaluate.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { close } from './helpers.js';

// Two real BraTS label maps (patients 1 and 2, 240×240×155, 1 mm) compared as if one predicted the
// other: tumours in different places, so the distances are large and exercise the whole volume.
// Truth from nibabel + scipy.ndimage (6-connected boundary, distance_transform_edt with the header's
// zooms, np.percentile), Debian python3: HD / HD95 / ASSD in mm.
test(
  'BraTS regions (WT, TC) and a single label: HD, HD95, ASSD equal scipy on real volumes',
  skipUnlessData('brats2013-deepmedic', 'test'),
  async () => {
    const root = sharedData('brats2013-deepmedic', 'test')!;
    const pred = await readImage(join(root, 'brats_2013_pat0001_1', 'OTMultiClass.nii.gz'));
    const gt = await readImage(join(root, 'brats_2013_pat0002_1', 'OTMultiClass.nii.gz'));
    const records = evaluateCase(pred, gt, {
      labels: [2],
      regions: [
        { name: 'WT', labels: [1, 2, 3, 4] },
        { name: 'TC', labels: [1, 3, 4] },
      ],
    });
    assert.deepEqual(
      records.map((r) => r.class),
      ['2', 'WT', 'TC'],
    );
    const expected: Record<string, [number, number, number]> = {
      WT: [96.93296652842108, 87.44398185402892, 52.57294739994827],
      TC: [108.00925886237717, 100.22973610660661, 77.00719776045045],
      '2': [90.97801932335085, 80.31811726656893, 49.08595756476923],
    };
    for (const r of records) {
      const [hd, hd95, assd] = expected[r.class]!;
      close(r.hd, hd, 1e-9, `${r.class} hd`);
      close(r.hd95, hd95, 1e-9, `${r.class} hd95`);
      close(r.assd, assd, 1e-9, `${r.class} assd`);
      assert.equal(r.dice, 0);
    }
  },
);
