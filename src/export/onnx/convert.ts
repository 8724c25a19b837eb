/**
 * A graph (src/infer/graph) as ONNX opset-17 nodes. Most graph operators are ONNX operators already;
 * the rest expand into ones opset 17 has: GroupNorm → Reshape · InstanceNormalization · Reshape · Mul ·
 * Add (opset 18 added GroupNormalization); Linear → Gemm (transB) on 2-D inputs, else MatMul with
 * the transposed weight + Add; Gelu → its Erf (or tanh) formula.
 *
 * With `qdq`, the export is ONNX Runtime's QDQ int8 format: weights stored as int8 with a
 * DequantizeLinear (per output channel for convolutions and Gemm), and every value the int8 runtime
 * keeps in int8 passes through QuantizeLinear → DequantizeLinear with its calibrated parameters, so
 * ONNX Runtime fuses the pairs into its int8 kernels (QLinearConv, ...).
 */
import * as ve from '../../engine/index.js';
import type { Graph, GraphNode } from '../../infer/graph/index.js';
import { UnsupportedLayerError } from '../../infer/graph/index.js';
import { activationParams, type ValueRange } from '../../infer/int8/qparams.js';
import type { OnnxBuilder } from './builder.js';

export interface QdqOptions {
  ranges: Record<string, ValueRange>;
  /** Values whose producer runs in int8 (the int8 runtime's plan). */
  int8Values: Set<string>;
}

const SUPPORTED = new Set([
  'Conv',
  'ConvTranspose',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Softmax',
  'LogSoftmax',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Resize',
  'Flatten',
  'Concat',
  'Add',
  'Mul',
  'Identity',
]);

/** Emits the graph's nodes into `b`; graph value names are kept (input, outputs, weights). */
export function emitGraph(graph: Graph, b: OnnxBuilder, qdq?: QdqOptions): void {
  b.reserve(graph.input.name);
  for (const o of graph.outputs) b.reserve(o);
  const weight = (name: string) => graph.initializers.get(name)!;
  const used = new Set<string>();
  const w = (name: string): string => {
    if (!name) return '';
    if (!used.has(name)) {
      used.add(name);
      b.tensor(name, weight(name));
    }
    return name;
  };
  // QDQ: the quantized view of each activation, made once
  const fakeQuant = new Map<string, string>();
  const activation = (value: string): string => {
    if (!qdq?.ranges[value]) return value;
    let dq = fakeQuant.get(value);
    if (dq === undefined) {
      const p = activationParams(qdq.ranges[value]!);
      const s = b.constant(`${value}.scale`, Float32Array.of(p.scale), [], 'float32');
      const z = b.constant(`${value}.zero_point`, Uint8Array.of(p.zeroPoint), [], 'uint8');
      const q = b.node('QuantizeLinear', [value, s, z], {}, b.fresh(`${value}.q`));
      dq = b.node('DequantizeLinear', [q, s, z], {}, b.fresh(`${value}.dq`));
      fakeQuant.set(value, dq);
    }
    return dq;
  };
  const quantInput = (node: GraphNode, i: number) => {
    const v = node.inputs[i]!;
    return qdq && isInt8(node) ? activation(v) : v;
  };
  const isInt8 = (node: GraphNode) => qdq?.int8Values.has(node.outputs[0]!) ?? false;
  for (const node of graph.nodes) {
    const out = node.outputs[0]!;
    // when the node's output is quantized, write the float result under a temporary name and route
    // the graph's name through Q/DQ (consumers read the graph's name)
    const int8Out = qdq && isInt8(node) && qdq.ranges[out] !== undefined;
    const target = int8Out ? b.fresh(`${out}.float`) : out;
    emitNode(node, graph, b, w, quantInput, target, qdq && isInt8(node) ? quantizedWeight : undefined);
    if (int8Out) {
      const p = activationParams(qdq!.ranges[out]!);
      const s = b.constant(`${out}.scale`, Float32Array.of(p.scale), [], 'float32');
      const z = b.constant(`${out}.zero_point`, Uint8Array.of(p.zeroPoint), [], 'uint8');
      const q = b.node('QuantizeLinear', [target, s, z], {}, b.fresh(`${out}.q`));
      b.node('DequantizeLinear', [q, s, z], {}, out);
      fakeQuant.set(out, out); // already quantized: consumers need no second pair
    }
  }

  function quantizedWeight(name: string, axis: number | null): string {
    const t = weight(name);
    const dq = `${name}.dequantized`;
    if (b.initializers.has(`${name}.int8`)) return dq;
    const [q, scales] = ve.noGrad(() =>
      ve.tidy(() => {
        const dims = [...Array(t.ndim).keys()].filter((d) => d !== axis);
        const maxAbs = axis === null ? ve.abs(t).max() : ve.amax(ve.abs(t), { dim: dims });
        const scale = maxAbs.div(127).clamp(1e-8);
        const shape = axis === null ? [] : t.shape.map((n, d) => (d === axis ? n : 1));
        const ints = ve
          .round(t.div(axis === null ? scale : scale.reshape(shape)))
          .clamp(-127, 127)
          .to('int8');
        return [ve.keep(ints), ve.keep(scale)];
      }),
    );
    b.tensor(`${name}.int8`, q!);
    b.tensor(`${name}.scale`, scales!);
    const n = axis === null ? [] : [t.shape[axis]!];
    b.constant(`${name}.zero_point`, new Int8Array(n.length ? n[0]! : 1), n, 'int8');
    b.node(
      'DequantizeLinear',
      [`${name}.int8`, `${name}.scale`, `${name}.zero_point`],
      axis === null ? {} : { axis },
      dq,
    );
    q!.dispose();
    scales!.dispose();
    return dq;
  }
}

type WeightOf = (name: string) => string;
type QuantWeight = (name: string, axis: number | null) => string;

function emitNode(
  node: GraphNode,
  graph: Graph,
  b: OnnxBuilder,
  w: WeightOf,
  input: (node: GraphNode, i: number) => string,
  out: string,
  qweight?: QuantWeight,
): void {
  const a = node.attrs;
  const x = input(node, 0);
  const rank = graph.ranks.get(node.inputs[0]!) ?? graph.input.rank;
  switch (node.op) {
    case 'Conv':
    case 'ConvTranspose': {
      const weight = qweight ? qweight(node.inputs[1]!, node.op === 'Conv' ? 0 : null) : w(node.inputs[1]!);
      const inputs = [x, weight];
      if (node.inputs[2]) inputs.push(w(node.inputs[2]));
      b.node(node.op, inputs, a, out);
      return;
    }
    case 'GroupNorm': {
      const groups = a.num_groups as number;
      const grouped = b.node('Reshape', [
        x,
        b.constant(`${out}.grouped_shape`, BigInt64Array.of(0n, BigInt(groups), -1n), [3], 'int64'),
      ]);
      const ones = b.constant(`${out}.ones`, new Float32Array(groups).fill(1), [groups], 'float32');
      const zeros = b.constant(`${out}.zeros`, new Float32Array(groups), [groups], 'float32');
      const normed = b.node('InstanceNormalization', [grouped, ones, zeros], { epsilon: a.epsilon as number });
      const back = b.node('Reshape', [normed, b.node('Shape', [x])]);
      const bcast = (name: string) => {
        const t = graph.initializers.get(name)!;
        return b.tensor(`${name}.broadcast`, t, [t.shape[0]!, ...new Array<number>(rank - 2).fill(1)]);
      };
      b.node('Add', [b.node('Mul', [back, bcast(node.inputs[1]!)]), bcast(node.inputs[2]!)], {}, out);
      return;
    }
    case 'Linear': {
      const weightName = node.inputs[1]!;
      if (rank === 2) {
        const weight = qweight ? qweight(weightName, 0) : w(weightName);
        const inputs = [x, weight];
        if (node.inputs[2]) inputs.push(w(node.inputs[2]));
        b.node('Gemm', inputs, { transB: 1 }, out);
        return;
      }
      const t = graph.initializers.get(weightName)!;
      const transposed = ve.tidy(() => t.transpose(0, 1).contiguous());
      const wt = b.tensor(`${weightName}.transposed`, transposed);
      transposed.dispose();
      if (!node.inputs[2]) {
        b.node('MatMul', [x, wt], {}, out);
        return;
      }
      b.node('Add', [b.node('MatMul', [x, wt]), w(node.inputs[2])], {}, out);
      return;
    }
    case 'Gelu': {
      const half = b.constant(`${out}.half`, Float32Array.of(0.5), [], 'float32');
      const one = b.constant(`${out}.one`, Float32Array.of(1), [], 'float32');
      let inner: string;
      if (a.approximate === 'tanh') {
        const c = b.constant(`${out}.c`, Float32Array.of(Math.sqrt(2 / Math.PI)), [], 'float32');
        const k = b.constant(`${out}.k`, Float32Array.of(0.044715), [], 'float32');
        const cube = b.node('Mul', [b.node('Mul', [x, x]), x]);
        inner = b.node('Tanh', [b.node('Mul', [c, b.node('Add', [x, b.node('Mul', [k, cube])])])]);
      } else {
        const r = b.constant(`${out}.inv_sqrt2`, Float32Array.of(Math.SQRT1_2), [], 'float32');
        inner = b.node('Erf', [b.node('Mul', [x, r])]);
      }
      b.node('Mul', [b.node('Mul', [x, half]), b.node('Add', [inner, one])], {}, out);
      return;
    }
    default: {
      if (!SUPPORTED.has(node.op))
        throw new UnsupportedLayerError(node.module, node.op, 'ONNX export has no form for this operator');
      const inputs = node.inputs.map((v, i) => (!v ? '' : graph.initializers.has(v) ? w(v) : input(node, i)));
      b.node(node.op, inputs, a, out);
    }
  }
}
