/**
 * The int8 runtime: runs a network's graph with libtorch's quantized kernels. Values flow between
 * int8 nodes as quint8 tensors (no float round trip): convolutions, instance/group/layer/batch norms,
 * concatenation, sums and products requantize to their output's calibrated range; ReLU, pooling,
 * nearest up-sampling and flattening work on the integers as they are. Nodes without an int8 kernel
 * (and those calibration kept in float) run in float on dequantized inputs, and their outputs are
 * quantized again where an int8 node needs them.
 */
import * as ve from '../../engine/index.js';
import {
  callOp,
  dequantize,
  type PackedWeights,
  prepackConv,
  prepackLinear,
  qcat,
  qconv,
  qnormAct,
  qlinear,
  quantizePerTensor,
  quantizedInfo,
} from '../../engine/quantized.js';
import type { Tensor } from '../../engine/tensor.js';
import { runFloatNode, useCounts } from '../graph/execute.js';
import { consumers, type Graph, type GraphNode } from '../graph/ir.js';
import {
  type ActivationParams,
  activationParams,
  quantizeWeightPerChannel,
  quantizeWeightPerTensor,
  type ValueRange,
} from './qparams.js';

/** What calibration decided: the range of every value, and the nodes kept in float (output name → why). */
export interface Int8Spec {
  ranges: Record<string, ValueRange>;
  floatNodes: Record<string, string>;
}

export type Precision = 'int8' | 'float';

interface NodePlan {
  node: GraphNode;
  precision: Precision;
  /** Why a node runs in float. */
  reason?: string;
  out?: ActivationParams;
  packed?: PackedWeights;
  /** The quantized weight behind `packed` (kept alive with it). */
  qweight?: Tensor;
  /**
   * The activation this node runs fused with, its only consumer (whose node is skipped): a ReLU after a
   * convolution or linear layer, a (leaky) ReLU after a normalisation.
   */
  fusedActivation?: { kind: 'relu' | 'leakyrelu'; slope: number };
  /** A node fused with its activation: its own output's name (the plan's node now has the activation's). */
  unfusedOutput?: string;
  skip?: boolean;
}

const ints = (v: unknown) => v as number[];
const half = (pads: number[]) => pads.slice(0, pads.length / 2);

/** Why a node cannot run in int8 here, or null when it can. */
export function int8Unsupported(node: GraphNode, rank: number): string | null {
  const spatial = rank - 2;
  switch (node.op) {
    case 'Conv':
    case 'ConvTranspose':
      return [2, 3].includes(ints(node.attrs.kernel_shape).length) ? null : 'int8 convolution is 2-D or 3-D only';
    case 'MaxPool':
      return spatial === 2 ? null : 'libtorch has no int8 3-D max pooling';
    case 'Resize':
      return node.attrs.mode === 'nearest' ? null : 'libtorch has no int8 linear resize';
    case 'BatchNormalization':
      return spatial === 2 || spatial === 3 ? null : 'int8 batch norm is 2-D or 3-D only';
    case 'Linear':
    case 'InstanceNormalization':
    case 'GroupNorm':
    case 'LayerNormalization':
    case 'Concat':
    case 'Add':
    case 'Mul':
    case 'LeakyRelu':
    case 'Relu':
    case 'AveragePool':
    case 'GlobalAveragePool':
    case 'Flatten':
    case 'Sigmoid':
    case 'Identity':
      return null;
    default:
      return `no int8 kernel for ${node.op}`;
  }
}

/** Operators whose int8 output takes its input's parameters (or fixed ones): int8 only where their input is. */
const FOLLOWERS = new Set([
  'Relu',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Resize',
  'Flatten',
  'Sigmoid',
  'Identity',
]);

/**
 * Operators that run in int8 only where their input already is: the followers, and the leaky ReLU, which
 * has its own output range but after a float node costs less in float than quantizing and running it in int8
 * (libtorch's int8 leaky ReLU is several times slower than the float one).
 */
const AFTER_INT8_ONLY = new Set([...FOLLOWERS, 'LeakyRelu']);

export class Int8Model {
  readonly training = false;
  /** When set, milliseconds per operator (int8/float) are added up here (for benchmarks). */
  profile: Map<string, number> | null = null;
  readonly #graph: Graph;
  readonly #plans: NodePlan[];
  readonly #inputParams: Map<string, ActivationParams>;
  readonly #spec: Int8Spec;

  /** `graph` should have its batch norms folded (foldBatchNorms); the model borrows it. */
  constructor(graph: Graph, spec: Int8Spec) {
    this.#graph = graph;
    this.#spec = spec;
    const domain = new Map<string, Precision>([[graph.input.name, 'float']]);
    const params = (name: string): ActivationParams | undefined => {
      const r = spec.ranges[name];
      return r ? activationParams(r) : undefined;
    };
    const uses = consumers(graph);
    this.#plans = graph.nodes.map((node) => {
      const out = node.outputs[0]!;
      const rank = graph.ranks.get(node.inputs[0]!) ?? graph.input.rank;
      let reason = spec.floatNodes[out] ?? int8Unsupported(node, rank);
      if (reason === null && AFTER_INT8_ONLY.has(node.op) && domain.get(node.inputs[0]!) !== 'int8')
        reason = 'its input is float';
      if (reason === null && !FOLLOWERS.has(node.op) && params(out) === undefined) reason = 'no calibrated range';
      const plan: NodePlan = { node, precision: reason === null ? 'int8' : 'float', reason: reason ?? undefined };
      if (plan.precision === 'int8' && !FOLLOWERS.has(node.op)) plan.out = params(out);
      domain.set(out, plan.precision);
      return plan;
    });
    this.#fuseActivations(uses, params);
    this.#inputParams = new Map();
    for (const p of this.#plans) {
      if (p.precision !== 'int8') continue;
      for (const v of p.node.inputs) {
        if (!v || graph.initializers.has(v) || domain.get(v) === 'int8') continue;
        const q = params(v);
        if (q === undefined) {
          p.precision = 'float';
          p.reason = `no calibrated range for its input ${v}`;
        } else this.#inputParams.set(v, q);
      }
    }
    for (const p of this.#plans) if (p.precision === 'int8') this.#prepack(p);
  }

  /**
   * Conv → ReLU and norm → ReLU/LeakyReLU (the activation the only consumer): one fused kernel with the
   * activation's output range.
   */
  #fuseActivations(uses: Map<string, GraphNode[]>, params: (name: string) => ActivationParams | undefined): void {
    const byOutput = new Map(this.#plans.map((p) => [p.node.outputs[0]!, p]));
    for (const p of this.#plans) {
      if (!['Relu', 'LeakyRelu'].includes(p.node.op) || p.precision !== 'int8') continue;
      const prev = byOutput.get(p.node.inputs[0]!);
      if (prev?.precision !== 'int8') continue;
      if ((uses.get(prev.node.outputs[0]!)?.length ?? 0) !== 1 || this.#graph.outputs.includes(prev.node.outputs[0]!))
        continue;
      const out = params(p.node.outputs[0]!);
      // oneDNN's fused ReLU clamps at integer 0: only right with a zero point of 0 (a ReLU's range starts at 0)
      const convRelu = ['Conv', 'Linear'].includes(prev.node.op) && p.node.op === 'Relu' && out?.zeroPoint === 0;
      const normActivation = ['InstanceNormalization', 'GroupNorm'].includes(prev.node.op) && out !== undefined;
      if (!convRelu && !normActivation) continue;
      prev.fusedActivation = {
        kind: p.node.op === 'Relu' ? 'relu' : 'leakyrelu',
        slope: (p.node.attrs.alpha as number | undefined) ?? 0,
      };
      if (out !== undefined) prev.out = out;
      prev.unfusedOutput = prev.node.outputs[0]!;
      prev.node = { ...prev.node, outputs: [...p.node.outputs] };
      p.skip = true;
    }
  }

  #prepack(p: NodePlan): void {
    const { node } = p;
    const w = (i: number) => (node.inputs[i] ? (this.#graph.initializers.get(node.inputs[i]!) ?? null) : null);
    const a = node.attrs;
    if (node.op === 'Conv' || node.op === 'ConvTranspose') {
      const transposed = node.op === 'ConvTranspose';
      p.qweight = transposed ? quantizeWeightPerTensor(w(1)!) : quantizeWeightPerChannel(w(1)!, 0);
      p.packed = prepackConv(p.qweight, w(2), {
        stride: ints(a.strides),
        padding: half(ints(a.pads)),
        dilation: ints(a.dilations),
        groups: a.group as number,
        transposed,
        outputPadding: transposed ? ints(a.output_padding) : undefined,
      });
    } else if (node.op === 'Linear') {
      p.qweight = quantizeWeightPerChannel(w(1)!, 0);
      p.packed = prepackLinear(p.qweight, w(2));
    }
  }

  /** Nodes by precision, with the reason each float one is float (skipping fused ReLUs). */
  summary(): { int8: number; float: Array<{ module: string; op: string; reason: string }> } {
    const float = this.#plans
      .filter((p) => !p.skip && p.precision === 'float' && p.node.op !== 'Identity')
      .map((p) => ({ module: p.node.module, op: p.node.op, reason: p.reason ?? '' }));
    return { int8: this.#plans.filter((p) => !p.skip && p.precision === 'int8').length, float };
  }

  /** The precision each node runs in, by its first output's name. */
  precisions(): Map<string, Precision> {
    return new Map(this.#plans.filter((p) => !p.skip).map((p) => [p.node.outputs[0]!, p.precision]));
  }

  train(_mode?: boolean): this {
    return this;
  }

  eval(): this {
    return this;
  }

  /** Float logits for a float input, like the network's forward in eval mode. */
  forward(x: Tensor): Tensor {
    return ve.noGrad(() => this.#run(x));
  }

  #run(input: Tensor): Tensor {
    const graph = this.#graph;
    const values = new Map<string, Tensor>([[graph.input.name, input]]);
    const converted = new Map<string, Tensor>(); // quantized copies of float values (and back)
    const uses = useCounts(graph);
    const release = (name: string) => {
      const left = (uses.get(name) ?? 0) - 1;
      uses.set(name, left);
      if (left > 0 || graph.outputs.includes(name)) return;
      const t = values.get(name);
      if (t !== undefined && t !== input) t.dispose();
      values.delete(name);
      converted.get(name)?.dispose();
      converted.delete(name);
    };
    const quantized = (name: string): Tensor => {
      const t = values.get(name)!;
      if (quantizedInfo(t) !== null) return t;
      let q = converted.get(name);
      if (q === undefined) {
        const p = this.#inputParams.get(name)!;
        q = quantizePerTensor(t, p.scale, p.zeroPoint, 'quint8');
        converted.set(name, q);
      }
      return q;
    };
    const float = (name: string): Tensor => {
      const t = values.get(name)!;
      if (quantizedInfo(t) === null) return t;
      let f = converted.get(name);
      if (f === undefined) {
        f = dequantize(t);
        converted.set(name, f);
      }
      return f;
    };
    for (const p of this.#plans) {
      if (p.skip) continue;
      const { node } = p;
      const live = node.inputs.filter((v) => v && !graph.initializers.has(v));
      let out: Tensor;
      const started = this.profile ? performance.now() : 0;
      if (p.precision === 'int8') out = this.#int8Node(p, live.map(quantized));
      else {
        const w = (i: number) => (node.inputs[i] ? (graph.initializers.get(node.inputs[i]!) ?? null) : null);
        out = runFloatNode(node, live.map(float), w);
      }
      if (this.profile) {
        const key = `${p.precision} ${node.op}${p.fusedActivation ? '+act' : ''}`;
        this.profile.set(key, (this.profile.get(key) ?? 0) + performance.now() - started);
      }
      values.set(node.outputs[0]!, out);
      for (const v of live) release(v);
    }
    const result = values.get(graph.outputs[0]!)!;
    const logits = quantizedInfo(result) === null ? result : dequantize(result);
    if (logits !== result) result.dispose();
    for (const [name, t] of values) if (t !== input && name !== graph.outputs[0]) t.dispose();
    for (const t of converted.values()) if (t !== logits) t.dispose();
    return logits;
  }

  /**
   * One node in int8 on float inputs, dequantized, as it runs: a node fused with its activation gives the
   * activation's output, and `activation` applies that activation to the node's float output, so the two
   * measure how well the node alone quantizes. Null when the node does not run in int8.
   */
  probe(outputName: string, inputs: Tensor[]): { output: Tensor; activation: ((t: Tensor) => Tensor) | null } | null {
    const p = this.#plans.find(
      (q) => !q.skip && (q.unfusedOutput ?? q.node.outputs[0]) === outputName && q.precision === 'int8',
    );
    if (!p || FOLLOWERS.has(p.node.op)) return null;
    const live = p.node.inputs.filter((v) => v && !this.#graph.initializers.has(v));
    const ranges = live.map((v) => this.#spec.ranges[v]);
    if (ranges.some((r) => r === undefined)) return null;
    const output = ve.noGrad(() =>
      ve.tidy(() => {
        const qs = inputs.map((t, i) => {
          const params = activationParams(ranges[i]!);
          return quantizePerTensor(t, params.scale, params.zeroPoint, 'quint8');
        });
        return dequantize(this.#int8Node(p, qs));
      }),
    );
    const fused = p.fusedActivation;
    const activation = fused
      ? (t: Tensor) => (fused.kind === 'relu' ? ve.relu(t) : ve.leakyRelu(t, fused.slope))
      : null;
    return { output, activation };
  }

  #int8Node(p: NodePlan, x: Tensor[]): Tensor {
    const { node } = p;
    const a = node.attrs;
    const w = (i: number) => (node.inputs[i] ? (this.#graph.initializers.get(node.inputs[i]!) ?? null) : null);
    const s = p.out?.scale ?? 1;
    const zp = p.out?.zeroPoint ?? 0;
    const first = x[0]!;
    const spatial = first.ndim - 2;
    const op = (name: string, overload: string, args: unknown[]) => callOp(name, overload, args) as Tensor;
    switch (node.op) {
      case 'Conv':
      case 'ConvTranspose':
        return qconv(first, p.packed!, s, zp, p.fusedActivation !== undefined);
      case 'Linear':
        return qlinear(first, p.packed!, s, zp, p.fusedActivation !== undefined);
      case 'InstanceNormalization':
      case 'GroupNorm':
        return qnormAct(first, node.op === 'GroupNorm' ? (a.num_groups as number) : first.shape[1]!, w(1), w(2), {
          eps: a.epsilon as number,
          activation: p.fusedActivation?.kind ?? 'none',
          negativeSlope: p.fusedActivation?.slope,
          scale: s,
          zeroPoint: zp,
        });
      case 'LayerNormalization':
        return op('quantized::layer_norm', '', [first, w(1)!.shape, w(1), w(2), a.epsilon, s, zp]);
      case 'BatchNormalization':
        return op(`quantized::batch_norm${spatial}d`, '', [first, w(1), w(2), w(3), w(4), a.epsilon, s, zp]);
      case 'Concat':
        return a.axis === 1 && spatial >= 2 && spatial <= 3
          ? qcat(x, s, zp)
          : op('quantized::cat', '', [x, a.axis, s, zp]);
      case 'Add':
        return op('quantized::add', '', [first, x[1], s, zp]);
      case 'Mul':
        return op('quantized::mul', '', [first, x[1], s, zp]);
      case 'LeakyRelu':
        return op('quantized::leaky_relu', '', [first, a.alpha, false, s, zp]);
      case 'Relu':
        return op('aten::relu', '', [first]);
      case 'Sigmoid':
        return op('aten::sigmoid', '', [first]);
      case 'MaxPool':
        return op('aten::max_pool2d', '', [
          first,
          a.kernel_shape,
          a.strides,
          half(ints(a.pads)),
          [1, 1],
          a.ceil_mode === 1,
        ]);
      case 'AveragePool':
        return op(`aten::avg_pool${spatial}d`, '', [
          first,
          a.kernel_shape,
          a.strides,
          half(ints(a.pads)),
          a.ceil_mode === 1,
          a.count_include_pad === 1,
        ]);
      case 'GlobalAveragePool':
        return op(`aten::adaptive_avg_pool${spatial}d`, '', [first, new Array<number>(spatial).fill(1)]);
      case 'Resize': {
        const scales = [...(w(2)!.toArray() as Float32Array)].slice(2);
        return op(`aten::upsample_nearest${spatial}d`, 'vec', [first, null, scales]);
      }
      case 'Flatten':
        return op('aten::flatten', 'using_ints', [first, 1, -1]);
      case 'Identity':
        return op('aten::clone', '', [first]);
      default:
        throw new Error(`int8: no kernel for ${node.op}`);
    }
  }

  /** Frees the prepacked and quantized weights (the graph stays with its owner). */
  dispose(): void {
    for (const p of this.#plans) {
      p.packed?.release();
      p.qweight?.dispose();
    }
  }
}
