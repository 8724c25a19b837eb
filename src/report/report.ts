/**
 * `vesalius report`: one self-contained HTML file from a run, a cross-validation, or several of them
 * (methods compared on the same folds): configuration and plan, loss curves, metric tables per fold and
 * overall, the paired statistical comparison with the first method as reference, per-case box plots,
 * ROC curves where probabilities exist, overlays of the best, median and worst cases (by the
 * reference's Dice) for every method, and the environment with the time taken.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelsOf } from '../data/fingerprint.js';
import { openDataset, type DatasetSpec } from '../data/layout/open.js';
import { readImage } from '../io/read.js';
import { LABEL_MAP } from '../io/read-options.js';
import { compareTables } from '../stats/compare-tables.js';
import { parsePerCaseTable, type PerCaseTable } from '../stats/per-case-table.js';
import { cvPaths } from '../train/cv/cross-validate.js';
import { groundTruth } from '../train/cv/fold-evaluation.js';
import { rocCurve } from '../train/cv/roc.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { collectMethods, type MethodResult } from './collect.js';
import { escapeHtml, inlineSvg, page, pngImage, section } from './html.js';
import { overlayPng } from './overlay.js';
import { metricBoxPlot, rocPlot, type MetricPoint, type RocSeries } from './plots.js';
import {
  comparisonSection,
  configurationSection,
  curvesSection,
  environmentSection,
  metricsSection,
} from './sections.js';

export interface ReportOptions {
  /** Cases shown as overlays (default: best, median and worst by the reference method's mean Dice). */
  cases?: string[];
  /** Metrics compared and plotted (default dice, iou). */
  metrics?: string[];
  title?: string;
  /** Receives each human progress line. */
  onStage?: (line: string) => void;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

/** Mean Dice over classes per case, from a per-case table. */
function caseDice(t: PerCaseTable): Map<string, number> {
  const sums = new Map<string, [number, number]>();
  for (const r of t.rows.values()) {
    const d = r.values.dice;
    if (d === null || d === undefined) continue;
    const s = sums.get(r.case) ?? [0, 0];
    sums.set(r.case, [s[0] + d, s[1] + 1]);
  }
  return new Map([...sums].map(([c, [s, n]]) => [c, s / n]));
}

/** Best, median and worst case by mean Dice. */
export function chooseCases(dice: Map<string, number>): Array<{ id: string; why: string }> {
  const order = [...dice].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (order.length === 0) return [];
  const picks = [
    { id: order[0]![0], why: 'best' },
    { id: order[Math.floor((order.length - 1) / 2)]![0], why: 'median' },
    { id: order[order.length - 1]![0], why: 'worst' },
  ];
  return picks.filter((p, i) => picks.findIndex((q) => q.id === p.id) === i);
}

function predictionFile(cvDir: string, id: string): string | undefined {
  const dir = cvPaths(cvDir).predictions;
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find(
    (f) => f.startsWith(`${id}.`) && /^(png|nii\.gz|nii|nrrd)$/.test(f.slice(id.length + 1)),
  );
  return name ? join(dir, name) : undefined;
}

async function overlaysSection(
  methods: MethodResult[],
  tables: Map<string, PerCaseTable>,
  options: ReportOptions,
  say: (l: string) => void,
): Promise<string> {
  const cvs = methods.filter((m) => m.kind === 'cv' && tables.has(m.name));
  if (cvs.length === 0) return '';
  const reference = tables.get(cvs[0]!.name)!;
  const dice = caseDice(reference);
  let picks: Array<{ id: string; why: string }>;
  if (options.cases?.length) {
    const unknown = options.cases.filter((c) => !dice.has(c));
    if (unknown.length) throw new OptionError('cases', `not in the cross-validation: ${unknown.join(', ')}`);
    picks = options.cases.map((id) => ({ id, why: 'chosen' }));
  } else picks = chooseCases(dice);
  const dataset = openDataset(cvs[0]!.config.dataset as DatasetSpec);
  const byId = new Map(dataset.cases.map((c) => [c.id, c]));
  const parts: string[] = [];
  for (const pick of picks) {
    const c = byId.get(pick.id);
    if (!c) continue;
    say(`report: overlays of case ${pick.id} (${pick.why})`);
    const image = await readImage(c.images[0]!);
    const { channels } = channelsOf(image);
    const truth = await groundTruth(dataset, c);
    parts.push(`<h3>case ${escapeHtml(pick.id)} (${escapeHtml(pick.why)} by ${escapeHtml(cvs[0]!.name)}'s Dice)</h3>`);
    for (const m of cvs) {
      const file = predictionFile(m.dir, pick.id);
      if (!file) continue;
      const pred = await readImage(file, LABEL_MAP);
      const rows = [...tables.get(m.name)!.rows.values()].filter((r) => r.case === pick.id);
      const metric = (k: string) =>
        rows.map((r) => `${rows.length > 1 ? `${r.class}: ` : ''}${(r.values[k] ?? Number.NaN).toFixed(3)}`).join(', ');
      const png = await overlayPng({
        channels: channels.length === 3 ? channels : [channels[0]!],
        truth: truth.label.data,
        prediction: pred.data,
        shape: [image.shape[0]!, image.shape[1] ?? 1, image.shape[2] ?? 1],
        spacing: image.spacing,
        caption: `${m.name} — case ${pick.id}: Dice ${metric('dice')}, Jaccard ${metric('iou')}`,
      });
      parts.push(pngImage(png, `${m.name} case ${pick.id}`));
    }
  }
  return section('Overlays', parts.join(''));
}

/** Builds the report of the given folders; returns the HTML. */
export async function buildReport(dirs: readonly string[], options: ReportOptions = {}): Promise<string> {
  const say = options.onStage ?? (() => {});
  if (dirs.length === 0) throw new VesaliusError('report: no folder given');
  const methods = collectMethods(dirs);
  const names = methods.map((m) => m.name);
  if (new Set(names).size !== names.length) methods.forEach((m, i) => (m.name = `${m.name} (${i + 1})`));
  const tables = new Map<string, PerCaseTable>();
  for (const m of methods)
    if (m.perCaseCsv) tables.set(m.name, parsePerCaseTable(m.perCaseCsv, join(m.dir, 'per_case.csv'), m.name));
  const metrics = options.metrics ?? ['dice', 'iou'];
  const sections: string[] = [configurationSection(methods)];
  say('report: loss curves');
  sections.push(await curvesSection(methods));
  sections.push(metricsSection(methods));
  const tableList = [...tables.values()];
  if (tableList.length >= 2) {
    say('report: paired comparison');
    sections.push(
      comparisonSection(
        compareTables(tableList, { metrics: metrics.filter((k) => tableList.every((t) => t.metrics.includes(k))) }),
      ),
    );
  }
  if (tableList.length > 0) {
    say('report: per-case plots');
    let plots = '';
    for (const metric of metrics) {
      const points: MetricPoint[] = tableList.flatMap((t) =>
        [...t.rows.values()]
          .filter((r) => r.values[metric] !== null && r.values[metric] !== undefined)
          .map((r) => ({ method: t.name, class: r.class || '—', case: r.case, value: r.values[metric]! })),
      );
      if (points.length) plots += inlineSvg(await metricBoxPlot(points, metric));
    }
    const roc: RocSeries[] = methods.flatMap((m) =>
      (m.roc ?? [])
        .map((h) => ({ method: m.name, class: String(h.label), ...rocCurve(h) }))
        .filter((s) => s.fpr.length > 2),
    );
    if (roc.length) plots += inlineSvg(await rocPlot(roc));
    sections.push(section('Per-case results', plots));
  }
  sections.push(await overlaysSection(methods, tables, options, say));
  sections.push(environmentSection(methods, version()));
  const title = options.title ?? `Vesalius report: ${methods.map((m) => m.name).join(', ')}`;
  return page(title, `Made ${new Date().toISOString()} from ${dirs.join(', ')}`, sections.filter(Boolean));
}
