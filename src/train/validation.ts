/**
 * Validation on whole images: each preprocessed validation case goes through sliding-window
 * inference (the same as `predict`, without mirroring by default to stay quick), the argmax is
 * compared with the label, and Dice = 2TP/(2TP+FP+FN) is computed per case and class (inside the ROI
 * mask when the case has one) with `evaluate`'s empty-mask rule; the run's metric is the mean over
 * foreground classes. Whether both-empty cases enter the means is the named option `excludeBothEmpty`.
 */
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import { Tensor } from '../engine/tensor.js';
import type { PreprocessedCase } from '../data/preprocess.js';
import { slidingWindowInference, type WindowModel } from '../infer/sliding-window.js';
import { classConfusions } from '../metrics/confusion.js';
import { dice } from '../metrics/overlap.js';
import { loaderCase } from '../data/batch-cases.js';

export interface ValidationResult {
  /** Per case: Dice of classes 1..K−1. */
  perCase: Array<{ id: string; dice: number[]; bothEmpty: boolean[] }>;
  /** Mean per foreground class over the cases (without both-empty ones when `excludeBothEmpty`). */
  dicePerClass: number[];
  /** Mean of dicePerClass over the classes that have a mean (NaN when none has). */
  meanDice: number;
  /** Mean over the cases of the loss of the whole-image prediction (when `loss` is given). */
  meanLoss?: number;
  seconds: number;
}

/**
 * Dice per foreground class of a label map against the truth, by the one definition and empty-mask
 * rule of `evaluate` (metrics/overlap.ts, metrics/empty-policy.ts): a class absent from both scores 1,
 * a missed or falsely predicted class 0.
 */
export function dicePerClass(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
  roi?: ArrayLike<number>,
): number[] {
  return classConfusions(pred, truth, numClasses, roi)
    .slice(1)
    .map((c) => dice(c));
}

export interface ValidationOptions {
  patchSize: number[];
  numClasses: number;
  overlap?: number;
  gaussian?: boolean;
  mirror?: boolean;
  batchSize?: number;
  device?: string;
  /** Spatial dimensions of the network: 2 (a case must then have k = 1) or 3. */
  dims: 2 | 3;
  /**
   * Leave cases where a class is absent from both label and prediction out of that class's mean
   * (nnU-Net's online validation does so); by default they count as Dice 1, as in `evaluate`.
   */
  excludeBothEmpty?: boolean;
  /**
   * The training loss (without deep supervision), computed on each whole-image prediction: the
   * window-averaged softmax goes in as logits log(p), whose softmax is p again.
   */
  loss?: (logits: Tensor, target: Tensor) => Tensor;
}

/**
 * Predicts every validation case with sliding windows and scores Dice per class (this file's comment).
 * @returns Dice per case and class, the per-class and overall means, and the time taken
 */
export async function validate(
  model: WindowModel & { train(mode?: boolean): unknown; training: boolean },
  cases: readonly PreprocessedCase[],
  o: ValidationOptions,
): Promise<ValidationResult> {
  const start = performance.now();
  const wasTraining = model.training;
  model.train(false);
  const perCase: ValidationResult['perCase'] = [];
  let lossSum = 0;
  try {
    for (const c of cases) {
      const input = Tensor.from(c.data, [1, c.channels, ...loaderCase(c, o.dims).spatialShape], {
        device: o.device ?? 'cpu',
      });
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
        if (o.loss) {
          const lossFn = o.loss;
          lossSum += tidy(() => {
            const target = Tensor.from(Float32Array.from(c.label!), [1, 1, ...loaderCase(c, o.dims).spatialShape], {
              device: p.device,
            });
            return lossFn(ve.log(ve.clamp(p, 1e-8)), target).item() as number;
          });
        }
        const counts = classConfusions(pred, c.label!, o.numClasses, c.roi).slice(1);
        perCase.push({
          id: c.id,
          dice: counts.map((k) => dice(k)),
          bothEmpty: counts.map((k) => k.tp + k.fp + k.fn === 0),
        });
      } finally {
        input.dispose();
        probs?.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  const perClass = Array.from({ length: o.numClasses - 1 }, (_, k) => {
    const xs = perCase.filter((r) => !(o.excludeBothEmpty && r.bothEmpty[k])).map((r) => r.dice[k]!);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  });
  const defined = perClass.filter((x) => !Number.isNaN(x));
  return {
    perCase,
    dicePerClass: perClass,
    meanDice: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : NaN,
    ...(o.loss && cases.length ? { meanLoss: lossSum / cases.length } : {}),
    seconds: (performance.now() - start) / 1000,
  };
}
