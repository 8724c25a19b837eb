/**
 * What a report shows, read from the folders a run or a cross-validation leaves: config, plan, the
 * training logs, the per-case table, the summary, ROC histograms, the run state and its times. A
 * folder that holds several CV folders (one per method) is an experiment; so is a list of folders.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { cvPaths, type CvState } from '../train/cv/cross-validate.js';
import type { RocHistogram } from '../train/cv/roc.js';
import type { CvSummary } from '../train/cv/summary.js';
import { readLog, runPaths } from '../train/run-folder.js';
import { VesaliusError } from '../util/errors.js';
import { readJsonFile } from '../util/read-text.js';

export interface FoldLog {
  fold: string;
  entries: Array<Record<string, unknown>>;
}

export interface MethodResult {
  name: string;
  dir: string;
  kind: 'cv' | 'run';
  config: Record<string, unknown>;
  plan?: Record<string, unknown>;
  logs: FoldLog[];
  state?: CvState;
  summary?: CvSummary;
  perCaseCsv?: string;
  roc?: RocHistogram[];
}

const isCv = (dir: string) => existsSync(cvPaths(dir).state);
const isRun = (dir: string) => existsSync(runPaths(dir).config);

/** One method's results from a CV folder or a run folder. */
export function readMethod(dir: string, name = basename(resolve(dir))): MethodResult {
  if (isCv(dir)) {
    const p = cvPaths(dir);
    const state = readJsonFile<CvState>(p.state, 'cross-validation state');
    if (!existsSync(p.perCase))
      throw new VesaliusError(
        `${dir}: no fold of the cross-validation has finished yet (continue it with vesalius cv --resume)`,
      );
    // an unfinished CV shows its finished folds (the report says so)
    const logs = state.foldStatus
      .filter((f) => existsSync(runPaths(p.fold(f.fold)).log))
      .map((f) => ({ fold: `fold ${f.fold}`, entries: readLog(p.fold(f.fold)) }));
    const planPath = runPaths(p.fold(0)).plan;
    return {
      name,
      dir,
      kind: 'cv',
      config: readJsonFile(p.config, 'config'),
      plan: existsSync(planPath) ? readJsonFile(planPath, 'plan') : undefined,
      logs,
      state,
      summary: readJsonFile<CvSummary>(p.summary, 'summary'),
      perCaseCsv: readFileSync(p.perCase, 'utf8'),
      roc: existsSync(p.roc) ? readJsonFile<RocHistogram[]>(p.roc, 'ROC histograms') : undefined,
    };
  }
  if (isRun(dir)) {
    const p = runPaths(dir);
    return {
      name,
      dir,
      kind: 'run',
      config: readJsonFile(p.config, 'run config'),
      plan: existsSync(p.plan) ? readJsonFile(p.plan, 'plan') : undefined,
      logs: [{ fold: 'run', entries: readLog(dir) }],
    };
  }
  throw new VesaliusError(`${dir}: not a run folder (config.json) nor a cross-validation folder (cv.json)`);
}

/** The methods of a report: the folder itself, or the CV/run folders inside it, plus any others given. */
export function collectMethods(dirs: readonly string[]): MethodResult[] {
  const methods: MethodResult[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new VesaliusError(`${dir}: no such run or cross-validation folder`);
    if (isCv(dir) || isRun(dir)) {
      methods.push(readMethod(dir));
      continue;
    }
    const inside = readdirSync(dir)
      .map((n) => join(dir, n))
      .filter((d) => statSync(d).isDirectory() && (isCv(d) || isRun(d)))
      .sort();
    if (inside.length === 0) throw new VesaliusError(`${dir}: not a run or cross-validation folder, and holds none`);
    // the network first: it is the reference the baselines are compared with
    inside.sort((a, b) => rank(a) - rank(b));
    methods.push(...inside.map((d) => readMethod(d)));
  }
  return methods;
}

function rank(dir: string): number {
  try {
    const config = JSON.parse(readFileSync(isCv(dir) ? cvPaths(dir).config : runPaths(dir).config, 'utf8')) as {
      method?: { name?: string };
    };
    return (config.method?.name ?? 'network') === 'network' ? 0 : 1;
  } catch {
    return 2;
  }
}
