/**
 * Classification metrics from a confusion matrix `m[true][predicted]` of C classes (labels 0..C−1).
 */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes?: number): number[][] {
  if (truth.length !== predicted.length)
    throw new RangeError('confusionMatrix: truth and predictions differ in length');
  let c = classes ?? 0;
  if (classes === undefined) for (let i = 0; i < truth.length; i++) c = Math.max(c, truth[i]! + 1, predicted[i]! + 1);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!,
      p = predicted[i]!;
    if (!Number.isInteger(t) || !Number.isInteger(p) || t < 0 || p < 0 || t >= c || p >= c) {
      throw new RangeError(`confusionMatrix: sample ${i} has class ${t} / ${p}, expected integers in 0..${c - 1}`);
    }
    m[t]![p]!++;
  }
  return m;
}

/** Fraction of samples on the diagonal. */
export function accuracy(m: number[][]): number {
  let correct = 0,
    total = 0;
  m.forEach((row, t) =>
    row.forEach((x, p) => {
      total += x;
      if (t === p) correct += x;
    }),
  );
  return total === 0 ? NaN : correct / total;
}

/** Mean over classes present in the truth of each class's recall (scikit-learn's balanced_accuracy_score). */
export function balancedAccuracy(m: number[][]): number {
  let sum = 0,
    present = 0;
  m.forEach((row, t) => {
    const n = row.reduce((a, b) => a + b, 0);
    if (n > 0) {
      sum += row[t]! / n;
      present++;
    }
  });
  return present === 0 ? NaN : sum / present;
}

/** Sensitivity (recall) and specificity of class `positive` against all others. NaN when undefined. */
export function sensitivitySpecificity(m: number[][], positive = 1): { sensitivity: number; specificity: number } {
  let tp = 0,
    fn = 0,
    fp = 0,
    tn = 0;
  m.forEach((row, t) =>
    row.forEach((x, p) => {
      if (t === positive) {
        if (p === positive) tp += x;
        else fn += x;
      } else if (p === positive) fp += x;
      else tn += x;
    }),
  );
  return { sensitivity: tp / (tp + fn), specificity: tn / (tn + fp) };
}
