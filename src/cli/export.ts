/**
 * `vesalius export RUN -o model.onnx`: the network as ONNX (opset 17, dynamic sizes) with its
 * pipeline sidecar `model.onnx.json`; an int8 run exports as QDQ int8 (src/export/onnx/export-run.ts).
 */
import type { Command } from 'commander';
import { exportRun } from '../export/onnx/export-run.js';
import { withFlagNames } from './flags.js';

interface ExportFlags {
  output: string;
  browserSafe?: boolean;
  float?: boolean;
  check: boolean;
  json?: boolean;
}

export async function runExport(run: string, flags: ExportFlags): Promise<void> {
  const result = await withFlagNames({ out: '--output' }, () =>
    exportRun(run, flags.output, { browserSafe: flags.browserSafe, float: flags.float, skipCheck: !flags.check }),
  );
  const s = result.sidecarData;
  const parity = s.parity
    ? `; ONNX Runtime vs ${s.precision === 'int8-qdq' ? 'the int8 runtime' : 'the engine'}: max |Δlogit| ${s.parity.max_abs_difference.toExponential(2)} (logits up to ${s.parity.max_abs_logit.toFixed(2)})`
    : '';
  process.stderr.write(
    `export: wrote ${result.model} (${(result.bytes / 1024).toFixed(0)} KiB, ${s.precision}, opset ${s.opset}) and ${result.sidecar}${parity}` +
      `${s.browser_safe.ok ? '; browser-safe' : `; not browser-safe: ${s.browser_safe.problems.join('; ')}`}\n`,
  );
  if (flags.json) {
    const { plan, dataset, model, ...summary } = s;
    process.stdout.write(
      `${JSON.stringify({ ...summary, model: result.model, sidecar: result.sidecar, bytes: result.bytes })}\n`,
    );
  }
}

export function register(program: Command): void {
  program
    .command('export')
    .description(
      'export a run to ONNX (opset 17, dynamic batch and spatial sizes) with a JSON sidecar describing the whole pipeline; an int8 run exports as QDQ int8',
    )
    .argument('<run>', 'run folder (or int8 run folder)')
    .requiredOption(
      '-o, --output <model.onnx>',
      'the model file (the sidecar is written beside it as <model.onnx>.json)',
    )
    .option(
      '--browser-safe',
      'refuse layers onnxruntime-web WebGPU cannot run (3-D transposed or grouped convolutions), naming them',
    )
    .option('--float', 'for an int8 run: export its float network instead of QDQ int8')
    .option('--no-check', 'skip running the export in ONNX Runtime against the engine')
    .option('--json', 'print the export summary as JSON on stdout')
    .action(runExport);
}
