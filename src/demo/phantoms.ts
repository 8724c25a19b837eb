/**
 * Generated 2D phantoms for the demo: a few random ellipses of random brightness on a noisy
 * background; the segmentation target is the union of the ellipses. Deterministic for a seed.
 */
import type { Random } from '../util/random.js';

export interface PhantomBatch {
  /** N×1×H×W images, C order. */
  images: Float32Array;
  /** N×1×H×W binary masks (0/1). */
  masks: Float32Array;
  shape: [number, number, number, number];
}

export function phantomBatch(rng: Random, batch: number, size: number, noise = 0.3): PhantomBatch {
  const plane = size * size;
  const images = new Float32Array(batch * plane);
  const masks = new Float32Array(batch * plane);
  for (let n = 0; n < batch; n++) {
    const count = 1 + rng.int(3);
    const ellipses = Array.from({ length: count }, () => ({
      cx: rng.uniform(0.2, 0.8) * size,
      cy: rng.uniform(0.2, 0.8) * size,
      rx: rng.uniform(0.08, 0.25) * size,
      ry: rng.uniform(0.08, 0.25) * size,
      angle: rng.uniform(0, Math.PI),
      brightness: rng.uniform(0.6, 1.4),
    }));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let value = 0;
        let inside = false;
        for (const e of ellipses) {
          const dx = x + 0.5 - e.cx;
          const dy = y + 0.5 - e.cy;
          const c = Math.cos(e.angle);
          const s = Math.sin(e.angle);
          const u = (dx * c + dy * s) / e.rx;
          const v = (-dx * s + dy * c) / e.ry;
          if (u * u + v * v <= 1) {
            inside = true;
            value = Math.max(value, e.brightness);
          }
        }
        const i = n * plane + y * size + x;
        images[i] = value + noise * rng.normal();
        masks[i] = inside ? 1 : 0;
      }
    }
  }
  return { images, masks, shape: [batch, 1, size, size] };
}
