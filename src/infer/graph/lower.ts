/**
 * Lowering a module tree to a graph (ir.ts). Each module class has a rule that emits its nodes; a
 * container's rule lowers its children, so a network is lowered from its own structure and weights,
 * not by tracing one run. Rules are looked up along the class chain (AttentionUNet uses UNet's, Conv2d
 * uses Conv's). A module without a rule cannot be exported or quantized: the error names it by its
 * state-dict path and class.
 */
import type { AnyModule } from '../../engine/nn/module.js';
import { Tensor } from '../../engine/tensor.js';
import { VesaliusError } from '../../util/errors.js';
import type { Attribute, Graph, GraphNode } from './ir.js';

/** A layer (or a setting of one) that the graph form cannot express. The message names it. */
export class UnsupportedLayerError extends VesaliusError {
  override name = 'UnsupportedLayerError';
  constructor(
    readonly path: string,
    readonly layer: string,
    readonly reason: string,
  ) {
    super(`${path === '' ? 'the network' : path} (${layer}): ${reason}`);
  }
}

export type LoweringRule<M extends AnyModule = AnyModule> = (
  module: M,
  ctx: LoweringContext,
  inputs: string[],
  path: string,
) => string[];

// biome-ignore lint/suspicious/noExplicitAny: constructors of any module class
type ModuleClass = abstract new (...args: any[]) => AnyModule;

export interface RuleEntry {
  type: ModuleClass;
  // biome-ignore lint/suspicious/noExplicitAny: each rule is typed for its own class
  lower: LoweringRule<any>;
}

export class LoweringContext {
  readonly nodes: GraphNode[] = [];
  readonly initializers = new Map<string, Tensor>();
  readonly ranks = new Map<string, number>();
  readonly owned: Tensor[] = [];
  readonly #used = new Set<string>();
  readonly #rules: Map<unknown, LoweringRule>;

  constructor(rules: readonly RuleEntry[]) {
    this.#rules = new Map(rules.map((r) => [r.type, r.lower]));
  }

  /** Emits a node with one output and returns the output's name (rank defaults to the first input's). */
  node(op: string, inputs: string[], attrs: Record<string, Attribute>, path: string, rank?: number): string {
    const out = this.fresh(path === '' ? op : `${path}.${op}`);
    this.nodes.push({ op, inputs, outputs: [out], attrs, module: path });
    this.ranks.set(out, rank ?? this.rank(inputs[0]!));
    return out;
  }

  /** Registers one of the module's tensors under its state-dict name; '' for a missing one. */
  weight(path: string, name: string, t: Tensor | null): string {
    if (t === null) return '';
    const full = path === '' ? name : `${path}.${name}`;
    this.initializers.set(full, t);
    this.#used.add(full);
    return full;
  }

  /** A constant made for the graph (not in the state dict), owned by the graph. */
  constant(name: string, values: Float32Array | Int32Array | BigInt64Array, shape: number[]): string {
    const full = this.fresh(name);
    const t = Tensor.from(values, shape);
    this.owned.push(t);
    this.initializers.set(full, t);
    return full;
  }

  rank(value: string): number {
    const r = this.ranks.get(value);
    if (r === undefined) throw new Error(`lowering: the rank of ${value} is unknown`);
    return r;
  }

  /** Lowers a sub-module with the rule of its class (or the nearest parent class that has one). */
  lower(module: AnyModule, path: string, inputs: string[]): string[] {
    for (let proto = Object.getPrototypeOf(module); proto !== null; proto = Object.getPrototypeOf(proto)) {
      const rule = this.#rules.get(proto.constructor);
      if (rule) return rule(module, this, inputs, path);
    }
    throw new UnsupportedLayerError(path, module.constructor.name, 'no ONNX/int8 lowering for this layer type');
  }

  private fresh(base: string): string {
    let name = base;
    for (let i = 1; this.#used.has(name); i++) name = `${base}_${i}`;
    this.#used.add(name);
    return name;
  }
}

export interface LowerOptions {
  inChannels: number;
  spatialDims: 1 | 2 | 3;
  inputName?: string;
  outputName?: string;
}

/** The graph of a model in eval mode, from its module tree. */
export function lowerModel(model: AnyModule, rules: readonly RuleEntry[], options: LowerOptions): Graph {
  const ctx = new LoweringContext(rules);
  const input = options.inputName ?? 'image';
  const rank = options.spatialDims + 2;
  ctx.ranks.set(input, rank);
  const results = ctx.lower(model, '', [input]);
  const outputs = results.map((r, i) => {
    const name = results.length === 1 ? (options.outputName ?? 'logits') : `${options.outputName ?? 'logits'}_${i}`;
    if (r === input) {
      ctx.nodes.push({ op: 'Identity', inputs: [input], outputs: [name], attrs: {}, module: '' });
    } else {
      for (const n of ctx.nodes) {
        n.outputs = n.outputs.map((v) => (v === r ? name : v));
        n.inputs = n.inputs.map((v) => (v === r ? name : v));
      }
    }
    ctx.ranks.set(name, ctx.ranks.get(r) ?? rank);
    return name;
  });
  return {
    input: { name: input, channels: options.inChannels, rank },
    outputs,
    nodes: ctx.nodes,
    initializers: ctx.initializers,
    ranks: ctx.ranks,
    owned: ctx.owned,
  };
}
