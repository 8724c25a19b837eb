/** `vesalius report RUN_OR_CV_DIR [more ...] [-o report.html]`: the self-contained HTML report; the logic is src/report. */
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport } from '../report/report.js';
import { writeFileAtomic } from '../util/atomic.js';
import { withFlagNames } from './flags.js';

interface ReportFlags {
  output?: string;
  cases?: string;
  metrics?: string;
  title?: string;
}

export async function runReport(dirs: string[], flags: ReportFlags): Promise<void> {
  const html = await withFlagNames({ cases: '--cases' }, () =>
    buildReport(dirs, {
      cases: flags.cases?.split(',').map((s) => s.trim()),
      metrics: flags.metrics?.split(',').map((s) => s.trim()),
      title: flags.title,
      onStage: (line) => process.stderr.write(`${line}\n`),
    }),
  );
  const first = dirs[0]!;
  const out = flags.output ?? join(statSync(first).isDirectory() ? first : '.', 'report.html');
  writeFileAtomic(out, html);
  process.stderr.write(`report: wrote ${out} (${(html.length / 1024).toFixed(0)} KiB, self-contained)\n`);
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'self-contained HTML report of a run, a cross-validation, or several (a folder of CV folders compares the methods): config, plan, loss curves, metric tables, paired tests, box plots, ROC, overlays, environment',
    )
    .argument(
      '<dirs...>',
      'run folder(s), cross-validation folder(s), or a folder holding several; the first method is the reference',
    )
    .option('-o, --output <file>', 'the HTML file (default: <first folder>/report.html)')
    .option('--cases <ids>', 'cases shown as overlays, comma-separated (default: best, median and worst by Dice)')
    .option('--metrics <list>', 'metrics compared and plotted (default: dice,iou)')
    .option('--title <text>', 'the report title')
    .action(runReport);
}
