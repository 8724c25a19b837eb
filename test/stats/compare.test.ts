import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareTables } from '../../src/stats/compare-tables.js';
import { comparisonCsv, comparisonText } from '../../src/stats/comparison-output.js';
import { holm } from '../../src/stats/holm.js';
import { comparePaired } from '../../src/stats/paired-comparison.js';
import { parsePerCaseTable } from '../../src/stats/per-case-table.js';
import { signedRankDistribution, wilcoxon } from '../../src/stats/wilcoxon.js';
import { Random } from '../../src/util/random.js';
import { close } from '../metrics/helpers.js';
import { runCli } from '../helpers/cli.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

/** Equal to 4 significant digits (the issue's bar); the implementations agree far closer. */
const sig4 = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 5e-5 * Math.abs(expected) + 1e-15,
    `${what}: ${actual} vs scipy ${expected}`,
  );

// Values printed by Debian's scipy 1.10.1: stats.ttest_rel(x, y), stats.wilcoxon(x, y[, alternative]),
// d.mean()/d.std(ddof=1), stats.t.interval(0.95, n-1, loc=d.mean(), scale=stats.sem(d)).
const cases = {
  // no ties, no zeros, n = 8: exact distribution
  noTies: {
    x: [10, 12, 15, 20, 22, 25, 31, 40],
    y: [9, 14, 12, 16, 17, 31, 24, 32],
    t: 1.507556722888818,
    pT: 0.175399548242805,
    w: 8,
    pW: 0.1953125,
    wGreater: 28,
    pGreater: 0.09765625,
    pLess: 0.92578125,
    dz: 0.5330017908890261,
    ci: [-1.421285705388164, 6.421285705388164],
  },
  // tied |differences| without zeros, n = 10: scipy 1.10 keeps the exact distribution (T+ truncated)
  ties: {
    x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    y: [2, 1, 5, 2, 7, 4, 9, 6, 8, 12],
    t: -0.1706640371965723,
    pT: 0.8682630388542248,
    w: 25,
    pW: 0.845703125,
    wGreater: 25,
    pGreater: 0.615234375,
    pLess: 0.4228515625,
    dz: -0.05396870722208659,
    ci: [-1.4255031346383888, 1.2255031346383887],
  },
  // a zero difference (and ties): zeros dropped, normal approximation with tie correction
  zeros: {
    x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    y: [1, 3, 2, 2, 4, 4, 9, 5, 5, 12, 8, 8],
    t: 2.025951038880333,
    pT: 0.06772045826220048,
    w: 13,
    pW: 0.07306205447897775,
    wGreater: 53,
    pGreater: 0.036531027239488874,
    pLess: 0.9634689727605111,
    dz: 0.584841688831281,
    ci: [-0.10799503408739297, 2.607995034087393],
  },
};

test('paired t, Wilcoxon (exact, exact with ties, approximation with zeros), d_z and t CI equal scipy 1.10', () => {
  for (const [name, c] of Object.entries(cases)) {
    const r = comparePaired(c.x, c.y);
    sig4(r.t, c.t, `${name} t`);
    sig4(r.pT, c.pT, `${name} p t`);
    sig4(r.wilcoxonStatistic, c.w, `${name} W`);
    sig4(r.pWilcoxon, c.pW, `${name} p Wilcoxon`);
    sig4(r.dz, c.dz, `${name} d_z`);
    sig4(r.ciT[0], c.ci[0]!, `${name} CI low`);
    sig4(r.ciT[1], c.ci[1]!, `${name} CI high`);
    const g = wilcoxon(c.x, c.y, { alternative: 'greater' });
    sig4(g.statistic, c.wGreater, `${name} T+`);
    sig4(g.pValue, c.pGreater, `${name} p greater`);
    sig4(wilcoxon(c.x, c.y, { alternative: 'less' }).pValue, c.pLess, `${name} p less`);
  }
  assert.equal(comparePaired(cases.zeros.x, cases.zeros.y).wilcoxonMode, 'approx');
  assert.equal(comparePaired(cases.ties.x, cases.ties.y).wilcoxonMode, 'exact');
  // the exact null distribution sums to one and is symmetric
  const pmf = signedRankDistribution(10);
  close(
    pmf.reduce((a, b) => a + b, 0),
    1,
    1e-12,
  );
  close(pmf[3]!, pmf[55 - 3]!, 1e-15);
});

test('more than 50 pairs with ties: the tie-corrected normal approximation (scipy: W 579.5, p 0.03257779334816677)', () => {
  const rng = new Random(11);
  // values on a 0.001 grid so that |differences| tie, as Dice values rounded in a table do
  const a = Array.from({ length: 60 }, () => Math.round(rng.uniform(600, 900)) / 1000);
  const b = a.map((v) => Math.round((v - 0.01 + 0.03 * rng.normal()) * 1000) / 1000);
  const r = wilcoxon(a, b);
  assert.equal(r.mode, 'approx');
  assert.ok(r.ties);
  // the fixed case printed by scipy
  const x = [
    0.788, 0.869, 0.833, 0.668, 0.69, 0.862, 0.602, 0.846, 0.839, 0.74, 0.691, 0.684, 0.676, 0.734, 0.751, 0.766, 0.899,
    0.838, 0.787, 0.897, 0.665, 0.648, 0.784, 0.613, 0.611, 0.754, 0.74, 0.875, 0.789, 0.754, 0.749, 0.674, 0.604,
    0.658, 0.808, 0.66, 0.711, 0.601, 0.849, 0.646, 0.68, 0.864, 0.753, 0.854, 0.792, 0.823, 0.627, 0.762, 0.752, 0.861,
    0.708, 0.779, 0.618, 0.716, 0.697, 0.645, 0.845, 0.714, 0.894, 0.777,
  ];
  const y = [
    0.798, 0.853, 0.837, 0.654, 0.716, 0.869, 0.598, 0.809, 0.795, 0.77, 0.705, 0.655, 0.726, 0.738, 0.744, 0.718,
    0.868, 0.838, 0.788, 0.895, 0.609, 0.651, 0.783, 0.592, 0.605, 0.75, 0.763, 0.865, 0.792, 0.709, 0.719, 0.665,
    0.574, 0.658, 0.766, 0.65, 0.683, 0.63, 0.829, 0.687, 0.731, 0.863, 0.77, 0.839, 0.715, 0.838, 0.636, 0.746, 0.727,
    0.856, 0.704, 0.748, 0.592, 0.737, 0.689, 0.634, 0.867, 0.696, 0.91, 0.738,
  ];
  const c = comparePaired(x, y);
  sig4(c.wilcoxonStatistic, 579.5, 'W');
  sig4(c.pWilcoxon, 0.03257779334816677, 'p Wilcoxon');
  sig4(c.t, 2.1494263400789357, 't');
  sig4(c.pT, 0.03571272598073633, 'p t');
  sig4(wilcoxon(x, y, { alternative: 'greater' }).pValue, 0.016288896674083383, 'p greater');
});

test("Holm's step-down correction (statsmodels multipletests 'holm')", () => {
  // statsmodels: multipletests([0.01, 0.04, 0.03, 0.005], method='holm')[1] = [0.03, 0.06, 0.06, 0.02]
  const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((e, i) => close(adjusted[i]!, e, 1e-12));
  assert.deepEqual(
    holm([0.5, Number.NaN]).map((p) => (Number.isNaN(p) ? 'nan' : p)),
    [0.5, 'nan'],
  );
  assert.deepEqual(holm([0.9, 0.8]), [1, 1]); // 0.8·2 caps at 1, and the step-down keeps it
});

const table = (rows: Array<[string, string, number | '']>, extra = '') =>
  `case,class,fold,dice${extra ? `,${extra}` : ''}\n${rows.map(([c, k, d]) => `${c},${k},0,${d}`).join('\n')}\n`;

test('tables are matched by case and class; cases in one table only, or without a value, are listed', () => {
  const A = parsePerCaseTable(
    table([
      ['a', '1', 0.9],
      ['b', '1', 0.8],
      ['c', '1', 0.85],
      ['d', '1', 0.7],
      ['e', '1', ''],
    ]),
    'A.csv',
    'A',
  );
  const B = parsePerCaseTable(
    table([
      ['b', '1', 0.7],
      ['a', '1', 0.85],
      ['c', '1', 0.8],
      ['x', '1', 0.5],
      ['e', '1', 0.6],
    ]),
    'B.csv',
    'B',
  );
  const c = compareTables([A, B]);
  assert.equal(c.rows.length, 1);
  const r = c.rows[0]!;
  assert.equal(r.n, 3); // a, b, c
  close(r.meanDifference, (0.05 + 0.1 + 0.05) / 3, 1e-12);
  assert.deepEqual(c.missing[0]!.onlyInA, ['d (1)']);
  assert.deepEqual(c.missing[0]!.onlyInB, ['x (1)']);
  assert.deepEqual(r.excluded.sort(), ['d (1)', 'e (1)', 'x (1)']);
  const text = comparisonText(c);
  assert.match(text, /only in A \(not in B.*d \(1\)/);
  assert.match(text, /no value for e \(1\)/);
  assert.match(comparisonCsv(c).split('\n')[0]!, /^a,b,class,metric,n,mean_a/);
});

test('a non-significant difference is reported as such; Holm runs over every comparison', () => {
  const rng = new Random(3);
  const rows = (shift: number) =>
    Array.from({ length: 12 }, (_, i) => [`c${i}`, 'x', 0.8 + 0.05 * rng.normal() + shift] as [string, string, number]);
  const A = parsePerCaseTable(table(rows(0)), 'A', 'A');
  const B = parsePerCaseTable(table(rows(0)), 'B', 'B');
  const C = parsePerCaseTable(table(rows(-0.2)), 'C', 'C');
  const c = compareTables([A, B, C], { pairs: 'all' });
  assert.equal(c.holmFamily, 3);
  const ab = c.rows.find((r) => r.a === 'A' && r.b === 'B')!;
  assert.equal(ab.significantT, false);
  assert.match(comparisonText(c), /A vs B .* not significant at 0\.05/);
  assert.ok(c.rows.find((r) => r.a === 'A' && r.b === 'C')!.significantT);
  // Holm-adjusted p-values are never below the raw ones
  for (const r of c.rows) assert.ok(r.pTHolm >= r.pT);
});

test('bad tables: no common case, no case column, too few pairs, duplicate rows — one clear error', () => {
  const A = parsePerCaseTable(
    table([
      ['a', '1', 0.9],
      ['b', '1', 0.8],
    ]),
    'A.csv',
    'A',
  );
  const B = parsePerCaseTable(
    table([
      ['c', '1', 0.9],
      ['d', '1', 0.8],
    ]),
    'B.csv',
    'B',
  );
  assert.throws(() => compareTables([A, B]), /A\.csv and B\.csv have no case \(and class\) in common/);
  assert.throws(() => parsePerCaseTable('id,dice\nx,1\n', 'T.csv', 'T'), /T\.csv: needs a "case" column/);
  assert.throws(
    () =>
      parsePerCaseTable(
        table([
          ['a', '1', 1],
          ['a', '1', 1],
        ]),
        'D.csv',
        'D',
      ),
    /case "a" class "1" appears twice/,
  );
  const C = parsePerCaseTable(
    table([
      ['a', '1', 0.5],
      ['z', '1', 0.8],
    ]),
    'C.csv',
    'C',
  );
  assert.throws(() => compareTables([A, C]), /1 paired case\(s\); a paired test needs at least 2/);
  assert.throws(() => compareTables([A]), /at least two tables/);
});

referenceTest(
  'vesalius compare on random per-case tables equals scipy ttest_rel and wilcoxon (live)',
  hasPythonModules('scipy', 'numpy'),
  'python3-scipy',
  () => {
    const dir = tempDir();
    const rng = new Random(2024);
    // 3 methods × 2 classes × 14 cases, with a case missing from one table and ties from rounding
    const methods = ['unet', 'rf', 'otsu'];
    for (const [m, method] of methods.entries()) {
      const lines = ['case,class,fold,dice,iou'];
      for (let i = 0; i < 14; i++)
        for (const k of ['1', '2']) {
          if (method === 'otsu' && i === 5) continue;
          const d = Math.round((0.85 - 0.1 * m + 0.06 * rng.normal()) * 100) / 100;
          lines.push(`case${i},${k},${i % 5},${d},${d / (2 - d)}`);
        }
      writeFileSync(join(dir, `${method}.csv`), `${lines.join('\n')}\n`);
    }
    const out = runCli(['compare', ...methods.map((m) => join(dir, `${m}.csv`)), '--json', '--out', join(dir, 'cmp')]);
    assert.equal(out.status, 0, out.stderr);
    const comparison = JSON.parse(out.stdout) as ReturnType<typeof compareTables>;
    assert.equal(comparison.rows.length, 2 * 2 * 2);
    assert.deepEqual(comparison.missing[1]!.onlyInA, ['case5 (1)', 'case5 (2)']);
    const script = `
import json, sys, numpy as np, warnings
from scipy import stats
warnings.simplefilter('ignore')
rows = json.load(sys.stdin)
out = []
for r in rows:
    x, y = np.array(r['x']), np.array(r['y'])
    t = stats.ttest_rel(x, y); w = stats.wilcoxon(x, y)
    out.append([float(t.statistic), float(t.pvalue), float(w.statistic), float(w.pvalue)])
print(json.dumps(out))`;
    const tables = Object.fromEntries(
      methods.map((m) => [m, parsePerCaseTable(readFileSync(join(dir, `${m}.csv`), 'utf8'), m, m)]),
    );
    const inputs = comparison.rows.map((r) => {
      const A = tables[r.a]!,
        B = tables[r.b]!;
      const keys = [...A.rows.keys()].filter((k) => B.rows.has(k) && A.rows.get(k)!.class === r.class).sort();
      return {
        x: keys.map((k) => A.rows.get(k)!.values[r.metric]),
        y: keys.map((k) => B.rows.get(k)!.values[r.metric]),
      };
    });
    const py = spawnSync(SYSTEM_PYTHON, ['-c', script], { input: JSON.stringify(inputs), encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const expected = JSON.parse(py.stdout) as number[][];
    comparison.rows.forEach((r, i) => {
      const [t, pT, w, pW] = expected[i]!;
      sig4(r.t, t!, `${r.a}/${r.b}/${r.class}/${r.metric} t`);
      sig4(r.pT, pT!, `${r.a}/${r.b} p t`);
      sig4(r.wilcoxonStatistic, w!, `${r.a}/${r.b} W`);
      sig4(r.pWilcoxon, pW!, `${r.a}/${r.b} p Wilcoxon`);
    });
  },
);
