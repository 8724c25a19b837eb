import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { tempDir } from './tmp.js';

/**
 * A tiny nnU-Net v2 dataset on disk: `cases` cases of 2 channels (CT, PET), 24×20×8 voxels at
 * 0.8×0.8×3 mm; non-zero block i 2..21, j 2..17, k 1..6 (CT 100 + case); class 1 = the cube
 * i 8..11, j 8..11, k 3..4 (CT 300).
 */
export async function tinyMsd(cases = 4): Promise<string> {
  const root = tempDir();
  mkdirSync(join(root, 'imagesTr'));
  mkdirSync(join(root, 'labelsTr'));
  writeFileSync(
    join(root, 'dataset.json'),
    JSON.stringify({
      channel_names: { '0': 'CT', '1': 'PET' },
      labels: { background: 0, lesion: 1 },
      numTraining: cases,
      file_ending: '.nii.gz',
    }),
  );
  const shape = [24, 20, 8];
  const spacing: [number, number, number] = [0.8, 0.8, 3];
  for (let c = 0; c < cases; c++) {
    const ct = new Float32Array(24 * 20 * 8);
    const pet = new Float32Array(24 * 20 * 8);
    const seg = new Uint8Array(24 * 20 * 8);
    for (let k = 1; k < 7; k++)
      for (let j = 2; j < 18; j++)
        for (let i = 2; i < 22; i++) {
          const v = i + 24 * (j + 20 * k);
          ct[v] = 100 + c;
          pet[v] = 1;
          if (i >= 8 && i < 12 && j >= 8 && j < 12 && k >= 3 && k < 5) {
            seg[v] = 1;
            ct[v] = 300;
          }
        }
    await writeImage(createImage(ct, shape, { spacing }), join(root, 'imagesTr', `case_${c}_0000.nii.gz`));
    await writeImage(createImage(pet, shape, { spacing }), join(root, 'imagesTr', `case_${c}_0001.nii.gz`));
    await writeImage(createImage(seg, shape, { spacing }), join(root, 'labelsTr', `case_${c}.nii.gz`));
  }
  return root;
}
