/**
 * `vesalius export RUN -o model.onnx`: the run's network as ONNX (opset 17, dynamic batch and spatial
 * sizes, weights from the checkpoint under their state-dict names) and the pipeline sidecar
 * `model.onnx.json`. An int8 run (from `vesalius quantize`) exports as ONNX Runtime's QDQ format with
 * its calibrated parameters. The export is checked before it is written: ONNX Runtime runs it on a
 * patch-sized input and its logits are compared with the engine's (float) or the int8 runtime's (QDQ);
 * the difference is recorded in the sidecar.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as ve from '../../engine/index.js';
import type { Tensor } from '../../engine/tensor.js';
import { disposeGraph, type Graph, toGraph } from '../../infer/graph/index.js';
import { Int8Model } from '../../infer/int8/model.js';
import { OnnxWindowModel } from '../../infer/onnx-runtime.js';
import type { PredictionRun } from '../../infer/predict.js';
import type { TrainingConfig } from '../../train/config.js';
import { type DatasetInfo, type LoadedRun, loadRun } from '../../train/run-folder.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { FileFormatError, OptionError } from '../../util/errors.js';
import { inputDivisor } from '../../nets/config.js';
import type { UNet } from '../../nets/unet.js';
import { UnsupportedLayerError } from '../../infer/graph/lower.js';
import { int8Graph, isInt8Run, QUANTIZATION_FILE, type QuantizationFile } from '../quantize-run.js';
import { OPSET } from './builder.js';
import { graphToOnnx } from './model.js';
import { type Parity, type PipelineSidecar, pipelineSidecar, SIDECAR_FORMAT } from './sidecar.js';

export interface ExportOptions {
  /** Refuse (naming the layer) what onnxruntime-web's WebGPU backend cannot run: 3-D transposed or grouped convolutions. */
  browserSafe?: boolean;
  /** Export an int8 run's float network instead of its QDQ int8 form. */
  float?: boolean;
  /** Skip the ONNX Runtime parity check. */
  skipCheck?: boolean;
}

export interface ExportResult {
  model: string;
  sidecar: string;
  bytes: number;
  sidecarData: PipelineSidecar;
}

export interface BrowserProblem {
  module: string;
  op: string;
  reason: string;
}

/** Layers the WebGPU backend of onnxruntime-web cannot run: 3-D transposed and grouped 3-D convolutions. */
export function browserProblems(graph: Graph): BrowserProblem[] {
  const problems: BrowserProblem[] = [];
  for (const n of graph.nodes) {
    const dims = Array.isArray(n.attrs.kernel_shape) ? n.attrs.kernel_shape.length : 0;
    if (n.op === 'ConvTranspose' && dims === 3)
      problems.push({
        module: n.module,
        op: n.op,
        reason: '3-D transposed convolution, which WebGPU lacks (train with network.upsampling: resize_conv)',
      });
    if (n.op === 'Conv' && dims === 3 && (n.attrs.group as number) > 1)
      problems.push({ module: n.module, op: n.op, reason: 'grouped 3-D convolution, which WebGPU lacks' });
  }
  return problems;
}

/** The sidecar of an exported model: model.onnx → model.onnx.json. */
export function sidecarPathOf(modelPath: string): string {
  return `${modelPath}.json`;
}

interface Prepared {
  bytes: Uint8Array;
  graph: Graph;
  precision: PipelineSidecar['precision'];
  int8?: Int8Model;
}

function prepare(run: LoadedRun, quantization: QuantizationFile | null, options: ExportOptions): Prepared {
  const numClasses = run.datasetInfo.numClasses;
  const dims = run.plan.dimension === '3d' ? 3 : 2;
  if (quantization === null || options.float) {
    const graph = toGraph(run.model, { inChannels: run.plan.channels.length, spatialDims: dims });
    return { graph, precision: 'float32', bytes: graphToOnnx(graph, { numClasses, metadata: metadata(run) }) };
  }
  const graph = int8Graph(run);
  const int8 = new Int8Model(graph, { ranges: quantization.ranges, floatNodes: quantization.floatNodes ?? {} });
  const int8Values = new Set([...int8.precisions()].filter(([, p]) => p === 'int8').map(([v]) => v));
  // activations fused into the node before them are int8 values too
  for (const n of quantization.nodes ?? []) if (n.precision === 'int8') int8Values.add(n.output);
  const bytes = graphToOnnx(graph, {
    numClasses,
    qdq: { ranges: quantization.ranges, int8Values },
    metadata: metadata(run),
  });
  return { graph, precision: 'int8-qdq', bytes, int8 };
}

function metadata(run: LoadedRun): Record<string, string> {
  return { producer: 'vesalius', checkpoint: basename(run.checkpoint), pipeline: 'see the sidecar <model>.json' };
}

/** Runs the export in ONNX Runtime on a patch-sized input and compares it with the engine. */
async function checkParity(run: LoadedRun, prepared: Prepared): Promise<Parity> {
  const patch = [...run.plan.patch_size].reverse();
  const shape = [1, run.plan.channels.length, ...patch];
  ve.manualSeed(0);
  const x = ve.randn(shape);
  const ort = await OnnxWindowModel.create(prepared.bytes, {});
  try {
    const got = await ort.forwardAsync(x);
    const reference = ve.noGrad(() =>
      prepared.int8 ? prepared.int8.forward(x) : ((run.model as UNet).logits(x) as Tensor),
    );
    const floatRef = prepared.int8 ? ve.noGrad(() => (run.model as UNet).logits(x)) : null;
    const { version } = await import('onnxruntime-node').then((m) => ({ version: m.env.versions.node ?? 'unknown' }));
    const parity: Parity = {
      runtime: `onnxruntime-node ${version}`,
      input_shape: shape,
      max_abs_difference: ve.tidy(() => got.sub(reference).abs().max().item() as number),
      max_abs_logit: ve.tidy(() => reference.abs().max().item() as number),
      ...(floatRef
        ? { max_abs_difference_vs_float: ve.tidy(() => got.sub(floatRef).abs().max().item() as number) }
        : {}),
    };
    ve.dispose([got, reference, ...(floatRef ? [floatRef] : [])]);
    return parity;
  } finally {
    x.dispose();
    await ort.dispose();
  }
}

function readQuantization(runDir: string): QuantizationFile | null {
  if (!isInt8Run(runDir)) return null;
  const path = `${runDir}/${QUANTIZATION_FILE}`;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as QuantizationFile;
  } catch (err) {
    throw new FileFormatError(path, `cannot read the quantization record (${(err as Error).message})`);
  }
}

/** The model's bytes and its sidecar, in memory (for `predict --runtime onnx` and for exportRun). */
export async function exportToMemory(
  runDir: string,
  options: ExportOptions = {},
  loaded?: LoadedRun,
): Promise<{ bytes: Uint8Array; sidecar: PipelineSidecar }> {
  const run = loaded ?? loadRun(runDir, { checkpoint: 'best' });
  const quantization = readQuantization(runDir);
  let prepared: Prepared | undefined;
  try {
    prepared = prepare(run, quantization, options);
    const problems = browserProblems(prepared.graph);
    if (options.browserSafe && problems.length > 0) {
      const [first] = problems;
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more layer(s))` : '';
      throw new UnsupportedLayerError(first!.module, first!.op, `not browser-safe: ${first!.reason}${more}`);
    }
    const parity = options.skipCheck ? undefined : await checkParity(run, prepared);
    const config = (run as { config?: TrainingConfig }).config;
    const sidecar = pipelineSidecar({
      modelFile: 'model.onnx',
      opset: OPSET,
      precision: prepared.precision,
      plan: run.plan,
      datasetInfo: run.datasetInfo,
      inference: config?.inference,
      divisor: inputDivisor((run.model as UNet).config),
      browserSafe: {
        requested: !!options.browserSafe,
        ok: problems.length === 0,
        problems: problems.map((p) => `${p.module} (${p.op}): ${p.reason}`),
      },
      parity,
    });
    return { bytes: prepared.bytes, sidecar };
  } finally {
    prepared?.int8?.dispose();
    if (prepared) disposeGraph(prepared.graph);
    if (!loaded) run.model.dispose();
  }
}

/** Writes `out` (the .onnx model) and `out.json` (the pipeline sidecar). */
export async function exportRun(runDir: string, out: string, options: ExportOptions = {}): Promise<ExportResult> {
  if (!/\.onnx$/i.test(out)) throw new OptionError('out', `must end in .onnx, got ${out}`);
  const { bytes, sidecar } = await exportToMemory(runDir, options);
  sidecar.model = basename(out);
  writeFileAtomic(out, bytes);
  const sidecarPath = sidecarPathOf(out);
  writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  return { model: out, sidecar: sidecarPath, bytes: bytes.byteLength, sidecarData: sidecar };
}

/** An exported model opened for prediction. */
export interface OnnxRun extends PredictionRun {
  /** The inference section of the sidecar (post-processing). */
  config: { inference: Partial<TrainingConfig['inference']> };
  /** Frees the ONNX Runtime session. */
  dispose(): Promise<void>;
}

/** An exported model and its sidecar as a prediction run (ONNX Runtime behind the sliding window). */
export async function loadOnnxRun(modelPath: string, options: { threads?: number } = {}): Promise<OnnxRun> {
  const sidecarPath = sidecarPathOf(modelPath);
  if (!existsSync(modelPath)) throw new FileFormatError(modelPath, 'no such model file');
  if (!existsSync(sidecarPath))
    throw new FileFormatError(
      modelPath,
      `has no pipeline sidecar (${basename(sidecarPath)} beside it); export with vesalius export`,
    );
  let sidecar: PipelineSidecar;
  try {
    sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8')) as PipelineSidecar;
  } catch (err) {
    throw new FileFormatError(sidecarPath, `cannot read the sidecar (${(err as Error).message})`);
  }
  if (sidecar.format !== SIDECAR_FORMAT)
    throw new FileFormatError(sidecarPath, `not a Vesalius pipeline sidecar (${SIDECAR_FORMAT})`);
  const model = await OnnxWindowModel.create(modelPath, options);
  return onnxPredictionRun(model, sidecar);
}

/** A prediction run from an ONNX Runtime model and its sidecar. */
export function onnxPredictionRun(model: OnnxWindowModel, sidecar: PipelineSidecar) {
  return {
    plan: sidecar.plan,
    datasetInfo: sidecar.dataset as DatasetInfo,
    model,
    config: {
      inference: {
        keep_largest: sidecar.postprocessing.keep_largest_component,
        remove_small: sidecar.postprocessing.remove_components_smaller_than,
        fill_holes: sidecar.postprocessing.fill_holes,
      },
    },
    dispose: () => model.dispose(),
  };
}
