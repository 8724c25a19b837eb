/** A graph as a serialised ONNX model (opset 17) with dynamic batch and spatial sizes. */
import type { Graph } from '../../infer/graph/index.js';
import { OnnxBuilder, type ValueSpec } from './builder.js';
import { emitGraph, type QdqOptions } from './convert.js';

export interface OnnxModelOptions {
  /** Output channels (classes). */
  numClasses: number;
  qdq?: QdqOptions;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Symbolic names of the input's axes: batch, channels fixed, then the spatial ones. */
export function axisNames(rank: number): string[] {
  return rank === 5 ? ['depth', 'height', 'width'] : rank === 4 ? ['height', 'width'] : ['length'];
}

export function graphToOnnx(graph: Graph, o: OnnxModelOptions): Uint8Array {
  const b = new OnnxBuilder();
  emitGraph(graph, b, o.qdq);
  const spatial = axisNames(graph.input.rank);
  const input: ValueSpec = {
    name: graph.input.name,
    elementType: 'float32',
    dims: ['batch', graph.input.channels, ...spatial],
  };
  const outputs: ValueSpec[] = graph.outputs.map((name) => {
    const rank = graph.ranks.get(name) ?? graph.input.rank;
    return {
      name,
      elementType: 'float32',
      dims: rank === graph.input.rank ? ['batch', o.numClasses, ...spatial] : ['batch', o.numClasses],
    };
  });
  return b.toBytes({
    inputs: [input],
    outputs,
    graphName: 'vesalius',
    docString: o.docString,
    metadata: o.metadata,
  });
}
