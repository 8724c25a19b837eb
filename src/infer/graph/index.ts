/** Networks as graphs: lowering from the module tree, and a float executor (the reference). */
import type { AnyModule } from '../../engine/nn/module.js';
import type { Graph } from './ir.js';
import { type LowerOptions, lowerModel, type RuleEntry } from './lower.js';
import { layerRules } from './rules-layers.js';
import { netRules } from './rules-nets.js';
import { classifierRules } from './rules-classifiers.js';

export { consumers, disposeGraph, type Attribute, type Graph, type GraphInput, type GraphNode } from './ir.js';
export {
  LoweringContext,
  UnsupportedLayerError,
  type LoweringRule,
  type RuleEntry,
  type LowerOptions,
} from './lower.js';
export { runFloatNode, runGraph, useCounts, type ValueObserver } from './execute.js';

/** Every lowering rule: the networks' blocks first, then the engine's layers. */
export const RULES: readonly RuleEntry[] = [...netRules, ...classifierRules, ...layerRules];

/**
 * The graph of `model` (in eval mode). Throws UnsupportedLayerError naming the first layer that has no
 * graph form.
 */
export function toGraph(model: AnyModule, options: LowerOptions, extraRules: readonly RuleEntry[] = []): Graph {
  return lowerModel(model, [...extraRules, ...RULES], options);
}
