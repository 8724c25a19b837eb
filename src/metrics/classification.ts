/**
 * Clinical classification metrics from predicted probabilities and the truth, by scikit-learn's
 * definitions: accuracy, balanced accuracy, per-class precision, recall (sensitivity), specificity and
 * F1 (macro means over classes), ROC AUC (binary: of the positive class; multi-class: one-vs-rest macro;
 * multi-label: macro over labels) with a percentile-bootstrap CI over cases, the ROC curve and its
 * Youden-optimal threshold (binary), the confusion matrix, Cohen's kappa and quadratic-weighted kappa,
 * and the expected calibration error with its reliability diagram.
 */
import { bootstrapCi, type BootstrapOptions } from '../stats/bootstrap.js';
import { rocAuc } from './auc.js';
import { accuracy, balancedAccuracy, confusionMatrix } from './confusion-matrix.js';
import { cohenKappa } from './kappa.js';

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score thresholds, decreasing; the first is +Infinity (nothing predicted positive). */
  thresholds: number[];
}

/** Every distinct threshold's (FPR, TPR), as sklearn's roc_curve(drop_intermediate=False). */
export function rocCurve(scores: ArrayLike<number>, truth: ArrayLike<number>): RocCurve {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let pos = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i]) pos++;
  const neg = truth.length - pos;
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Infinity] };
  let tp = 0,
    fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (truth[i]) tp++;
    else fp++;
    if (k + 1 < order.length && scores[order[k + 1]!] === scores[i]) continue;
    curve.fpr.push(neg ? fp / neg : NaN);
    curve.tpr.push(pos ? tp / pos : NaN);
    curve.thresholds.push(scores[i]!);
  }
  return curve;
}

/** The threshold maximising Youden's J = TPR − FPR (the first, highest one on ties). */
export function youdenThreshold(curve: RocCurve): { threshold: number; j: number; tpr: number; fpr: number } {
  let best = 0;
  for (let k = 1; k < curve.tpr.length; k++)
    // (a margin, so that J values equal up to rounding count as ties)
    if (curve.tpr[k]! - curve.fpr[k]! > curve.tpr[best]! - curve.fpr[best]! + 1e-12) best = k;
  return {
    threshold: curve.thresholds[best]!,
    j: curve.tpr[best]! - curve.fpr[best]!,
    tpr: curve.tpr[best]!,
    fpr: curve.fpr[best]!,
  };
}

export interface ClassScores {
  precision: number;
  recall: number;
  specificity: number;
  f1: number;
  support: number;
}

/** Per class from a confusion matrix m[true][pred]; undefined ratios (0/0) are 0, as sklearn's zero_division=0. */
export function perClassScores(m: number[][]): ClassScores[] {
  const total = m.flat().reduce((a, b) => a + b, 0);
  return m.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((s, r) => s + r[c]!, 0);
    const fn = support - tp,
      fp = predicted - tp,
      tn = total - tp - fn - fp;
    const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
    return {
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
      specificity: ratio(tn, tn + fp),
      f1: ratio(2 * tp, 2 * tp + fp + fn),
      support,
    };
  });
}

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence in the bin. */
  confidence: number;
  /** Fraction correct in the bin. */
  accuracy: number;
}

/**
 * Expected calibration error (Guo et al. 2017): confidence = the top-class probability, M equal-width
 * bins over [0, 1] (a confidence on an edge goes to the lower bin, (l, u]), ECE = Σ_b n_b/N·|acc_b − conf_b|.
 */
export function calibration(
  probabilities: ReadonlyArray<ArrayLike<number>>,
  truth: ArrayLike<number>,
  bins = 10,
): { ece: number; bins: ReliabilityBin[] } {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  probabilities.forEach((p, i) => {
    let top = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[top]!) top = c;
    const conf = p[top]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    out[b]!.count++;
    out[b]!.confidence += conf;
    out[b]!.accuracy += top === truth[i] ? 1 : 0;
  });
  let ece = 0;
  for (const bin of out) {
    if (bin.count === 0) continue;
    bin.confidence /= bin.count;
    bin.accuracy /= bin.count;
    ece += (bin.count / probabilities.length) * Math.abs(bin.accuracy - bin.confidence);
  }
  return { ece, bins: out };
}

/** Macro ROC AUC: binary → of class 1; K classes → one-vs-rest mean over classes present; multi-label → mean over labels. */
export function macroAuc(
  probabilities: ReadonlyArray<ArrayLike<number>>,
  truth: ReadonlyArray<readonly number[]>,
  multiLabel: boolean,
  indices?: ArrayLike<number>,
): number | null {
  const rows = indices ? Array.from(indices, (i) => i) : probabilities.map((_, i) => i);
  const k = probabilities[0]?.length ?? 0;
  const aucOf = (c: number) =>
    rocAuc(
      rows.map((i) => probabilities[i]![c]!),
      rows.map((i) => (multiLabel ? truth[i]![c]! : truth[i]![0] === c ? 1 : 0)),
    );
  if (!multiLabel && k === 2) return aucOf(1);
  let sum = 0,
    count = 0;
  for (let c = 0; c < k; c++) {
    const a = aucOf(c);
    if (a !== null) {
      sum += a;
      count++;
    }
  }
  return count ? sum / count : null;
}

export interface ClassificationReport {
  cases: number;
  classes: string[];
  multiLabel: boolean;
  accuracy: number;
  accuracyCi: [number, number];
  balancedAccuracy: number;
  auc: number | null;
  aucCi: [number, number];
  perClass: Array<ClassScores & { name: string; auc: number | null }>;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  /** Multi-class only: rows = truth, columns = prediction. */
  confusionMatrix: number[][] | null;
  kappa: number | null;
  quadraticKappa: number | null;
  ece: number | null;
  reliability: ReliabilityBin[] | null;
  /** Binary only. */
  roc: RocCurve | null;
  youden: { threshold: number; j: number; tpr: number; fpr: number } | null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Every metric of predictions against the truth. Multi-class: `truth[i] = [class]`, the prediction is
 * the arg-max; multi-label: `truth[i]` is a 0/1 vector, a label is predicted when its probability ≥ 0.5.
 */
export function classificationReport(
  probabilities: ReadonlyArray<ArrayLike<number>>,
  truth: ReadonlyArray<readonly number[]>,
  options: { classes: string[]; multiLabel?: boolean; bootstrap?: BootstrapOptions },
): ClassificationReport {
  const multiLabel = !!options.multiLabel;
  const k = options.classes.length;
  const n = probabilities.length;
  const argmax = (p: ArrayLike<number>) => {
    let top = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[top]!) top = c;
    return top;
  };
  const perLabel = (c: number) =>
    perClassScores(
      confusionMatrix(
        truth.map((t) => t[c]!),
        probabilities.map((p) => (p[c]! >= 0.5 ? 1 : 0)),
        2,
      ),
    )[1]!;
  const labels = multiLabel ? [] : truth.map((t) => t[0]!);
  const predicted = multiLabel ? [] : probabilities.map(argmax);
  const m = multiLabel ? null : confusionMatrix(labels, predicted, k);
  const scores = m ? perClassScores(m) : options.classes.map((_, c) => perLabel(c));
  const correct = (i: number) =>
    multiLabel ? truth[i]!.every((t, c) => t === (probabilities[i]![c]! >= 0.5 ? 1 : 0)) : labels[i] === predicted[i];
  const acc = m ? accuracy(m) : mean(truth.map((_, i) => (correct(i) ? 1 : 0)));
  const bootstrap = options.bootstrap ?? {};
  const aucOfClass = (c: number) =>
    rocAuc(
      probabilities.map((p) => p[c]!),
      truth.map((t) => (multiLabel ? t[c]! : t[0] === c ? 1 : 0)),
    );
  const binary = !multiLabel && k === 2;
  const roc = binary
    ? rocCurve(
        probabilities.map((p) => p[1]!),
        labels,
      )
    : null;
  const cal = multiLabel ? null : calibration(probabilities, labels);
  return {
    cases: n,
    classes: options.classes,
    multiLabel,
    accuracy: acc,
    accuracyCi: bootstrapCi(n, (idx) => mean(Array.from(idx, (i) => (correct(i) ? 1 : 0))), bootstrap),
    balancedAccuracy: m ? balancedAccuracy(m) : mean(scores.map((s) => s.recall)),
    auc: macroAuc(probabilities, truth, multiLabel),
    aucCi: bootstrapCi(n, (idx) => macroAuc(probabilities, truth, multiLabel, idx), bootstrap),
    perClass: scores.map((s, c) => ({ name: options.classes[c]!, ...s, auc: aucOfClass(c) })),
    macroPrecision: mean(scores.map((s) => s.precision)),
    macroRecall: mean(scores.map((s) => s.recall)),
    macroF1: mean(scores.map((s) => s.f1)),
    confusionMatrix: m,
    kappa: m ? cohenKappa(m) : null,
    quadraticKappa: m ? cohenKappa(m, 'quadratic') : null,
    ece: cal?.ece ?? null,
    reliability: cal?.bins ?? null,
    roc,
    youden: roc ? youdenThreshold(roc) : null,
  };
}
