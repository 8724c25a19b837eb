/**
 * Validation on whole images: each preprocessed validation case goes through sliding-window
 * inference (the same as `predict`, without mirroring by default to stay quick), the argmax is
 * compared with the label, and Dice = 2TP/(2TP+FP+FN) is computed per case and class (inside the ROI
 * mask when the case has one). A class absent from both label and prediction gives NaN and is left
 * out of that class's mean; the run's metric is the mean over foreground classes.
 */
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import { Tensor } from '../engine/tensor.js';
import type { PreprocessedCase } from '../data/preprocess.js';
import { slidingWindowInference, type WindowModel } from '../infer/sliding-window.js';
import { tensorShape } from './data.js';

export interface ValidationResult {
  /** Per case: Dice of classes 1..K−1. */
  perCase: Array<{ id: string; dice: number[] }>;
  /** Mean per foreground class over the cases where it is defined. */
  dicePerClass: number[];
  /** Mean of dicePerClass (NaN when no class is defined anywhere). */
  meanDice: number;
  seconds: number;
}

/** Dice per foreground class of a label map against the truth (NaN: absent in both). */
export function dicePerClass(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
  roi?: ArrayLike<number>,
): number[] {
  const tp = new Float64Array(numClasses),
    fp = new Float64Array(numClasses),
    fn = new Float64Array(numClasses);
  for (let v = 0; v < truth.length; v++) {
    if (roi && roi[v] === 0) continue;
    const p = pred[v]!,
      t = truth[v]!;
    if (p === t) tp[p]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  const out: number[] = [];
  for (let c = 1; c < numClasses; c++) {
    const d = 2 * tp[c]! + fp[c]! + fn[c]!;
    out.push(d === 0 ? NaN : (2 * tp[c]!) / d);
  }
  return out;
}

export interface ValidationOptions {
  patchSize: number[];
  numClasses: number;
  overlap?: number;
  gaussian?: boolean;
  mirror?: boolean;
  batchSize?: number;
  device?: string;
  dims: number;
}

export async function validate(
  model: WindowModel & { train(mode?: boolean): unknown; training: boolean },
  cases: readonly PreprocessedCase[],
  o: ValidationOptions,
): Promise<ValidationResult> {
  const start = performance.now();
  const wasTraining = model.training;
  model.train(false);
  const perCase: ValidationResult['perCase'] = [];
  try {
    for (const c of cases) {
      const input = Tensor.from(c.data, [1, c.channels, ...tensorShape(c, o.dims)], { device: o.device ?? 'cpu' });
      let probs: Tensor | null = null;
      try {
        probs = await slidingWindowInference(model, input, {
          patchSize: o.patchSize,
          overlap: o.overlap,
          gaussian: o.gaussian,
          mirror: o.mirror ?? false,
          batchSize: o.batchSize,
          device: o.device,
        });
        const p = probs;
        const pred = tidy(() => ve.argmax(p, 1).to('uint8').contiguous().toArray() as Uint8Array);
        perCase.push({ id: c.id, dice: dicePerClass(pred, c.label!, o.numClasses, c.roi) });
      } finally {
        input.dispose();
        probs?.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  const perClass = Array.from({ length: o.numClasses - 1 }, (_, k) => {
    const xs = perCase.map((r) => r.dice[k]!).filter((x) => !Number.isNaN(x));
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  });
  const defined = perClass.filter((x) => !Number.isNaN(x));
  return {
    perCase,
    dicePerClass: perClass,
    meanDice: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : NaN,
    seconds: (performance.now() - start) / 1000,
  };
}
