/**
 * Active learning: which unlabelled cases would teach the model most. Each case is predicted with
 * mirroring members (and Monte-Carlo dropout samples when the network has dropout) and scored by
 * three uncertainties — mean predictive entropy, test-time-augmentation variance, MC-dropout
 * variance — each averaged over the case's region of interest (uncertainty.ts), so a large image is
 * not favoured for its size. The measures are turned into ranks among the candidates (0..1) and
 * averaged. A diversity term then orders the list greedily: each next case maximises
 *   uncertainty − λ · (largest similarity to a case already chosen),
 * with similarity exp(−d²/2σ²) on standardised descriptors (geometry, intensities, predicted class
 * volumes; σ the median pairwise distance), so that near-duplicates do not fill the top of the list.
 */
import { fingerprintCase, channelsOf } from '../data/fingerprint.js';
import type { PredictionInput } from '../infer/predict.js';
import type { ServedRun } from './models.js';
import { inferencePostprocess } from '../train/inference-options.js';
import { writeFileAtomic } from '../util/atomic.js';
import { OptionError } from '../util/errors.js';
import { Random } from '../util/random.js';
import { caseFeatures } from './monitor/features.js';
import { hasDropout, predictWithUncertainty, type UncertaintySummary } from './uncertainty.js';

export type RankStrategy = 'combined' | 'entropy' | 'tta' | 'mc' | 'random';
export const RANK_STRATEGIES: readonly RankStrategy[] = ['combined', 'entropy', 'tta', 'mc', 'random'];

export interface RankOptions {
  strategy?: RankStrategy;
  /** Weight λ of the diversity term (default 0.3; 0 = uncertainty only). */
  diversity?: number;
  /** Mirroring TTA members (default true; needed for the TTA variance). */
  tta?: boolean;
  /** MC-dropout samples (default 8; skipped for networks without dropout). */
  mcSamples?: number;
  seed?: number;
  /** Called before each case is predicted. */
  onCase?: (id: string, index: number, total: number) => void;
}

export interface RankedCase {
  rank: number;
  id: string;
  files: string[];
  /** The combined (or chosen) uncertainty, 0..1 among these candidates. */
  uncertainty: number;
  /** What the diversity term took off. */
  diversityPenalty: number;
  score: number;
  measures: Pick<UncertaintySummary, 'entropy' | 'ttaVariance' | 'mcVariance' | 'roiVoxels'>;
}

export interface Ranking {
  model: string;
  created: string;
  strategy: RankStrategy;
  diversity: number;
  measuresUsed: string[];
  cases: RankedCase[];
}

/** Ranks in 0..1 (ties share their mean rank); 0.5 for a single value. */
function rankNormalise(values: number[]): number[] {
  if (values.length === 1) return [0.5];
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]![0] === order[s]![0]) e++;
    const r = (s + e) / 2 / (values.length - 1);
    for (let t = s; t <= e; t++) out[order[t]![1]] = r;
    s = e + 1;
  }
  return out;
}

function standardise(rows: number[][]): number[][] {
  const d = rows[0]?.length ?? 0;
  const out = rows.map((r) => [...r]);
  for (let c = 0; c < d; c++) {
    const col = rows.map((r) => r[c]!);
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length) || 1;
    for (const r of out) r[c] = (r[c]! - mean) / sd;
  }
  return out;
}

/**
 * Greedy uncertainty-with-diversity order: returns indices and the penalty each got.
 * @param uncertainty - per candidate, 0..1
 * @param descriptors - per candidate, standardised
 */
export function diverseOrder(
  uncertainty: number[],
  descriptors: number[][],
  lambda: number,
): { order: number[]; penalty: number[] } {
  const n = uncertainty.length;
  const dist = (a: number, b: number) =>
    Math.sqrt(descriptors[a]!.reduce((s, x, c) => s + (x - descriptors[b]![c]!) ** 2, 0));
  const pairs: number[] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push(dist(a, b));
  pairs.sort((x, y) => x - y);
  const sigma = pairs.length ? pairs[Math.floor(pairs.length / 2)]! || 1 : 1;
  const maxSim = new Array<number>(n).fill(0);
  const left = new Set([...Array(n).keys()]);
  const order: number[] = [];
  const penalty = new Array<number>(n).fill(0);
  while (left.size) {
    let best = -1;
    let bestScore = -Infinity;
    for (const i of left) {
      const s = uncertainty[i]! - lambda * maxSim[i]!;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    penalty[best] = lambda * maxSim[best]!;
    order.push(best);
    left.delete(best);
    for (const i of left) maxSim[i] = Math.max(maxSim[i]!, Math.exp(-(dist(i, best) ** 2) / (2 * sigma * sigma)));
  }
  return { order, penalty };
}

/** Scores and orders unlabelled cases for labelling (see the module comment). */
export async function rankCases(
  run: ServedRun,
  model: string,
  inputs: PredictionInput[],
  options: RankOptions = {},
): Promise<Ranking> {
  const strategy = options.strategy ?? 'combined';
  if (!RANK_STRATEGIES.includes(strategy))
    throw new OptionError('strategy', `must be one of ${RANK_STRATEGIES.join(', ')}, got "${strategy}"`);
  const lambda = options.diversity ?? 0.3;
  if (!(lambda >= 0)) throw new OptionError('diversity', `must be ≥ 0, got ${lambda}`);
  if (inputs.length === 0) throw new OptionError('UNLABELLED_DIR', 'no images to rank');
  if (strategy === 'mc' && !hasDropout(run.model))
    throw new OptionError('strategy', 'mc: the measure is not available (the network has no dropout)');
  if (strategy === 'tta' && options.tta === false)
    throw new OptionError('strategy', 'tta: the measure is not available (TTA is off)');
  const classes = run.datasetInfo.labels.map((l) => l.name);
  const summaries: UncertaintySummary[] = [];
  const descriptors: number[][] = [];
  let names: string[] | undefined;
  for (const [index, input] of inputs.entries()) {
    options.onCase?.(input.id, index, inputs.length);
    if (strategy === 'random') continue;
    const p = await predictWithUncertainty(run, input, {
      tta: options.tta ?? true,
      mcSamples: strategy === 'combined' || strategy === 'mc' ? (options.mcSamples ?? 8) : 0,
      postprocess: inferencePostprocess(run.config),
    });
    summaries.push(p.summary);
    const shape = p.labels.shape.slice(0, 3) as [number, number, number];
    const channels = p.images.flatMap((img) => channelsOf(img).channels);
    const print = fingerprintCase(
      { id: input.id, shape, spacing: [...p.labels.spacing], channels, label: p.labels.data },
      classes.length,
      { samplesPerCase: 2000 },
    );
    const f = caseFeatures(print, run.plan.channels, classes);
    names ??= Object.keys(f).sort();
    descriptors.push(names.map((k) => f[k] ?? 0));
  }
  let uncertainty: number[];
  const measuresUsed: string[] = [];
  if (strategy === 'random') {
    const rng = new Random(options.seed ?? 0);
    uncertainty = inputs.map(() => rng.next());
  } else {
    const columns: number[][] = [];
    const use = (name: string, values: (number | null)[]) => {
      if (values.some((v) => v === null)) return;
      measuresUsed.push(name);
      columns.push(rankNormalise(values as number[]));
    };
    if (strategy === 'combined' || strategy === 'entropy')
      use(
        'entropy',
        summaries.map((s) => s.entropy),
      );
    if ((strategy === 'combined' || strategy === 'tta') && summaries[0]!.members > 1)
      use(
        'tta_variance',
        summaries.map((s) => s.ttaVariance),
      );
    if (strategy === 'combined' || strategy === 'mc')
      use(
        'mc_dropout_variance',
        summaries.map((s) => s.mcVariance),
      );
    if (columns.length === 0)
      throw new OptionError(
        'strategy',
        `${strategy}: the measure is not available (${strategy === 'mc' ? 'the network has no dropout' : 'TTA is off'})`,
      );
    uncertainty = inputs.map((_, i) => columns.reduce((a, col) => a + col[i]!, 0) / columns.length);
  }
  const { order, penalty } =
    strategy === 'random' || lambda === 0
      ? {
          order: [...uncertainty.keys()].sort((a, b) => uncertainty[b]! - uncertainty[a]!),
          penalty: uncertainty.map(() => 0),
        }
      : diverseOrder(uncertainty, standardise(descriptors), lambda);
  return {
    model,
    created: new Date().toISOString(),
    strategy,
    diversity: strategy === 'random' ? 0 : lambda,
    measuresUsed,
    cases: order.map((i, r) => ({
      rank: r + 1,
      id: inputs[i]!.id,
      files: inputs[i]!.files,
      uncertainty: uncertainty[i]!,
      diversityPenalty: penalty[i]!,
      score: uncertainty[i]! - penalty[i]!,
      measures: summaries[i]
        ? {
            entropy: summaries[i]!.entropy,
            ttaVariance: summaries[i]!.ttaVariance,
            mcVariance: summaries[i]!.mcVariance,
            roiVoxels: summaries[i]!.roiVoxels,
          }
        : { entropy: 0, ttaVariance: 0, mcVariance: null, roiVoxels: 0 },
    })),
  };
}

/** Writes a ranking as JSON (atomically): the file `serve --worklist` offers in the viewer. */
export function writeRanking(path: string, ranking: Ranking): void {
  writeFileAtomic(path, `${JSON.stringify(ranking, null, 2)}\n`);
}
