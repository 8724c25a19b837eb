/**
 * `evaluate` for detections: COCO AP per class at IoU 0.5 and over 0.5:0.95 (and at 0.1 for 3D, as
 * nnDetection reports), FROC with its CPM, a per-case table (objects, predictions above the operating
 * score, true/false positives and misses at the matching IoU, per-case AP@0.5), and percentile-
 * bootstrap confidence intervals over cases (src/stats) for mAP@0.5, mAP and CPM.
 */
import { join } from 'node:path';
import { bootstrapCi, type BootstrapOptions } from '../../stats/bootstrap.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { type BoxSet, selectBoxes } from '../boxes.js';
import { COCO_IOU_THRESHOLDS, type DetectionPair, matchAll, matchImageClass, summarizeMatches } from './coco.js';
import { FROC_RATES, type FrocOptions, frocCandidates, frocFromCandidates } from './froc.js';

export interface DetectionEvaluationOptions {
  classes: string[];
  /** Score at or above which a prediction counts in the per-case table (default 0.5). */
  scoreThreshold?: number;
  /** IoU that makes a true positive in the per-case table (default 0.5 in 2D, 0.1 in 3D). */
  matchIou?: number;
  froc?: FrocOptions;
  bootstrap?: BootstrapOptions;
  maxDetections?: number;
}

export interface PerCaseRow {
  id: string;
  class: string;
  objects: number;
  predictions: number;
  tp: number;
  fp: number;
  fn: number;
  ap50: number | null;
}

export interface DetectionSummary {
  classes: string[];
  cases: number;
  objects: Record<string, number>;
  ap50: Record<string, number | null>;
  ap: Record<string, number | null>;
  ap10?: Record<string, number | null>;
  map50: number | null;
  map: number | null;
  map10?: number | null;
  froc: { hit: string; rates: number[]; sensitivities: number[]; cpm: number | null; lesions: number };
  ci95: { map50: [number, number]; map: [number, number]; cpm: [number, number] };
  scoreThreshold: number;
  matchIou: number;
}

export interface DetectionEvaluation {
  summary: DetectionSummary;
  perCase: PerCaseRow[];
}

const nullable = (v: number) => (Number.isNaN(v) ? null : v);
const byClass = (classes: string[], values: number[]) =>
  Object.fromEntries(classes.map((c, i) => [c, nullable(values[i]!)]));

/** Scores predictions against ground truth: AP, FROC, per-case table, bootstrap intervals. */
export function evaluateDetections(
  pairs: readonly DetectionPair[],
  o: DetectionEvaluationOptions,
): DetectionEvaluation {
  const K = o.classes.length;
  const dims = pairs[0]?.gt.dims ?? 2;
  const thr = o.scoreThreshold ?? 0.5;
  const matchIou = o.matchIou ?? (dims === 3 ? 0.1 : 0.5);
  const maxDet = o.maxDetections ?? 100;
  const m50 = matchAll(pairs, { numClasses: K, iouThresholds: [0.5], maxDetections: maxDet });
  const mAll = matchAll(pairs, { numClasses: K, iouThresholds: COCO_IOU_THRESHOLDS, maxDetections: maxDet });
  const at50 = summarizeMatches(m50, [0.5]);
  const all = summarizeMatches(mAll, COCO_IOU_THRESHOLDS);
  const frocOptions: FrocOptions = o.froc ?? { hit: 'iou', iouThreshold: matchIou };
  const candidates = pairs.map((p) => frocCandidates(p, frocOptions));
  const f = frocFromCandidates(candidates, frocOptions.rates ?? FROC_RATES);
  const boot = o.bootstrap ?? {};
  // a resample of case indices → how often each case was drawn (the metrics take case weights)
  const w = (indices: Uint32Array) => {
    const counts = new Uint32Array(pairs.length);
    for (const i of indices) counts[i]!++;
    return counts;
  };
  const ci95 = {
    map50: bootstrapCi(pairs.length, (i) => summarizeMatches(m50, [0.5], w(i)).meanAp, boot),
    map: bootstrapCi(pairs.length, (i) => summarizeMatches(mAll, COCO_IOU_THRESHOLDS, w(i)).meanAp, {
      ...boot,
      resamples: Math.min(boot.resamples ?? 2000, 500),
    }),
    cpm: bootstrapCi(pairs.length, (i) => frocFromCandidates(candidates, f.rates, w(i)).cpm, boot),
  };
  const summary: DetectionSummary = {
    classes: o.classes,
    cases: pairs.length,
    objects: Object.fromEntries(
      o.classes.map((c, k) => [c, pairs.reduce((s, p) => s + p.gt.labels.filter((l) => l === k).length, 0)]),
    ),
    ap50: byClass(o.classes, at50.apPerClass),
    ap: byClass(o.classes, all.apPerClass),
    map50: nullable(at50.meanAp),
    map: nullable(all.meanAp),
    froc: {
      hit: `${frocOptions.hit ?? 'iou'}${(frocOptions.hit ?? 'iou') === 'iou' ? ` ≥ ${frocOptions.iouThreshold ?? 0.1}` : ''}`,
      rates: f.rates,
      sensitivities: f.sensitivities,
      cpm: nullable(f.cpm),
      lesions: f.lesions,
    },
    ci95,
    scoreThreshold: thr,
    matchIou,
  };
  if (dims === 3) {
    const at10 = summarizeMatches(
      matchAll(pairs, { numClasses: K, iouThresholds: [0.1], maxDetections: maxDet }),
      [0.1],
    );
    summary.ap10 = byClass(o.classes, at10.apPerClass);
    summary.map10 = nullable(at10.meanAp);
  }
  const perCase: PerCaseRow[] = [];
  pairs.forEach((p, i) => {
    const confident: number[] = [];
    for (let b = 0; b < p.pred.labels.length; b++) if (p.pred.scores![b]! >= thr) confident.push(b);
    const kept: BoxSet = selectBoxes(p.pred, confident);
    for (let k = 0; k < K; k++) {
      const m = matchImageClass(p.gt, kept, k, [matchIou], Number.MAX_SAFE_INTEGER);
      const tp = m.matched[0]!.reduce((s, v) => s + v, 0);
      const ap = m50[k]![i]!.numGt > 0 ? summarizeMatches([[m50[k]![i]!]], [0.5]).meanAp : NaN;
      perCase.push({
        id: p.id,
        class: o.classes[k]!,
        objects: m.numGt,
        predictions: m.scores.length,
        tp,
        fp: m.scores.length - tp,
        fn: m.numGt - tp,
        ap50: nullable(ap),
      });
    }
  });
  return { summary, perCase };
}

/** per_case.csv and summary.json in `dir` (written atomically). */
export function writeDetectionEvaluation(dir: string, result: DetectionEvaluation): { csv: string; json: string } {
  const csv = join(dir, 'per_case.csv'),
    json = join(dir, 'summary.json');
  const header = 'case,class,objects,predictions,tp,fp,fn,ap50';
  const rows = result.perCase.map((r) =>
    [r.id, r.class, r.objects, r.predictions, r.tp, r.fp, r.fn, r.ap50 === null ? '' : r.ap50.toFixed(6)].join(','),
  );
  writeFileAtomic(csv, `${[header, ...rows].join('\n')}\n`);
  writeFileAtomic(json, `${JSON.stringify(result.summary, null, 2)}\n`);
  return { csv, json };
}
