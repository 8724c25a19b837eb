/**
 * Folds each eval-mode BatchNormalization into the convolution before it (when the convolution feeds
 * nothing else): W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β. The int8 runtime
 * then quantizes one convolution instead of a convolution and a normalisation, as PyTorch's
 * fuse_modules does; the folded node keeps the normalisation's output name.
 */
import * as ve from '../../engine/index.js';
import type { Tensor } from '../../engine/tensor.js';
import { consumers, type Graph, type GraphNode } from '../graph/ir.js';

export function foldBatchNorms(graph: Graph): Graph {
  const uses = consumers(graph);
  const nodes: GraphNode[] = [];
  const indexOf = new Map<string, number>();
  const initializers = new Map(graph.initializers);
  const owned = [...graph.owned];
  const get = (name: string): Tensor | null => (name ? (initializers.get(name) ?? null) : null);
  for (const node of graph.nodes) {
    const convIndex = node.op === 'BatchNormalization' ? indexOf.get(node.inputs[0]!) : undefined;
    const conv = convIndex === undefined ? undefined : nodes[convIndex];
    const foldable =
      conv !== undefined &&
      conv.op === 'Conv' &&
      (uses.get(conv.outputs[0]!)?.length ?? 0) === 1 &&
      !graph.outputs.includes(conv.outputs[0]!);
    if (!foldable) {
      nodes.push(node);
      for (const o of node.outputs) indexOf.set(o, nodes.length - 1);
      continue;
    }
    const [, gammaName, betaName, meanName, varName] = node.inputs;
    const eps = node.attrs.epsilon as number;
    const [weight, bias] = ve.noGrad(() =>
      ve.tidy(() => {
        const w = get(conv.inputs[1]!)!;
        const factor = get(varName!)!.add(eps).rsqrt().mul(get(gammaName!)!);
        const shape = [w.shape[0]!, ...new Array<number>(w.ndim - 1).fill(1)];
        const b = get(conv.inputs[2] ?? '') ?? ve.zeros([w.shape[0]!]);
        const folded = [ve.mul(w, factor.reshape(shape)), b.sub(get(meanName!)!).mul(factor).add(get(betaName!)!)];
        return folded.map((t) => ve.keep(t));
      }),
    );
    const wName = `${conv.module}.weight_folded`;
    const bName = `${conv.module}.bias_folded`;
    initializers.set(wName, weight!);
    initializers.set(bName, bias!);
    owned.push(weight!, bias!);
    nodes[convIndex!] = { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [...node.outputs] };
    for (const o of node.outputs) indexOf.set(o, convIndex!);
  }
  return { ...graph, nodes, initializers, owned };
}
