/**
 * `vesalius compare A B [C ...]`: paired statistics between per-case tables (evaluate's or cv's
 * per_case.csv, or the folders holding them); the logic is src/stats/compare-tables.ts.
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compareTables } from '../stats/compare-tables.js';
import { comparisonCsv, comparisonText } from '../stats/comparison-output.js';
import { readPerCaseTable } from '../stats/per-case-table.js';
import { writeFileAtomic } from '../util/atomic.js';
import { OptionError, VesaliusError } from '../util/errors.js';

interface CompareFlags {
  names?: string;
  metrics?: string;
  allPairs?: boolean;
  alpha: string;
  out?: string;
  json?: boolean;
  seed: string;
  resamples: string;
  wilcoxon: string;
}

/** A per_case.csv path, or a folder that holds one (directly, or under evaluation/). */
export function tablePath(path: string): string {
  if (!existsSync(path)) throw new VesaliusError(`${path}: no such table or folder`);
  if (statSync(path).isFile()) return path;
  for (const candidate of [join(path, 'per_case.csv'), join(path, 'evaluation', 'per_case.csv')])
    if (existsSync(candidate)) return candidate;
  throw new VesaliusError(
    `${path}: no per_case.csv in this folder (or its evaluation/); has the CV or evaluation finished?`,
  );
}

/** A method's name from its table's place: runs/cv/drive/unet/per_case.csv → unet. */
export function tableName(path: string): string {
  const file = resolve(path);
  const dir = dirname(file);
  const name = basename(file) === 'per_case.csv' ? basename(dir) : basename(file).replace(/\.csv$/i, '');
  return name === 'evaluation' ? basename(dirname(dir)) : name;
}

export async function runCompare(inputs: string[], flags: CompareFlags): Promise<void> {
  const paths = inputs.map(tablePath);
  const names = flags.names ? flags.names.split(',').map((s) => s.trim()) : paths.map(tableName);
  if (names.length !== paths.length)
    throw new OptionError('--names', `gives ${names.length} name(s) for ${paths.length} table(s)`);
  const alpha = Number(flags.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new OptionError('--alpha', `must be in (0, 1), got "${flags.alpha}"`);
  const seed = Number(flags.seed),
    resamples = Number(flags.resamples);
  if (!Number.isInteger(seed)) throw new OptionError('--seed', `expected an integer, got "${flags.seed}"`);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new OptionError('--resamples', `expected a positive integer, got "${flags.resamples}"`);
  if (!['auto', 'exact', 'approx'].includes(flags.wilcoxon))
    throw new OptionError('--wilcoxon', `must be auto, exact or approx, got "${flags.wilcoxon}"`);
  const tables = paths.map((p, i) => readPerCaseTable(p, names[i]!));
  const comparison = compareTables(tables, {
    metrics: flags.metrics?.split(',').map((s) => s.trim()),
    pairs: flags.allPairs ? 'all' : 'reference',
    alpha,
    bootstrap: { seed, resamples },
    wilcoxonMode: flags.wilcoxon as 'auto' | 'exact' | 'approx',
  });
  const out = flags.out ?? join(dirname(paths[0]!), 'compare');
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  writeFileAtomic(join(out, 'compare.csv'), comparisonCsv(comparison));
  if (flags.json) process.stdout.write(`${JSON.stringify(comparison)}\n`);
  else process.stdout.write(comparisonText(comparison));
  process.stderr.write(`compare: wrote ${join(out, 'compare.json')} and compare.csv\n`);
}

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'paired statistics between per-case tables matched by case (and class): paired t and Wilcoxon tests (as scipy), mean difference with t and bootstrap 95% CIs, Cohen’s d_z, Holm correction',
    )
    .argument(
      '<tables...>',
      'per_case.csv files of evaluate or cv, or the folders holding them; the first is the reference',
    )
    .option('--names <list>', 'method names, comma-separated (default: each table’s folder name)')
    .option('--metrics <list>', 'metric columns compared (default: dice,iou)')
    .option('--all-pairs', 'compare every pair of tables, not only the first against each other')
    .option('--alpha <a>', 'significance level after Holm’s correction', '0.05')
    .option('--wilcoxon <mode>', 'auto (scipy’s rule) | exact | approx', 'auto')
    .option('--out <dir>', 'where compare.json and compare.csv go (default: <first table’s folder>/compare)')
    .option('--seed <n>', 'seed of the bootstrap confidence intervals', '0')
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--json', 'print the comparison as JSON on stdout instead of the table')
    .action(runCompare);
}
