/**
 * Runs a graph in float with the engine's ops: the reference the int8 runtime and the ONNX export are
 * compared against (it must agree with the module's own forward), and the pass calibration observes.
 * Each intermediate value is freed as soon as its last consumer has run.
 */
import * as ve from '../../engine/index.js';
import type { Tensor } from '../../engine/tensor.js';
import type { Graph, GraphNode } from './ir.js';
import { UnsupportedLayerError } from './lower.js';

/** Sees each value a node makes, with the node and its (non-weight) inputs, before anything is freed. */
export type ValueObserver = (name: string, value: Tensor, node: GraphNode, inputs: Tensor[]) => void;

const ints = (v: unknown) => v as number[];
const half = (pads: number[]) => pads.slice(0, pads.length / 2);

/** One node in float. `w` gives initializers (and '' → null). */
export function runFloatNode(node: GraphNode, x: Tensor[], w: (i: number) => Tensor | null): Tensor {
  const a = node.attrs;
  const first = x[0]!;
  switch (node.op) {
    case 'Conv': {
      const dims = ints(a.kernel_shape).length;
      const o = {
        stride: ints(a.strides),
        padding: half(ints(a.pads)),
        dilation: ints(a.dilations),
        groups: a.group as number,
      };
      const f = dims === 1 ? ve.conv1d : dims === 2 ? ve.conv2d : ve.conv3d;
      return f(first, w(1)!, w(2), o);
    }
    case 'ConvTranspose': {
      const dims = ints(a.kernel_shape).length;
      const o = {
        stride: ints(a.strides),
        padding: half(ints(a.pads)),
        outputPadding: ints(a.output_padding),
        dilation: ints(a.dilations),
        groups: a.group as number,
      };
      const f = dims === 1 ? ve.convTranspose1d : dims === 2 ? ve.convTranspose2d : ve.convTranspose3d;
      return f(first, w(1)!, w(2), o);
    }
    case 'BatchNormalization':
      return ve.batchNorm(first, w(3), w(4), w(1), w(2), false, 0, a.epsilon as number);
    case 'InstanceNormalization':
      return ve.instanceNorm(first, null, null, w(1), w(2), true, 0, a.epsilon as number);
    case 'GroupNorm':
      return ve.groupNorm(first, a.num_groups as number, w(1), w(2), a.epsilon as number);
    case 'LayerNormalization': {
      const weight = w(1)!;
      return ve.layerNorm(first, weight.shape, weight, w(2), a.epsilon as number);
    }
    case 'Relu':
      return ve.relu(first);
    case 'LeakyRelu':
      return ve.leakyRelu(first, a.alpha as number);
    case 'Sigmoid':
      return ve.sigmoid(first);
    case 'Tanh':
      return ve.tanh(first);
    case 'Gelu':
      return ve.gelu(first, { approximate: a.approximate as 'none' | 'tanh' });
    case 'Softmax':
      return ve.softmax(first, a.axis as number);
    case 'LogSoftmax':
      return ve.logSoftmax(first, a.axis as number);
    case 'MaxPool':
    case 'AveragePool': {
      const k = ints(a.kernel_shape);
      const o = { stride: ints(a.strides), padding: half(ints(a.pads)), ceilMode: a.ceil_mode === 1 };
      if (node.op === 'MaxPool') return (k.length === 2 ? ve.maxPool2d : ve.maxPool3d)(first, k, o);
      return (k.length === 2 ? ve.avgPool2d : ve.avgPool3d)(first, k, {
        ...o,
        countIncludePad: a.count_include_pad === 1,
      });
    }
    case 'GlobalAveragePool':
      return first.ndim === 4 ? ve.adaptiveAvgPool2d(first, 1) : ve.adaptiveAvgPool3d(first, 1);
    case 'Resize': {
      const scales = [...(w(2)!.toArray() as Float32Array)].slice(2);
      const mode = a.mode === 'nearest' ? 'nearest' : scales.length === 2 ? 'bilinear' : 'trilinear';
      const alignCorners = a.mode === 'nearest' ? undefined : a.coordinate_transformation_mode === 'align_corners';
      return ve.interpolate(first, { scaleFactor: scales, mode, alignCorners });
    }
    case 'Linear':
      return ve.linear(first, w(1)!, w(2));
    case 'Flatten':
      return ve.flatten(first, 1);
    case 'Concat':
      return ve.cat(x, a.axis as number);
    case 'Add':
      return ve.add(first, x[1]!);
    case 'Mul':
      return ve.mul(first, x[1]!);
    case 'Identity':
      return first.clone();
    default:
      throw new UnsupportedLayerError(node.module, node.op, 'no float kernel for this graph operator');
  }
}

/** Remaining uses of each value; a value is freed when its count reaches zero. */
export function useCounts(graph: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  for (const n of graph.nodes)
    for (const v of n.inputs) if (v && !graph.initializers.has(v)) uses.set(v, (uses.get(v) ?? 0) + 1);
  for (const o of graph.outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  return uses;
}

/**
 * The graph's outputs for `input` in float (no gradients). `observe` sees every value a node makes,
 * before it is freed.
 */
export function runGraph(graph: Graph, input: Tensor, observe?: ValueObserver): Tensor[] {
  return ve.noGrad(() => {
    const values = new Map<string, Tensor>([[graph.input.name, input]]);
    const uses = useCounts(graph);
    const release = (name: string) => {
      const left = (uses.get(name) ?? 0) - 1;
      uses.set(name, left);
      const t = values.get(name);
      if (left <= 0 && t !== undefined && t !== input && !graph.outputs.includes(name)) {
        t.dispose();
        values.delete(name);
      }
    };
    for (const node of graph.nodes) {
      const tensors = node.inputs.filter((v) => v && !graph.initializers.has(v)).map((v) => values.get(v)!);
      const w = (i: number) => {
        const name = node.inputs[i];
        return name ? (graph.initializers.get(name) ?? null) : null;
      };
      const out = runFloatNode(node, tensors, w);
      observe?.(node.outputs[0]!, out, node, tensors);
      values.set(node.outputs[0]!, out);
      for (const v of node.inputs) if (v && !graph.initializers.has(v)) release(v);
    }
    return graph.outputs.map((o) => values.get(o)!);
  });
}
