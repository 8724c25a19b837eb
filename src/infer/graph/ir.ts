/**
 * A network as a graph: the form in which it is exported to ONNX, run in int8 and calibrated. Nodes
 * use ONNX's operator names and attributes (opset 17), plus `GroupNorm` and `Linear`, which the ONNX
 * writer expands; values are named strings; weights are the model's own tensors under their
 * state-dict names (so an exported model's initializers read like the checkpoint).
 *
 * Spatial sizes are never recorded: a graph runs on any input size the network accepts (the ONNX
 * export's dynamic axes), and only channel counts and ranks are known.
 */
import type { Tensor } from '../../engine/tensor.js';

export type Attribute = number | number[] | string;

export interface GraphNode {
  op: string;
  /** Value names; '' for an omitted optional input (ONNX's convention). */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attribute>;
  /** The module the node came from (its state-dict prefix, '' for the root), for errors and reports. */
  module: string;
}

export interface GraphInput {
  name: string;
  channels: number;
  /** Rank of the input tensor: 2 + spatial dims (4 for 2D images, 5 for volumes). */
  rank: number;
}

export interface Graph {
  input: GraphInput;
  outputs: string[];
  nodes: GraphNode[];
  /** Weights and constants by name (the model's tensors are borrowed, not owned). */
  initializers: Map<string, Tensor>;
  /** Rank of every value, where lowering knew it (every value it made). */
  ranks: Map<string, number>;
  /** Constants the lowering created; freed by disposeGraph. */
  owned: Tensor[];
}

/** Frees the constants a lowering created (the model's own weights stay with the model). */
export function disposeGraph(graph: Graph): void {
  for (const t of graph.owned.splice(0)) t.dispose();
}

/** How many nodes consume each value (graph outputs count as one use each). */
export function consumers(graph: Graph): Map<string, GraphNode[]> {
  const out = new Map<string, GraphNode[]>();
  for (const n of graph.nodes)
    for (const v of n.inputs) {
      if (!v) continue;
      const list = out.get(v) ?? [];
      list.push(n);
      out.set(v, list);
    }
  return out;
}
