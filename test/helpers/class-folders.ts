/**
 * A tiny class-folder dataset (`dark/` and `bright/` PNGs): grey noise, the bright class with a
 * 10×10 bright square in the upper right. Returns the image paths, dark ones first.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createImage } from '../../src/io/image.js';
import { writePng } from '../../src/io/raster.js';
import { Random } from '../../src/util/random.js';

/** `perClass` images of size×size per class under `root`, drawn from `seed`. */
export async function classFolders(root: string, perClass = 6, size = 32, seed = 4): Promise<string[]> {
  const rng = new Random(seed);
  const files: string[] = [];
  for (const [c, name] of ['dark', 'bright'].entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let n = 0; n < perClass; n++) {
      const data = new Uint8Array(size * size);
      for (let v = 0; v < data.length; v++) data[v] = 40 + rng.int(30);
      if (c === 1) for (let j = 4; j < 14; j++) for (let i = 18; i < 28; i++) data[i + size * j] = 220;
      const file = join(root, name, `img${n}.png`);
      await writePng(createImage(data, [size, size, 1]), file);
      files.push(file);
    }
  }
  return files;
}
