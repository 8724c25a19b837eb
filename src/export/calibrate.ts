/**
 * Post-training static calibration: run the float graph over the calibration windows and record
 * every value's range (min/max observers, as PyTorch's MinMaxObserver); then probe each int8 node
 * alone on the same windows (its float inputs quantized, the int8 kernel as it will run, fused with its
 * activation where it will be, dequantized) and measure its signal-to-quantization-noise ratio against
 * the float output. Nodes below `minSqnrDb` stay in
 * float. Both passes see the windows in the same order, and neither depends on timing: the same
 * images give the same parameters.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { type Graph, runGraph } from '../infer/graph/index.js';
import { type Int8Spec, Int8Model } from '../infer/int8/model.js';
import type { ValueRange } from '../infer/int8/qparams.js';
import { OptionError } from '../util/errors.js';
import { bestRange, HISTOGRAM_BINS, type Observer } from './observers.js';

export interface CalibrateOptions {
  /** Nodes whose SQNR is below this stay in float (default 20 dB). */
  minSqnrDb?: number;
  /** How activation ranges are chosen (default 'histogram'; see observers.ts). */
  observer?: Observer;
  /**
   * The nodes that make the graph's outputs run in float (default true): the logits decide every
   * argmax, and a segmentation head (a 1×1 convolution to a few classes) costs little.
   */
  floatOutputs?: boolean;
  onProgress?: (pass: 'ranges' | 'histograms' | 'sensitivity', windows: number) => void;
}

export interface NodeReport {
  module: string;
  op: string;
  output: string;
  /** The node alone in int8 vs float on the calibration windows; null for nodes that do not run in int8. */
  sqnrDb: number | null;
  precision: 'int8' | 'float';
  reason?: string;
}

export interface CalibrationResult {
  spec: Int8Spec;
  nodes: NodeReport[];
  windows: number;
}

/** Replaces each min/max range by the histogram observer's choice (a second pass over the windows). */
async function refineRanges(
  graph: Graph,
  windows: () => AsyncIterable<Tensor>,
  ranges: Record<string, ValueRange>,
  options: CalibrateOptions,
): Promise<void> {
  const histograms = new Map<string, Float64Array>();
  const collect = (name: string, t: Tensor) => {
    const r = ranges[name]!;
    if (!(r.max > r.min)) return;
    const counts = ve.tidy(() => ve.histc(t.to('float32'), HISTOGRAM_BINS, r.min, r.max).toArray() as Float32Array);
    const h = histograms.get(name) ?? new Float64Array(HISTOGRAM_BINS);
    for (let i = 0; i < HISTOGRAM_BINS; i++) h[i]! += counts[i]!;
    histograms.set(name, h);
  };
  let seen = 0;
  for await (const x of windows()) {
    try {
      collect(graph.input.name, x);
      ve.dispose(runGraph(graph, x, collect));
    } finally {
      x.dispose();
    }
    seen++;
    options.onProgress?.('histograms', seen);
  }
  for (const [name, counts] of histograms) ranges[name] = bestRange(counts, ranges[name]!);
}

/** `windows()` is called once per pass and must yield the same windows each time. */
export async function calibrate(
  graph: Graph,
  windows: () => AsyncIterable<Tensor>,
  options: CalibrateOptions = {},
): Promise<CalibrationResult> {
  const minSqnr = options.minSqnrDb ?? 20;
  const ranges: Record<string, ValueRange> = {};
  const observe = (name: string, t: Tensor) => {
    const [lo, hi] = ve.tidy(() => [t.min().item() as number, t.max().item() as number]);
    const r = ranges[name];
    ranges[name] = r ? { min: Math.min(r.min, lo!), max: Math.max(r.max, hi!) } : { min: lo!, max: hi! };
  };
  let count = 0;
  for await (const x of windows()) {
    try {
      observe(graph.input.name, x);
      ve.dispose(runGraph(graph, x, observe));
    } finally {
      x.dispose();
    }
    count++;
    options.onProgress?.('ranges', count);
  }
  if (count === 0) throw new OptionError('calibration', 'the calibration images gave no windows');
  if ((options.observer ?? 'histogram') === 'histogram') await refineRanges(graph, windows, ranges, options);

  const probe = new Int8Model(graph, { ranges, floatNodes: {} });
  const signal = new Map<string, number>();
  const noise = new Map<string, number>();
  let seen = 0;
  try {
    for await (const x of windows()) {
      try {
        const outs = runGraph(graph, x, (name, value, _node, inputs) => {
          const q = probe.probe(name, inputs);
          if (q === null) return;
          const [s, n] = ve.tidy(() => {
            const reference = q.activation ? q.activation(value) : value;
            return [reference.square().sum().item() as number, reference.sub(q.output).square().sum().item() as number];
          });
          q.output.dispose();
          signal.set(name, (signal.get(name) ?? 0) + s!);
          noise.set(name, (noise.get(name) ?? 0) + n!);
        });
        ve.dispose(outs);
      } finally {
        x.dispose();
      }
      seen++;
      options.onProgress?.('sensitivity', seen);
    }
  } finally {
    probe.dispose();
  }
  const floatNodes: Record<string, string> = {};
  const sqnrOf = (name: string): number | null => {
    const s = signal.get(name);
    if (s === undefined) return null;
    const n = noise.get(name)!;
    return n === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(s / n);
  };
  for (const node of graph.nodes) {
    const out = node.outputs[0]!;
    const sqnr = sqnrOf(out);
    if (sqnr !== null && sqnr < minSqnr)
      floatNodes[out] = `SQNR ${sqnr.toFixed(1)} dB below ${minSqnr} dB on the calibration windows`;
    else if ((options.floatOutputs ?? true) && graph.outputs.includes(out))
      floatNodes[out] = 'it makes the output (logits), kept in float';
  }
  const spec: Int8Spec = { ranges, floatNodes };
  const final = new Int8Model(graph, spec);
  const precisions = final.precisions();
  const reasons = new Map(final.summary().float.map((f) => [f.module + f.op, f.reason]));
  final.dispose();
  const nodes = graph.nodes.map((node): NodeReport => {
    const out = node.outputs[0]!;
    const precision = precisions.get(out) ?? 'int8'; // absent: an activation fused into the node before it
    const sqnr = sqnrOf(out);
    return {
      module: node.module,
      op: node.op,
      output: out,
      sqnrDb: sqnr === null ? null : Number.isFinite(sqnr) ? Number(sqnr.toFixed(2)) : 999,
      precision,
      ...(precision === 'float' ? { reason: floatNodes[out] ?? reasons.get(node.module + node.op) } : {}),
    };
  });
  return { spec, nodes, windows: count };
}
