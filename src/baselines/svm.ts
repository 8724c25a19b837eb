/**
 * Support vector machines for pixel classification, trained on the engine (libtorch): a linear
 * L2-regularised squared-hinge SVM (liblinear's L2-loss SVC objective, ½‖w‖² + C·Σ max(0, 1 − y·f)²),
 * one-vs-rest for more than two classes, minimised by Adam (lr 0.05) on mini-batches of 1024 for
 * `epochs` passes (and at least 200 steps); and an RBF kernel
 * through random Fourier features (Rahimi & Recht 2007), φ(x) = √(2/D)·cos(Wx + b) with W ~ N(0, 2γ),
 * whose inner products approximate exp(−γ‖x − x'‖²). Exact kernel SVMs (libsvm) are O(n²) in the
 * samples and took minutes at 3·10⁴ samples (bench/classifiers.ts); this is linear in them.
 * Features are standardised with the training mean and standard deviation. Scores become class
 * probabilities through a logistic (two classes) or softmax (more) of the margins: uncalibrated,
 * but monotone, which is what ROC curves need.
 */
import * as ve from '../engine/index.js';
import { Adam } from '../engine/optim/adam.js';
import { Random } from '../util/random.js';

export interface SvmOptions {
  kernel: 'linear' | 'rbf';
  c: number;
  /** RBF γ on standardised features (default 1/F). */
  gamma?: number | null;
  components: number;
  epochs: number;
  seed: number;
}

export interface SvmModel {
  kernel: 'linear' | 'rbf';
  mean: Float32Array;
  std: Float32Array;
  /** RBF: projection [F, D] and phase [D]. */
  projection?: Float32Array;
  phase?: Float32Array;
  /** Weights [D, M] and bias [M], M = 1 for two classes, else one per class. */
  weights: Float32Array;
  bias: Float32Array;
  numClasses: number;
}

const BATCH = 1024;
/** At least this many optimizer steps, however few the samples. */
const MIN_STEPS = 200;

function standardisation(x: Float32Array, n: number, F: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(F),
    sq = new Float64Array(F);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < F; f++) {
      const v = x[i * F + f]!;
      mean[f]! += v;
      sq[f]! += v * v;
    }
  const m = new Float32Array(F),
    s = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    m[f] = mean[f]! / n;
    s[f] = Math.sqrt(Math.max(sq[f]! / n - m[f]! ** 2, 0)) || 1;
  }
  return { mean: m, std: s };
}

/** The mapped features of a batch of raw rows [b, F] (inside a tidy). */
function mapped(model: Pick<SvmModel, 'kernel' | 'mean' | 'std' | 'projection' | 'phase'>, rows: ve.Tensor): ve.Tensor {
  const F = model.mean.length;
  const z = ve.div(ve.sub(rows, ve.Tensor.from(model.mean, [1, F])), ve.Tensor.from(model.std, [1, F]));
  if (model.kernel === 'linear') return z;
  const D = model.phase!.length;
  const proj = ve.matmul(z, ve.Tensor.from(model.projection!, [F, D]));
  return ve.mul(ve.cos(ve.add(proj, ve.Tensor.from(model.phase!, [1, D]))), Math.sqrt(2 / D));
}

/** Trains on X (n × F, row-major) and labels y in 0..K−1. */
export function trainSvm(x: Float32Array, y: Uint8Array, numClasses: number, options: SvmOptions): SvmModel {
  const n = y.length;
  const F = x.length / n;
  const random = new Random(options.seed);
  const { mean, std } = standardisation(x, n, F);
  const model: SvmModel = {
    kernel: options.kernel,
    mean,
    std,
    weights: new Float32Array(0),
    bias: new Float32Array(0),
    numClasses,
  };
  let D = F;
  if (options.kernel === 'rbf') {
    D = options.components;
    const gamma = options.gamma ?? 1 / F;
    model.projection = Float32Array.from({ length: F * D }, () => random.normal() * Math.sqrt(2 * gamma));
    model.phase = Float32Array.from({ length: D }, () => random.uniform(0, 2 * Math.PI));
  }
  const M = numClasses === 2 ? 1 : numClasses;
  // targets ±1 per output: class 1 vs rest for two classes, one-vs-rest otherwise
  const targets = new Float32Array(n * M);
  for (let i = 0; i < n; i++)
    for (let m = 0; m < M; m++) targets[i * M + m] = (M === 1 ? y[i] === 1 : y[i] === m) ? 1 : -1;
  const w = ve.zeros([D, M], { requiresGrad: true });
  const b = ve.zeros([1, M], { requiresGrad: true });
  const optimizer = new Adam([w, b], { lr: 0.05 });
  // ½‖w‖² + C·Σ hinge² = n·C·(mean hinge² + ‖w‖²/(2nC)): the mean form keeps Adam's step scale
  const lambda = 1 / (2 * n * options.c);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  try {
    const epochs = Math.max(options.epochs, Math.ceil(MIN_STEPS / Math.ceil(n / BATCH)));
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = random.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (let start = 0; start < n; start += BATCH) {
        const end = Math.min(n, start + BATCH);
        const rows = new Float32Array((end - start) * F);
        const tb = new Float32Array((end - start) * M);
        for (let r = start; r < end; r++) {
          rows.set(x.subarray(order[r]! * F, order[r]! * F + F), (r - start) * F);
          tb.set(targets.subarray(order[r]! * M, order[r]! * M + M), (r - start) * M);
        }
        ve.tidy(() => {
          optimizer.zeroGrad();
          const phi = ve.noGrad(() => mapped(model, ve.Tensor.from(rows, [end - start, F])));
          const margin = ve.mul(ve.add(ve.matmul(phi, w), b), ve.Tensor.from(tb, [end - start, M]));
          const hinge = ve.relu(ve.sub(1, margin));
          const loss = ve.add(ve.mean(ve.mul(hinge, hinge)), ve.mul(ve.sum(ve.mul(w, w)), lambda));
          loss.backward();
          optimizer.step();
        });
      }
    }
    model.weights = w.detach().contiguous().toArray() as Float32Array;
    model.bias = b.detach().contiguous().toArray() as Float32Array;
  } finally {
    optimizer.dispose();
    w.dispose();
    b.dispose();
  }
  return model;
}

/** Class probabilities [K, N] of N points given as one array per feature. */
export function predictSvm(model: SvmModel, features: readonly Float32Array[]): Float32Array {
  const n = features[0]?.length ?? 0;
  const F = features.length;
  const K = model.numClasses;
  const M = K === 2 ? 1 : K;
  const D = model.weights.length / M;
  const out = new Float32Array(K * n);
  const chunk = 65536;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const rows = new Float32Array((end - start) * F);
    for (let v = start; v < end; v++) for (let f = 0; f < F; f++) rows[(v - start) * F + f] = features[f]![v]!;
    const probs = ve.tidy(() => {
      const phi = mapped(model, ve.Tensor.from(rows, [end - start, F]));
      const scores = ve.add(ve.matmul(phi, ve.Tensor.from(model.weights, [D, M])), ve.Tensor.from(model.bias, [1, M]));
      return (M === 1 ? ve.sigmoid(scores) : ve.softmax(scores, 1)).contiguous().toArray() as Float32Array;
    });
    for (let v = start; v < end; v++) {
      if (M === 1) {
        out[n + v] = probs[v - start]!;
        out[v] = 1 - probs[v - start]!;
      } else for (let k = 0; k < K; k++) out[k * n + v] = probs[(v - start) * K + k]!;
    }
  }
  return out;
}
