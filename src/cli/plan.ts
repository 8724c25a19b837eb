/** `vesalius plan DATASET|CONFIG [--json] [--out plan.json]`: dataset fingerprint and nnU-Net-style training plan. */
import type { Command } from 'commander';
import { formatPlan, savePlan } from '../data/plan.js';
import { readImage } from '../io/read.js';
import { openPlanSource, planSource } from '../train/plan-source.js';
import { OptionError } from '../util/errors.js';

interface PlanOptions {
  json?: boolean;
  out?: string;
  memory?: string;
  dimension?: string;
}

export async function runPlan(path: string, options: PlanOptions): Promise<void> {
  let memory: number | undefined;
  if (options.memory !== undefined) {
    memory = Number(options.memory);
    if (!(memory > 0)) throw new OptionError('--memory', `must be a positive number of GiB, got '${options.memory}'`);
  }
  if (options.dimension !== undefined && options.dimension !== '2d' && options.dimension !== '3d') {
    throw new OptionError('--dimension', `must be 2d or 3d, got '${options.dimension}'`);
  }
  const source = openPlanSource(path);
  const total = source.dataset.cases.length;
  process.stderr.write(`fingerprinting ${total} case(s) of ${source.dataset.name}\n`);
  const planned = await planSource(
    source,
    readImage,
    { memory_budget_gb: memory, dimension: options.dimension as '2d' | '3d' | undefined },
    (id, i) => {
      if (process.stderr.isTTY) process.stderr.write(`\r  ${i + 1}/${total} ${id}   `);
    },
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (options.out) {
    savePlan(options.out, planned.plan);
    process.stderr.write(`plan written to ${options.out}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ fingerprint: planned.fingerprint, plan: planned.plan })}\n`);
  } else {
    process.stdout.write(`${formatPlan(planned.plan)}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      "dataset fingerprint and the training plan derived from it (nnU-Net's rules); every field can be overridden in a config's plan section",
    )
    .argument('<dataset>', 'training config (YAML/JSON), MSD/nnU-Net dataset folder, or its dataset.json')
    .option('--json', 'print {"fingerprint", "plan"} as one JSON object on stdout')
    .option('--out <file>', 'save the plan as JSON')
    .option('--memory <GiB>', 'memory budget for one training step (default 8, or the config)')
    .option('--dimension <2d|3d>', 'plan 2D or 3D (default: 2D when every image has one slice)')
    .action(runPlan);
}
