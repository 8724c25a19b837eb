/**
 * `vesalius monitor RUN_OR_SERVER`: the drift table of a model — from a server
 * (http(s)://host:port, with --key or VESALIUS_API_KEY; --model when it serves several) or from a
 * run folder and the data folder its server writes (--data).
 */
import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { OptionError, VesaliusError } from '../util/errors.js';

interface MonitorFlags {
  data: string;
  model?: string;
  key?: string;
  window?: string;
  json?: boolean;
}

export async function runMonitor(target: string, flags: MonitorFlags): Promise<void> {
  const { driftReport, formatDrift, readFingerprint, readRecords, trainingFeatures } = await import(
    '../serve/index.js'
  );
  const window = flags.window === undefined ? undefined : Number(flags.window);
  if (window !== undefined && !(Number.isInteger(window) && window >= 2))
    throw new OptionError('--window', `must be an integer ≥ 2, got "${flags.window}"`);
  let reports: Awaited<ReturnType<typeof driftReport>>[];
  if (/^https?:\/\//.test(target)) {
    const key = flags.key ?? process.env.VESALIUS_API_KEY;
    if (!key) throw new OptionError('--key', 'a server needs an API key (--key or VESALIUS_API_KEY)');
    const base = target.replace(/\/+$/, '');
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } }).catch((err: Error) => {
        throw new VesaliusError(`${base}: cannot connect (${err.message})`);
      });
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      if (!res.ok) throw new VesaliusError(`${base}${path}: ${res.status} ${body.message ?? res.statusText}`);
      return body;
    };
    const names = flags.model ? [flags.model] : ((await get('/api/models')) as { name: string }[]).map((m) => m.name);
    reports = [];
    for (const name of names)
      reports.push(
        (await get(`/api/monitoring/${encodeURIComponent(name)}${window ? `?window=${window}` : ''}`)) as never,
      );
  } else {
    const run = resolve(target);
    const { readFileSync } = await import('node:fs');
    const { runPaths } = await import('../train/run-folder.js');
    const dataset = JSON.parse(readFileSync(runPaths(run).dataset, 'utf8')) as { labels: { name: string }[] };
    const fingerprint = readFingerprint(run);
    if (!fingerprint)
      throw new VesaliusError(
        `${run}: no fingerprint.json (the run was trained before it was kept); retrain to monitor drift against training`,
      );
    const model = flags.model ?? basename(run);
    const records = readRecords(resolve(flags.data, 'monitoring', model));
    reports = [
      driftReport(
        model,
        trainingFeatures(
          fingerprint,
          dataset.labels.map((l) => l.name),
        ),
        records.map((r) => r.features),
        { window },
      ),
    ];
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(reports)}\n`);
  else process.stdout.write(`${reports.map(formatDrift).join('\n\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('monitor')
    .description('drift of recent jobs against the training fingerprint and recent history (PSI, KS per feature)')
    .argument('<run-or-server>', 'a run folder, or a server URL (http://host:port)')
    .option('--data <dir>', "the server's data folder (for a run folder)", 'vesalius-data')
    .option('--model <name>', 'the model name (default: the run folder name, or every model of a server)')
    .option('--key <key>', 'API key for a server (or VESALIUS_API_KEY)')
    .option('--window <n>', 'recent jobs compared (default 50)')
    .option('--json', 'print the reports as JSON')
    .action(runMonitor);
}
