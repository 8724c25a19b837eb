// Plain-JS reference computations for the loss tests: no engine, just the published formulas.

/** logits as [n][c][pixel] */
export type Grid = number[][][];

export function softmaxPixels(logits: Grid): Grid {
  return logits.map((sample) => {
    const pixels = sample[0]!.length;
    const out = sample.map(() => new Array<number>(pixels).fill(0));
    for (let i = 0; i < pixels; i++) {
      const m = Math.max(...sample.map((ch) => ch[i]!));
      const e = sample.map((ch) => Math.exp(ch[i]! - m));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, c) => (out[c]![i] = v / z));
    }
    return out;
  });
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** labels [n][pixel] → one-hot [n][c][pixel] (labels outside 0..C-1 → zero rows) */
export function oneHot(labels: number[][], c: number): Grid {
  return labels.map((l) => Array.from({ length: c }, (_, k) => l.map((v) => (v === k ? 1 : 0))));
}

export interface Sums {
  tp: number;
  p: number;
  g: number;
}

/** Σ p·g, Σ p, Σ g for class c over the given samples (pixels where keep is false are skipped). */
export function sums(
  probs: Grid,
  target: Grid,
  samples: number[],
  c: number,
  keep?: boolean[][],
  squared = false,
): Sums {
  let tp = 0,
    p = 0,
    g = 0;
  for (const n of samples) {
    probs[n]![c]!.forEach((pv, i) => {
      if (keep && !keep[n]![i]) return;
      const gv = target[n]![c]![i]!;
      tp += pv * gv;
      p += squared ? pv * pv : pv;
      g += squared ? gv * gv : gv;
    });
  }
  return { tp, p, g };
}

export const diceOf = (s: Sums, smooth: number): number => (2 * s.tp + smooth) / (s.p + s.g + smooth);

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** flattens [n][c][pixel] into NCHW order for Tensor.from */
export const flat = (g: Grid): number[] => g.flat(2);
