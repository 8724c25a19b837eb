/**
 * `vesalius finetune-merge RUN -o OUT`: a LoRA classification run's adapters folded into its weights
 * (W + (alpha / r)·B·A), written as an ordinary run folder that predict, evaluate and explain read
 * without LoRA. The logic is in src/train/classification/lora.ts.
 */
import type { Command } from 'commander';
import { mergeLoraRun } from '../train/classification/lora.js';
import { taskOfRun } from '../train/tasks.js';
import { OptionError } from '../util/errors.js';

export function runFinetuneMerge(runDir: string, flags: { output: string; json?: boolean }): void {
  if (taskOfRun(runDir) !== 'classification')
    throw new OptionError(
      'run',
      `${runDir} is not a classification run (finetune-merge reads LoRA classification runs)`,
    );
  const written = mergeLoraRun(runDir, flags.output);
  process.stderr.write(`finetune-merge: adapters merged into ${written.join(', ')}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify({ run: flags.output, checkpoints: written })}\n`);
}

export function register(program: Command): void {
  program
    .command('finetune-merge')
    .description(
      "fold a LoRA run's adapters into its weights: an ordinary run folder whose predictions equal the adapted network's",
    )
    .argument('<run>', 'classification run trained with finetune.lora')
    .requiredOption('-o, --output <dir>', 'the new run folder')
    .option('--json', 'print the run folder and checkpoints written as JSON on stdout')
    .action(runFinetuneMerge);
}
