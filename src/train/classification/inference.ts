/**
 * Probabilities of prepared samples under a classifier in eval mode: batches of the normalised inputs,
 * softmax over classes (multi-class) or a sigmoid per label (multi-label).
 */
import { noGrad } from '../../engine/autograd.js';
import { tidy } from '../../engine/memory.js';
import type { Module } from '../../engine/nn/module.js';
import * as ve from '../../engine/ops.js';
import { Tensor } from '../../engine/tensor.js';
import { normalizeByChannel } from '../../data/classification/batches.js';

export interface InferenceOptions {
  channels: number;
  size: number[];
  mean: number[];
  std: number[];
  multiLabel: boolean;
  batchSize: number;
  device?: string;
}

/** The normalised input tensor (N, C, ...size) of prepared samples. */
export function inputTensor(data: readonly Float32Array[], o: InferenceOptions): Tensor {
  const per = data[0]?.length ?? 0;
  const x = new Float32Array(per * data.length);
  data.forEach((d, i) => x.set(d, i * per));
  normalizeByChannel(x, o.channels, per / o.channels, o.mean, o.std);
  return Tensor.from(x, [data.length, o.channels, ...o.size], { device: o.device ?? 'cpu' });
}

/** Probabilities (and the mean loss when `loss` is given) of every sample, in order. */
export function classify(
  model: Module<[Tensor], unknown>,
  data: readonly Float32Array[],
  o: InferenceOptions,
  loss?: (logits: Tensor, indices: number[]) => Tensor,
): { probabilities: number[][]; meanLoss: number | null } {
  const probabilities: number[][] = [];
  let lossSum = 0;
  noGrad(() => {
    for (let start = 0; start < data.length; start += o.batchSize) {
      const chunk = data.slice(start, start + o.batchSize);
      const indices = chunk.map((_, i) => start + i);
      tidy(() => {
        const logits = (model.forward(inputTensor(chunk, o)) as Tensor).float();
        if (loss) lossSum += loss(logits, indices).item() * chunk.length;
        const values = (o.multiLabel ? ve.sigmoid(logits) : ve.softmax(logits, 1)).to('cpu').toArray() as Float32Array;
        const k = logits.shape[1]!;
        for (let i = 0; i < chunk.length; i++) probabilities.push(Array.from(values.subarray(i * k, (i + 1) * k)));
      });
    }
  });
  return { probabilities, meanLoss: loss ? lossSum / Math.max(1, data.length) : null };
}
