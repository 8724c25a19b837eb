/** The report's sections, each from the collected method results. */
import type { Comparison } from '../stats/compare-tables.js';
import { comparisonCells } from '../stats/comparison-output.js';
import type { MethodResult } from './collect.js';
import { details, escapeHtml, inlineSvg, section, table } from './html.js';
import { lossCurves, type CurvePoint } from './plots.js';

const SHOWN = ['dice', 'iou', 'hd95', 'assd', 'nsd', 'auc'] as const;
const pm = (m: number, s: number, digits = 4) => `${m.toFixed(digits)} ± ${s.toFixed(digits === 4 ? 3 : 2)}`;

export function configurationSection(methods: readonly MethodResult[]): string {
  const body = methods
    .map((m) => {
      const method = (m.config.method as { name?: string } | undefined)?.name ?? 'network';
      const done = m.summary?.foldsDone?.length ?? m.state?.folds;
      const partial =
        m.state && done !== undefined && done < m.state.folds
          ? ` — UNFINISHED: ${done} of ${m.state.folds} folds done; its tables and tests hold those folds' cases only`
          : '';
      const cv = m.state
        ? `, ${m.state.folds}-fold cross-validation reporting the ${m.state.checkpoint === 'inner' ? 'best checkpoint on an inner validation split' : 'final checkpoint'} of each fold`
        : '';
      return `<h3>${escapeHtml(m.name)}</h3><p class="note">${escapeHtml(`${method}${cv}${partial}; folder ${m.dir}`)}</p>${details('configuration', JSON.stringify(m.config, null, 2))}${m.plan ? details('plan', JSON.stringify(m.plan, null, 2)) : ''}`;
    })
    .join('');
  return section('Configuration and plan', body);
}

export async function curvesSection(methods: readonly MethodResult[]): Promise<string> {
  const parts: string[] = [];
  for (const m of methods) {
    const points: CurvePoint[] = m.logs.flatMap((log) =>
      log.entries
        .filter((e) => typeof e.epoch === 'number' && Number.isFinite(e.train_loss as number))
        .map((e) => ({
          series: log.fold,
          epoch: e.epoch as number,
          trainLoss: e.train_loss as number,
          valLoss: e.val_loss as number | undefined,
          valDice: e.val_mean_dice as number | undefined,
        })),
    );
    if (points.length === 0) continue;
    parts.push(
      `<h3>${escapeHtml(m.name)}</h3>${inlineSvg(await lossCurves(points, `${m.name}: loss and validation Dice per epoch`))}`,
    );
  }
  if (parts.length === 0) return '';
  const note =
    '<p class="note">Training loss (solid) is the mean over the epoch’s steps; validation loss (dashed) and Dice are computed on whole validation images. In a cross-validation reporting final checkpoints the validation cases are the held-out fold, shown for the curves only: no checkpoint is chosen on them.</p>';
  return section('Loss curves', note + parts.join(''));
}

export function metricsSection(methods: readonly MethodResult[]): string {
  const cvs = methods.filter((m) => m.summary);
  if (cvs.length === 0) return '';
  let body =
    '<p class="note">Mean ± sample standard deviation over the out-of-fold cases (every case predicted by the fold that held it out), and over the fold means. Empty-mask policy as in <code>evaluate</code>.</p>';
  const head = ['method', 'class', 'cases', ...SHOWN.map((m) => `${m} (cases)`), 'Dice (folds)', 'IoU (folds)'];
  const rows: string[][] = [];
  for (const m of cvs) {
    for (const [cls, agg] of Object.entries(m.summary!.classes)) {
      const folds = m.summary!.overFolds[cls]!;
      rows.push([
        m.name,
        cls,
        String(agg.cases),
        ...SHOWN.map((k) =>
          agg.metrics[k] ? pm(agg.metrics[k]!.mean, agg.metrics[k]!.std, k === 'hd95' || k === 'assd' ? 2 : 4) : '—',
        ),
        folds.dice ? pm(folds.dice.mean, folds.dice.std) : '—',
        folds.iou ? pm(folds.iou.mean, folds.iou.std) : '—',
      ]);
    }
  }
  body += table(head, rows);
  for (const m of cvs) {
    const foldRows = m.summary!.perFold.flatMap((f) =>
      Object.entries(f.classes).map(([cls, agg]) => [
        `fold ${f.fold}`,
        cls,
        String(f.cases.length),
        ...(['dice', 'iou', 'hd95'] as const).map((k) =>
          agg.metrics[k] ? pm(agg.metrics[k]!.mean, agg.metrics[k]!.std, k === 'hd95' ? 2 : 4) : '—',
        ),
      ]),
    );
    body += `<h3>${escapeHtml(m.name)} per fold</h3>${table(['fold', 'class', 'cases', 'dice', 'iou', 'hd95'], foldRows)}`;
  }
  return section('Metrics', body);
}

export function comparisonSection(c: Comparison): string {
  const { head, rows } = comparisonCells(c);
  const missing = c.missing
    .flatMap((m) => [
      ...(m.onlyInA.length ? [`only in ${m.a}: ${m.onlyInA.join(', ')}`] : []),
      ...(m.onlyInB.length ? [`only in ${m.b}: ${m.onlyInB.join(', ')}`] : []),
    ])
    .map((l) => `<p class="note">${escapeHtml(l)} — left out of that comparison.</p>`)
    .join('');
  const note = `<p class="note">Paired over the cases both methods predicted (matched by case and class): paired t test (scipy.stats.ttest_rel), Wilcoxon signed-rank test (scipy.stats.wilcoxon), Cohen’s d_z = mean difference / SD of the differences; Holm’s correction over the ${c.holmFamily} comparisons of each test; ≈ marks Wilcoxon’s normal approximation (zero differences or more than 50 pairs).</p>`;
  return section('Statistical comparison', note + table(head, rows) + missing);
}

export function environmentSection(methods: readonly MethodResult[], version: string): string {
  const rows: string[][] = [];
  for (const m of methods) {
    const s = m.state;
    const env = (s?.environment ?? {}) as Record<string, unknown>;
    const threads = (m.config.threads as number | null | undefined) ?? 'auto';
    const train = s ? s.foldStatus.reduce((a, f) => a + (f.trainSeconds ?? 0), 0) : 0;
    const predict = s ? s.foldStatus.reduce((a, f) => a + (f.predictSeconds ?? 0), 0) : 0;
    rows.push([
      m.name,
      String(env.cpu ?? '—'),
      String(env.cores ?? '—'),
      String(threads),
      String(env.node ?? process.version),
      s ? `${(s.wallSeconds / 60).toFixed(1)} min` : '—',
      s ? `${(s.cpuSeconds / 60).toFixed(1)} min` : '—',
      s ? `${(train / 60).toFixed(1)} / ${(predict / 60).toFixed(1)} min` : '—',
      s?.started ?? '—',
    ]);
  }
  return section(
    'Environment',
    `<p class="note">Vesalius ${escapeHtml(version)}; report made with Node ${escapeHtml(process.version)} on ${escapeHtml(`${process.platform} ${process.arch}`)}. CPU time is the process’s user + system time over all its threads; on a shared machine wall time depends on the other load.</p>${table(['method', 'CPU', 'cores', 'threads', 'Node', 'wall time', 'CPU time', 'training / prediction', 'started'], rows)}`,
  );
}
