/**
 * The demo's training run: a small U-Net learns to segment generated ellipse phantoms
 * (BCE-with-logits, Adam), then is scored by Dice on a held-out batch.
 */
import { noGrad } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import { binaryCrossEntropyWithLogits } from '../engine/ops.js';
import { Adam } from '../engine/optim/adam.js';
import { manualSeed } from '../engine/random.js';
import { Tensor } from '../engine/tensor.js';
import { confusionCounts } from '../metrics/confusion.js';
import { dice } from '../metrics/overlap.js';
import { ReferenceUNet2d } from '../nets/reference-unet.js';
import { Random } from '../util/random.js';
import { DEMO_DEFAULTS, type DemoOptions } from './options.js';
import { phantomBatch } from './phantoms.js';

export interface DemoResult {
  steps: number;
  firstLoss: number;
  lastLoss: number;
  /** Mean loss over the first and last tenth of the steps (less noisy than single steps). */
  firstLossMean: number;
  lastLossMean: number;
  validationDice: number;
  seconds: number;
  parameters: number;
  /** The loss of every step. */
  losses: number[];
  /** The first validation phantom with its truth and the network's prediction (size × size, 0/1). */
  example: { size: number; image: Float32Array; truth: Uint8Array; prediction: Uint8Array; dice: number };
}

export function runDemoTraining(options: Partial<DemoOptions> = {}): DemoResult {
  const o = { ...DEMO_DEFAULTS, ...options };
  manualSeed(o.seed);
  const rng = new Random(o.seed);
  const model = new ReferenceUNet2d(1, 1, [8, 16, 32]);
  const optimizer = new Adam(model.parameters(), { lr: o.lr });
  const losses: number[] = [];
  const start = performance.now();
  try {
    for (let step = 1; step <= o.steps; step++) {
      const b = phantomBatch(rng, o.batch, o.size);
      const loss = tidy(() => {
        const x = Tensor.from(b.images, b.shape);
        const y = Tensor.from(b.masks, b.shape);
        optimizer.zeroGrad();
        const l = binaryCrossEntropyWithLogits(model.forward(x), y, { reduction: 'mean' });
        l.backward();
        optimizer.step();
        return l.item();
      });
      losses.push(loss);
      o.onStep?.(step, loss);
    }
    const seconds = (performance.now() - start) / 1000;
    const { mean: validationDice, example } = evaluateDice(
      model,
      phantomBatch(new Random(o.seed + 1_000_003), 16, o.size),
      o.size,
    );
    const tenth = Math.max(1, Math.floor(losses.length / 10));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      steps: o.steps,
      firstLoss: losses[0] ?? NaN,
      lastLoss: losses.at(-1) ?? NaN,
      firstLossMean: mean(losses.slice(0, tenth)),
      lastLossMean: mean(losses.slice(-tenth)),
      validationDice,
      seconds,
      parameters: model.numParameters(),
      losses,
      example,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Mean over the batch's images of each image's Dice = 2TP/(2TP+FP+FN), by the one definition and
 * empty-mask rule of `evaluate` (metrics/overlap.ts).
 */
function evaluateDice(
  model: ReferenceUNet2d,
  batch: ReturnType<typeof phantomBatch>,
  size: number,
): { mean: number; example: DemoResult['example'] } {
  model.eval();
  const logits = noGrad(() =>
    tidy(() => model.forward(Tensor.from(batch.images, batch.shape)).toArray() as Float32Array),
  );
  const perImage = logits.length / batch.shape[0]!;
  const predicted = Uint8Array.from(logits, (x) => (x > 0 ? 1 : 0));
  const scores: number[] = [];
  for (let n = 0; n < batch.shape[0]!; n++) {
    const window = [n * perImage, (n + 1) * perImage] as const;
    scores.push(dice(confusionCounts(predicted.subarray(...window), Uint8Array.from(batch.masks.subarray(...window)))));
  }
  const example = {
    size,
    image: Float32Array.from(batch.images.subarray(0, perImage)),
    truth: Uint8Array.from(batch.masks.subarray(0, perImage)),
    prediction: predicted.slice(0, perImage),
    dice: scores[0]!,
  };
  return { mean: scores.reduce((a, b) => a + b, 0) / scores.length, example };
}
