// Clinical classification metrics: hand-computed values, then scikit-learn run live on random inputs
// (roc_curve, roc_auc_score binary and one-vs-rest macro, precision/recall/F1 with zero_division=0,
// balanced accuracy, confusion matrix, Cohen's kappa plain and quadratic, multi-label macro AUC).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { calibration, classificationReport, rocCurve, youdenThreshold } from '../../src/metrics/classification.js';
import { bootstrapCi } from '../../src/stats/bootstrap.js';
import { Random } from '../../src/util/random.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';

const close = (a: number, b: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('binary example by hand: ROC points, Youden threshold, per-class scores, ECE', () => {
  // scores of 6 cases, truth 1,1,0,1,0,0
  const p1 = [0.9, 0.8, 0.7, 0.6, 0.4, 0.2];
  const truth = [1, 1, 0, 1, 0, 0];
  const roc = rocCurve(p1, truth);
  assert.deepEqual(roc.thresholds, [Infinity, 0.9, 0.8, 0.7, 0.6, 0.4, 0.2]);
  assert.deepEqual(roc.tpr, [0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1]);
  assert.deepEqual(roc.fpr, [0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
  // J = tpr − fpr: 0, 1/3, 2/3, 1/3, 2/3, 1/3, 0 → first maximum at threshold 0.8
  assert.equal(youdenThreshold(roc).threshold, 0.8);
  const probs = p1.map((p) => [1 - p, p]);
  const r = classificationReport(
    probs,
    truth.map((t) => [t]),
    { classes: ['no', 'yes'], bootstrap: { resamples: 200 } },
  );
  // predictions at 0.5: 1,1,1,1,0,0 → TP 3, FP 1, FN 0, TN 2
  assert.deepEqual(r.confusionMatrix, [
    [2, 1],
    [0, 3],
  ]);
  close(r.accuracy, 5 / 6);
  close(r.perClass[1]!.precision, 3 / 4);
  close(r.perClass[1]!.recall, 1);
  close(r.perClass[1]!.specificity, 2 / 3);
  close(r.perClass[1]!.f1, 6 / 7);
  close(r.perClass[0]!.f1, 4 / 5);
  close(r.macroF1, (6 / 7 + 4 / 5) / 2);
  // AUC: of 9 positive/negative pairs only (0.6 vs 0.7) is mis-ordered → 8/9
  close(r.auc!, 8 / 9);
  // ECE, 10 bins: confidences 0.9 (right), 0.8 (right), 0.7 (wrong), 0.6 (right), 0.6 (right), 0.8 (right)
  //  bin (0.5,0.6]: 2 cases conf 0.6 acc 1; (0.6,0.7]: conf 0.7 acc 0; (0.7,0.8]: 2 cases conf 0.8 acc 1; (0.8,0.9]: conf 0.9 acc 1
  const ece = (2 * 0.4 + 0.7 + 2 * 0.2 + 0.1) / 6;
  close(calibration(probs, truth).ece, ece, 1e-12, 'ECE');
  close(r.ece!, ece, 1e-12);
  assert.ok(r.aucCi[0] <= r.auc! && r.auc! <= r.aucCi[1]);
});

test('bootstrap CI of a statistic: percentile interval, resamples without a value skipped', () => {
  const ci = bootstrapCi(50, (idx) => idx.reduce((s, i) => s + (i < 25 ? 1 : 0), 0) / idx.length, { seed: 3 });
  assert.ok(ci[0] < 0.5 && ci[1] > 0.5 && ci[1] - ci[0] < 0.35, `${ci}`);
  assert.deepEqual(
    bootstrapCi(5, () => null),
    [NaN, NaN],
  );
});

function sklearn(script: string, input: unknown): Record<string, unknown> {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const SCRIPT = `
import json, sys, numpy as np
from sklearn import metrics as m
d = json.load(sys.stdin)
out = {}
p = np.array(d['binary_p']); t = np.array(d['binary_t'])
fpr, tpr, thr = m.roc_curve(t, p[:, 1], drop_intermediate=False)
out['fpr'] = fpr.tolist(); out['tpr'] = tpr.tolist(); out['thr'] = thr[1:].tolist()
out['auc'] = m.roc_auc_score(t, p[:, 1])
pred = p.argmax(1)
P, R, F, S = m.precision_recall_fscore_support(t, pred, zero_division=0)
out['precision'] = P.tolist(); out['recall'] = R.tolist(); out['f1'] = F.tolist()
out['bacc'] = m.balanced_accuracy_score(t, pred)
q = np.array(d['multi_p']); u = np.array(d['multi_t'])
out['multi_auc'] = m.roc_auc_score(u, q, multi_class='ovr', average='macro')
qp = q.argmax(1)
out['multi_cm'] = m.confusion_matrix(u, qp, labels=list(range(q.shape[1]))).tolist()
P, R, F, S = m.precision_recall_fscore_support(u, qp, labels=list(range(q.shape[1])), zero_division=0)
out['multi_f1'] = F.tolist(); out['multi_precision'] = P.tolist(); out['multi_recall'] = R.tolist()
out['kappa'] = m.cohen_kappa_score(u, qp)
out['qwk'] = m.cohen_kappa_score(u, qp, weights='quadratic')
out['multi_bacc'] = m.balanced_accuracy_score(u, qp)
ml_p = np.array(d['ml_p']); ml_t = np.array(d['ml_t'])
out['ml_auc'] = m.roc_auc_score(ml_t, ml_p, average='macro')
out['ml_f1'] = m.f1_score(ml_t, (ml_p >= 0.5).astype(int), average=None, zero_division=0).tolist()
print(json.dumps(out))
`;

referenceTest(
  'equal to scikit-learn on random binary, 4-class and multi-label predictions',
  hasPythonModules('sklearn', 'numpy'),
  'python3-sklearn',
  () => {
    const rng = new Random(11);
    const softmax = (z: number[]) => {
      const e = z.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    // scores quantised to 0.05 so ties occur (the tie rules must agree too)
    const binaryT = Array.from({ length: 300 }, () => (rng.next() < 0.35 ? 1 : 0));
    const binaryP = binaryT.map((t) => {
      const p = Math.round(Math.min(0.99, Math.max(0.01, 0.5 + (t ? 0.2 : -0.2) + 0.3 * rng.normal())) * 20) / 20;
      return [1 - p, p];
    });
    const multiT = Array.from({ length: 400 }, () => rng.int(4));
    const multiP = multiT.map((t) => softmax([0, 1, 2, 3].map((c) => (c === t ? 1.2 : 0) + rng.normal())));
    const mlT = Array.from({ length: 200 }, () => [0, 1, 2].map(() => (rng.next() < 0.4 ? 1 : 0)));
    const mlP = mlT.map((row) => row.map((t) => 1 / (1 + Math.exp(-((t ? 1 : -1) + 1.5 * rng.normal())))));
    const ref = sklearn(SCRIPT, {
      binary_p: binaryP,
      binary_t: binaryT,
      multi_p: multiP,
      multi_t: multiT,
      ml_p: mlP,
      ml_t: mlT,
    });

    const roc = rocCurve(
      binaryP.map((p) => p[1]!),
      binaryT,
    );
    assert.deepEqual(roc.thresholds.slice(1), ref.thr);
    (ref.fpr as number[]).forEach((v, i) => close(roc.fpr[i]!, v, 1e-12, `fpr ${i}`));
    (ref.tpr as number[]).forEach((v, i) => close(roc.tpr[i]!, v, 1e-12, `tpr ${i}`));
    const b = classificationReport(
      binaryP,
      binaryT.map((t) => [t]),
      { classes: ['0', '1'], bootstrap: { resamples: 50 } },
    );
    close(b.auc!, ref.auc as number, 1e-12, 'binary AUC');
    close(b.balancedAccuracy, ref.bacc as number, 1e-12, 'balanced accuracy');
    b.perClass.forEach((c, i) => {
      close(c.precision, (ref.precision as number[])[i]!, 1e-12, `precision ${i}`);
      close(c.recall, (ref.recall as number[])[i]!, 1e-12, `recall ${i}`);
      close(c.f1, (ref.f1 as number[])[i]!, 1e-12, `F1 ${i}`);
    });

    const m = classificationReport(
      multiP,
      multiT.map((t) => [t]),
      { classes: ['a', 'b', 'c', 'd'], bootstrap: { resamples: 50 } },
    );
    close(m.auc!, ref.multi_auc as number, 1e-12, 'one-vs-rest macro AUC');
    assert.deepEqual(m.confusionMatrix, ref.multi_cm);
    close(m.kappa!, ref.kappa as number, 1e-12, 'kappa');
    close(m.quadraticKappa!, ref.qwk as number, 1e-12, 'quadratic kappa');
    close(m.balancedAccuracy, ref.multi_bacc as number, 1e-12, 'balanced accuracy (4 classes)');
    m.perClass.forEach((c, i) => close(c.f1, (ref.multi_f1 as number[])[i]!, 1e-12, `F1 ${i}`));

    const ml = classificationReport(mlP, mlT, {
      classes: ['x', 'y', 'z'],
      multiLabel: true,
      bootstrap: { resamples: 50 },
    });
    close(ml.auc!, ref.ml_auc as number, 1e-12, 'multi-label macro AUC');
    ml.perClass.forEach((c, i) => close(c.f1, (ref.ml_f1 as number[])[i]!, 1e-12, `label F1 ${i}`));
  },
);
