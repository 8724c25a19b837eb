/** `vesalius rank RUN UNLABELLED_DIR`: active learning — unlabelled cases by uncertainty, with a diversity term. */
import type { Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { OptionError, VesaliusError } from '../util/errors.js';
import { pickCheckpoint } from '../train/open-run.js';
import { loadRun } from '../train/run-folder.js';
import { withFlagNames } from './flags.js';

interface RankFlags {
  output: string;
  strategy: string;
  diversity: string;
  mcSamples: string;
  tta: boolean;
  checkpoint?: string;
  seed: string;
  json?: boolean;
}

export async function runRank(runPath: string, dir: string, flags: RankFlags): Promise<void> {
  const { rankCases, writeRanking, RANK_STRATEGIES } = await import('../serve/rank.js');
  const { groupInputs } = await import('../infer/predict.js');
  const { imageExtension } = await import('../io/extensions.js');
  if (!RANK_STRATEGIES.includes(flags.strategy as never))
    throw new OptionError('--strategy', `must be one of ${RANK_STRATEGIES.join(', ')}, got "${flags.strategy}"`);
  const diversity = Number(flags.diversity);
  if (!(diversity >= 0)) throw new OptionError('--diversity', `must be ≥ 0, got "${flags.diversity}"`);
  const mcSamples = Number(flags.mcSamples);
  if (!(Number.isInteger(mcSamples) && mcSamples >= 0))
    throw new OptionError('--mc-samples', `must be an integer ≥ 0, got "${flags.mcSamples}"`);
  const folder = resolve(dir);
  let entries: string[];
  try {
    entries = readdirSync(folder).sort();
  } catch {
    throw new VesaliusError(`${folder}: no such folder`);
  }
  const paths = entries
    .filter((n) => !n.startsWith('.'))
    .map((n) => join(folder, n))
    .filter((p) => statSync(p).isDirectory() || imageExtension(p) !== undefined);
  if (paths.length === 0) throw new VesaliusError(`${folder}: no images (or DICOM folders) to rank`);
  const run = await withFlagNames({ checkpoint: '--checkpoint' }, async () =>
    loadRun(runPath, { checkpoint: pickCheckpoint(runPath, flags.checkpoint) }),
  );
  const cases = groupInputs(paths, run.plan.channels.length);
  const ranking = await rankCases(run, basename(resolve(runPath)), cases, {
    strategy: flags.strategy as never,
    diversity,
    mcSamples,
    tta: flags.tta,
    seed: Number(flags.seed),
    onCase: (id, i, n) => process.stderr.write(`rank: ${i + 1}/${n} ${id}\n`),
  });
  writeRanking(flags.output, ranking);
  process.stderr.write(
    `rank: ${ranking.cases.length} case(s) by ${ranking.strategy} (${ranking.measuresUsed.join(', ') || 'seeded shuffle'}), diversity ${ranking.diversity}; wrote ${flags.output}\n`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(ranking)}\n`);
  else
    for (const c of ranking.cases.slice(0, 20))
      process.stdout.write(
        `${String(c.rank).padStart(3)}  ${c.id}  score ${c.score.toFixed(3)}  entropy ${c.measures.entropy.toFixed(4)}  tta ${c.measures.ttaVariance.toExponential(2)}${c.measures.mcVariance === null ? '' : `  mc ${c.measures.mcVariance.toExponential(2)}`}\n`,
      );
}

export function register(program: Command): void {
  program
    .command('rank')
    .description(
      'active learning: ranks unlabelled cases by uncertainty (entropy, TTA variance, MC dropout) with a diversity term; the viewer offers the list (serve --worklist)',
    )
    .argument('<run>', 'run folder')
    .argument('<unlabelled-dir>', 'folder of images (or DICOM folders) without labels')
    .option('-o, --output <file>', 'where to write the ranking', 'ranking.json')
    .option('--strategy <s>', 'combined | entropy | tta | mc | random', 'combined')
    .option('--diversity <λ>', 'weight of the diversity term (0 = uncertainty only)', '0.3')
    .option('--mc-samples <n>', 'Monte-Carlo dropout samples (networks with dropout)', '8')
    .option('--no-tta', 'no mirroring members (no TTA variance)')
    .option('--checkpoint <best|last>', 'which checkpoint')
    .option('--seed <n>', 'seed of the random strategy', '0')
    .option('--json', 'print the ranking as JSON')
    .action(runRank);
}
