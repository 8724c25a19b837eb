/**
 * The activation of a named layer and the gradient of a score with respect to it, for any network:
 * the layer's forward is wrapped for one pass so that its output is cut from the graph below it and
 * held as a leaf that requires grad (A); the network above continues from a view of A, so backward from
 * the score fills A.grad without computing gradients for the layers below (or the weights' use there).
 */
import { enableGrad } from '../engine/autograd.js';
import { keep } from '../engine/memory.js';
import type { AnyModule } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';

/** The module registered under `name` (dotted, as in state-dict names: "layer4", "layer4.1.conv2"). */
export function moduleNamed(model: AnyModule, name: string, option = 'layer'): AnyModule {
  const modules = model.namedModules();
  const found = modules.find(([n]) => n === name);
  if (!found) {
    const names = modules.map(([n]) => n).filter((n) => n && !/\.\d+\./.test(n));
    throw new OptionError(
      option,
      `'${name}' is not a layer of ${model.constructor.name} (layers: ${names.slice(0, 24).join(', ')}${names.length > 24 ? ', …' : ''})`,
    );
  }
  return found[1];
}

export interface Captured {
  /** The network's output of the pass. */
  output: Tensor;
  /** The layer's output as a leaf that requires grad: its .grad holds dScore/dA after backward. */
  activation: Tensor;
}

/** Runs `model.forward(input)` with autograd on, capturing the output of the layer named `layer`. */
export function forwardCapturing(model: AnyModule, layer: string, input: Tensor): Captured {
  const target = moduleNamed(model, layer);
  const own = Object.getOwnPropertyDescriptor(target, 'forward');
  const original = target.forward;
  let activation: Tensor | null = null;
  target.forward = (...args: unknown[]) => {
    const y = original.apply(target, args) as Tensor;
    activation = keep(y.detach().requiresGrad_(true));
    if (y !== args[0]) y.dispose();
    return activation.view(activation.shape);
  };
  try {
    const output = enableGrad(() => model.forward(input) as Tensor);
    if (activation === null) throw new OptionError('layer', `'${layer}' is not used by the forward pass`);
    return { output, activation };
  } finally {
    // the instance property shadowed the prototype's method; removing it restores the layer
    if (own) Object.defineProperty(target, 'forward', own);
    else delete (target as { forward?: unknown }).forward;
  }
}
