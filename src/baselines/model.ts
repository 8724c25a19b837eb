/**
 * A classical baseline as a model: fitted on preprocessed training images (the same plan, spacing and
 * normalisation as the network), it turns a preprocessed image into class probabilities [K, k, j, i],
 * so `predict` puts them back on the input's grid, ensembles and post-processes them exactly as it
 * does a network's. Saved as one safetensors file (arrays + a JSON description in its metadata).
 */
import { readFileSync } from 'node:fs';
import { decodeSafetensors, encodeSafetensors, typedArrayOf, type RawTensor } from '../engine/safetensors-bytes.js';
import { writeFileAtomic } from '../util/atomic.js';

/** A one-dimensional safetensors entry holding a copy of `data`. */
function rawTensor(dtype: 'I32' | 'F32', _shape: number[], data: Int32Array | Float32Array): RawTensor {
  return {
    dtype,
    shape: [data.length],
    bytes: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}
import { FileFormatError, OptionError } from '../util/errors.js';
import { featureBank, featureNames, type FeatureBankOptions, type FeatureImage } from './features.js';
import { predictForest, trainForest, type Tree } from './random-forest.js';
import { balancedSample } from './sampling.js';
import { predictSvm, trainSvm, type SvmModel } from './svm.js';
import { intensityOf, meanDiceAt, otsuLevel, thresholdProbabilities, tuneLevel } from './threshold.js';

export type BaselineName = 'otsu' | 'threshold' | 'random_forest' | 'svm';
export const BASELINES: readonly BaselineName[] = ['otsu', 'threshold', 'random_forest', 'svm'];

/** The config's `method` section (src/train/config.ts), as the baselines read it. */
export interface BaselineOptions {
  name: string;
  channel: number | null;
  polarity: 'auto' | 'bright' | 'dark';
  level: number | null;
  features: FeatureBankOptions;
  samples: number;
  trees: number;
  max_depth: number;
  min_samples_leaf: number;
  max_features: number | null;
  kernel: 'linear' | 'rbf';
  c: number;
  gamma: number | null;
  rff_components: number;
  svm_epochs: number;
}

export interface TrainingImage extends FeatureImage {
  id: string;
  label: Uint8Array;
  roi?: Uint8Array;
}

interface ThresholdState {
  kind: 'otsu' | 'threshold';
  channel: number | null;
  polarity: 'bright' | 'dark';
  /** The fixed or tuned level (threshold); null for Otsu (per image). */
  level: number | null;
  /** Logistic scale of the soft probabilities (a tenth of the training intensities' std). */
  scale: number;
}

interface LearnedState {
  kind: 'random_forest' | 'svm';
  features: FeatureBankOptions;
  featureNames: string[];
}

export interface BaselineModel {
  readonly method: BaselineName;
  readonly numClasses: number;
  readonly dims: 2 | 3;
  /** What was fitted, for the run log (level, polarity, samples, trees ...). */
  readonly summary: Record<string, unknown>;
  /** Class probabilities [K, k, j, i] flat of one preprocessed image (a 2D model goes slice by slice). */
  predict(image: FeatureImage): Float32Array;
  /** Writes the model as one safetensors file (atomically). */
  save(path: string): void;
}

function sliceWise(image: FeatureImage, dims: 2 | 3, K: number, one: (im: FeatureImage) => Float32Array): Float32Array {
  const [ni, nj, nk] = image.shape;
  if (dims === 3 || nk === 1) return one(image);
  const plane = ni * nj,
    n = plane * nk;
  const out = new Float32Array(K * n);
  for (let k = 0; k < nk; k++) {
    const data = new Float32Array(image.channels * plane);
    for (let c = 0; c < image.channels; c++)
      data.set(image.data.subarray(c * n + k * plane, c * n + (k + 1) * plane), c * plane);
    const roi = image.roi?.subarray(k * plane, (k + 1) * plane);
    const p = one({ ...image, data, shape: [ni, nj, 1], roi });
    for (let c = 0; c < K; c++) out.set(p.subarray(c * plane, (c + 1) * plane), c * n + k * plane);
  }
  return out;
}

/** Fits the baseline `options.name` on training images with labels in 0..numClasses−1. */
export function fitBaseline(
  options: BaselineOptions,
  cases: readonly TrainingImage[],
  numClasses: number,
  dims: 2 | 3,
  seed: number,
  say: (line: string) => void = () => {},
): BaselineModel {
  const name = options.name as BaselineName;
  if (!BASELINES.includes(name))
    throw new OptionError('method.name', `"${options.name}" is not a baseline (${BASELINES.join(', ')})`);
  if (cases.length === 0) throw new OptionError('method.name', `${name} needs at least one training case`);
  if ((name === 'otsu' || name === 'threshold') && numClasses !== 2)
    throw new OptionError(
      'method.name',
      `${name} separates two classes but the dataset has ${numClasses}; use random_forest or svm for several classes`,
    );
  if (name === 'otsu' || name === 'threshold') return fitThreshold(name, options, cases, dims, say);
  return fitLearned(name, options, cases, numClasses, dims, seed, say);
}

function fitThreshold(
  name: 'otsu' | 'threshold',
  options: BaselineOptions,
  cases: readonly TrainingImage[],
  dims: 2 | 3,
  say: (line: string) => void,
): BaselineModel {
  if (options.channel !== null && options.channel >= cases[0]!.channels)
    throw new OptionError(
      'method.channel',
      `is ${options.channel} but the images have ${cases[0]!.channels} channel(s)`,
    );
  const prepared = cases.map((c) => ({ values: intensityOf(c, options.channel), label: c.label, roi: c.roi }));
  const polarities: Array<'bright' | 'dark'> = options.polarity === 'auto' ? ['bright', 'dark'] : [options.polarity];
  let state: ThresholdState;
  let sd = 0,
    mean = 0,
    count = 0;
  for (const c of prepared)
    for (let v = 0; v < c.values.length; v += 3) {
      mean += c.values[v]!;
      sd += c.values[v]! ** 2;
      count++;
    }
  mean /= count;
  const scale = Math.sqrt(Math.max(sd / count - mean * mean, 0)) / 10;
  if (name === 'otsu') {
    const scores = polarities.map((p) => ({
      p,
      dice: meanDiceAt(prepared, (c) => otsuLevel(c.values, c.roi), p),
    }));
    const best = scores.reduce((a, b) => (b.dice > a.dice ? b : a));
    state = { kind: 'otsu', channel: options.channel, polarity: best.p, level: null, scale };
    say(
      `otsu: foreground ${best.p === 'bright' ? 'above' : 'below'} each image's Otsu level (training mean Dice ${best.dice.toFixed(4)})`,
    );
  } else if (options.level !== null) {
    const polarity = options.polarity === 'auto' ? tuneLevel(prepared, ['bright', 'dark']).polarity : options.polarity;
    state = { kind: 'threshold', channel: options.channel, polarity, level: options.level, scale };
    say(`threshold: fixed level ${options.level}, foreground ${polarity === 'bright' ? 'above' : 'below'}`);
  } else {
    const best = tuneLevel(prepared, polarities);
    state = { kind: 'threshold', channel: options.channel, polarity: best.polarity, level: best.level, scale };
    say(
      `threshold: level ${best.level.toPrecision(5)} tuned on ${cases.length} training case(s), foreground ${best.polarity === 'bright' ? 'above' : 'below'} (training mean Dice ${best.dice.toFixed(4)})`,
    );
  }
  return thresholdModel(state, dims);
}

function thresholdModel(state: ThresholdState, dims: 2 | 3): BaselineModel {
  return {
    method: state.kind,
    numClasses: 2,
    dims,
    summary: { ...state },
    predict: (image) =>
      sliceWise(image, dims, 2, (im) => {
        const values = intensityOf(im, state.channel);
        const level = state.level ?? otsuLevel(values, im.roi);
        return thresholdProbabilities(values, level, state.polarity, state.scale);
      }),
    save: (path) => saveModel(path, { method: state.kind, dims, numClasses: 2, state }, {}),
  };
}

function fitLearned(
  name: 'random_forest' | 'svm',
  options: BaselineOptions,
  cases: readonly TrainingImage[],
  numClasses: number,
  dims: 2 | 3,
  seed: number,
  say: (line: string) => void,
): BaselineModel {
  const names = featureNames(options.features, cases[0]!.channels, dims);
  const F = names.length;
  const picks = balancedSample(cases, numClasses, options.samples, seed);
  const n = picks.reduce((a, p) => a + p.length, 0);
  const x = new Float32Array(n * F);
  const y = new Uint8Array(n);
  let row = 0;
  const t0 = performance.now();
  cases.forEach((c, i) => {
    const stack = featureBank(c, dims, options.features);
    for (const v of picks[i]!) {
      for (let f = 0; f < F; f++) x[row * F + f] = stack.values[f]![v]!;
      y[row++] = c.label[v]!;
    }
  });
  const perClass = Array.from({ length: numClasses }, (_, k) => y.filter((l) => l === k).length);
  say(
    `${name}: ${n} training pixels (per class ${perClass.join('/')}) × ${F} features from ${cases.length} case(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const t1 = performance.now();
  const state: LearnedState = { kind: name, features: options.features, featureNames: names };
  let model: BaselineModel;
  if (name === 'random_forest') {
    const trees = trainForest(x, y, numClasses, {
      trees: options.trees,
      maxDepth: options.max_depth,
      minSamplesLeaf: options.min_samples_leaf,
      maxFeatures: options.max_features ?? undefined,
      seed,
    });
    model = forestModel(state, trees, numClasses, dims);
    say(
      `random_forest: ${options.trees} trees, ${trees.reduce((a, t) => a + t.feature.length, 0)} nodes, in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
  } else {
    const svm = trainSvm(x, y, numClasses, {
      kernel: options.kernel,
      c: options.c,
      gamma: options.gamma,
      components: options.rff_components,
      epochs: options.svm_epochs,
      seed,
    });
    model = svmModel(state, svm, dims);
    say(`svm (${options.kernel}): trained in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  Object.assign(model.summary, {
    samples: n,
    samplesPerClass: perClass,
    trainSeconds: (performance.now() - t1) / 1000,
  });
  return model;
}

function forestModel(state: LearnedState, trees: Tree[], numClasses: number, dims: 2 | 3): BaselineModel {
  return {
    method: 'random_forest',
    numClasses,
    dims,
    summary: { features: state.featureNames.length, trees: trees.length },
    predict: (image) =>
      sliceWise(image, dims, numClasses, (im) =>
        predictForest(trees, featureBank(im, dims, state.features).values, numClasses),
      ),
    save: (path) => {
      const tensors: Record<string, RawTensor> = {};
      trees.forEach((t, i) => {
        tensors[`tree.${i}.feature`] = rawTensor('I32', [t.feature.length], t.feature);
        tensors[`tree.${i}.threshold`] = rawTensor('F32', [t.threshold.length], t.threshold);
        tensors[`tree.${i}.left`] = rawTensor('I32', [t.left.length], t.left);
        tensors[`tree.${i}.right`] = rawTensor('I32', [t.right.length], t.right);
        tensors[`tree.${i}.value`] = rawTensor('F32', [t.value.length], t.value);
      });
      saveModel(path, { method: 'random_forest', dims, numClasses, state, trees: trees.length }, tensors);
    },
  };
}

function svmModel(state: LearnedState, svm: SvmModel, dims: 2 | 3): BaselineModel {
  return {
    method: 'svm',
    numClasses: svm.numClasses,
    dims,
    summary: { features: state.featureNames.length, kernel: svm.kernel },
    predict: (image) =>
      sliceWise(image, dims, svm.numClasses, (im) => predictSvm(svm, featureBank(im, dims, state.features).values)),
    save: (path) => {
      const tensors: Record<string, RawTensor> = {
        mean: rawTensor('F32', [svm.mean.length], svm.mean),
        std: rawTensor('F32', [svm.std.length], svm.std),
        weights: rawTensor('F32', [svm.weights.length], svm.weights),
        bias: rawTensor('F32', [svm.bias.length], svm.bias),
      };
      if (svm.projection) tensors.projection = rawTensor('F32', [svm.projection.length], svm.projection);
      if (svm.phase) tensors.phase = rawTensor('F32', [svm.phase.length], svm.phase);
      saveModel(path, { method: 'svm', dims, numClasses: svm.numClasses, state, kernel: svm.kernel }, tensors);
    },
  };
}

interface ModelHeader {
  format?: string;
  method: BaselineName;
  dims: 2 | 3;
  numClasses: number;
  state: ThresholdState | LearnedState;
  trees?: number;
  kernel?: 'linear' | 'rbf';
}

function saveModel(path: string, header: ModelHeader, tensors: Record<string, RawTensor>): void {
  writeFileAtomic(
    path,
    encodeSafetensors(tensors, { vesalius: JSON.stringify({ format: 'vesalius-baseline-1', ...header }) }),
  );
}

/** Reads a baseline saved by `BaselineModel.save`. */
export function loadBaseline(path: string): BaselineModel {
  let content: ReturnType<typeof decodeSafetensors>;
  try {
    content = decodeSafetensors(readFileSync(path), path);
  } catch (err) {
    if (err instanceof FileFormatError) throw err;
    throw new FileFormatError(
      path,
      `cannot read the baseline model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let header: ModelHeader;
  try {
    header = JSON.parse(content.metadata.vesalius ?? '') as ModelHeader;
  } catch {
    throw new FileFormatError(path, 'not a Vesalius baseline model (no description in its metadata)');
  }
  if (header.format !== 'vesalius-baseline-1')
    throw new FileFormatError(path, 'not a Vesalius baseline model (format)');
  const get = (name: string) => {
    const t = content.tensors.get(name);
    if (!t) throw new FileFormatError(path, `missing array "${name}"`);
    return typedArrayOf(t);
  };
  if (header.method === 'otsu' || header.method === 'threshold')
    return thresholdModel(header.state as ThresholdState, header.dims);
  const state = header.state as LearnedState;
  if (header.method === 'random_forest') {
    const trees: Tree[] = Array.from({ length: header.trees ?? 0 }, (_, i) => ({
      feature: get(`tree.${i}.feature`) as Int32Array,
      threshold: get(`tree.${i}.threshold`) as Float32Array,
      left: get(`tree.${i}.left`) as Int32Array,
      right: get(`tree.${i}.right`) as Int32Array,
      value: get(`tree.${i}.value`) as Float32Array,
    }));
    return forestModel(state, trees, header.numClasses, header.dims);
  }
  const svm: SvmModel = {
    kernel: header.kernel ?? 'linear',
    mean: get('mean') as Float32Array,
    std: get('std') as Float32Array,
    weights: get('weights') as Float32Array,
    bias: get('bias') as Float32Array,
    numClasses: header.numClasses,
    ...(content.tensors.has('projection')
      ? { projection: get('projection') as Float32Array, phase: get('phase') as Float32Array }
      : {}),
  };
  return svmModel(state, svm, header.dims);
}
