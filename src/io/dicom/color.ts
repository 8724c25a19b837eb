/** Colour-space conversions of decoded frames to interleaved RGB (PS3.3 C.7.6.3.1.2). */

type Samples = Uint8Array | Uint16Array;

/** Planar (RRR..GGG..BBB..) → interleaved (RGBRGB...). */
export function planarToInterleaved<T extends Samples>(planar: T, pixels: number): T {
  const out = new (planar.constructor as new (n: number) => T)(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[3 * p] = planar[p]!;
    out[3 * p + 1] = planar[pixels + p]!;
    out[3 * p + 2] = planar[2 * pixels + p]!;
  }
  return out;
}

/** YBR_FULL (full-range ITU-R BT.601 YCbCr) interleaved → RGB, in place, for `bits`-bit samples. */
export function ybrFullToRgb<T extends Samples>(ybr: T, bits: number): T {
  const max = (1 << bits) - 1;
  const half = 1 << (bits - 1);
  const clamp = (v: number) => (v < 0 ? 0 : v > max ? max : Math.round(v));
  for (let i = 0; i + 2 < ybr.length; i += 3) {
    const y = ybr[i]!,
      cb = ybr[i + 1]! - half,
      cr = ybr[i + 2]! - half;
    ybr[i] = clamp(y + 1.402 * cr);
    ybr[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    ybr[i + 2] = clamp(y + 1.772 * cb);
  }
  return ybr;
}

/**
 * YBR_FULL_422 as stored natively: each pair of pixels in a row is Y1 Y2 Cb Cr (4 samples for 2 pixels).
 * Expands to full YBR (Y Cb Cr per pixel), which ybrFullToRgb then converts.
 */
export function expandYbr422<T extends Samples>(packed: T, rows: number, columns: number): T {
  const out = new (packed.constructor as new (n: number) => T)(rows * columns * 3);
  let src = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const y1 = packed[src]!,
        y2 = packed[src + 1]!,
        cb = packed[src + 2]!,
        cr = packed[src + 3]!;
      src += 4;
      const dst = 3 * (r * columns + c);
      out[dst] = y1;
      out[dst + 1] = cb;
      out[dst + 2] = cr;
      if (c + 1 < columns) {
        out[dst + 3] = y2;
        out[dst + 4] = cb;
        out[dst + 5] = cr;
      }
    }
  }
  return out;
}
