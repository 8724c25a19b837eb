/**
 * An exponential moving average of a model's weights (Polyak averaging, as YOLO's ModelEMA and timm's
 * ModelEmaV2 keep it): after every optimizer step each floating-point parameter and buffer (batch-norm
 * running statistics included) moves towards the trained one, `avg ← d·avg + (1 − d)·w`, and integer
 * buffers are copied. The decay ramps up as min(d, (1 + n)/(10 + n)) over the first n updates so the
 * average does not remember the random initialisation. Detection in particular validates far more
 * steadily on the averaged weights than on the last step's.
 */
import { noGrad } from '../engine/autograd.js';
import { dispose } from '../engine/memory.js';
import type { Module, StateDict } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';

const FLOATING = new Set(['float16', 'bfloat16', 'float32', 'float64']);

export class WeightAverage {
  private readonly average = new Map<string, Tensor>();
  /** Updates made so far (saved with the training state so a resumed run continues the ramp). */
  updates: number;

  /** Starts the average at the model's current weights. */
  constructor(
    model: Module<never, unknown>,
    readonly decay: number,
    updates = 0,
  ) {
    this.updates = updates;
    noGrad(() => {
      for (const [name, t] of Object.entries(model.stateDict())) this.average.set(name, t.detach().clone());
    });
  }

  /** The decay of the next update. */
  currentDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  /** Moves the average towards the model's weights (call after each optimizer step). */
  update(model: Module<never, unknown>): void {
    const d = this.currentDecay();
    noGrad(() => {
      for (const [name, t] of Object.entries(model.stateDict())) {
        const avg = this.average.get(name)!;
        if (FLOATING.has(t.dtype)) avg.lerp_(t, 1 - d);
        else avg.copy_(t);
      }
    });
    this.updates++;
  }

  /** The averaged weights under the model's names (owned by this object: do not dispose). */
  stateDict(): StateDict {
    return Object.fromEntries(this.average);
  }

  /** Replaces the average (resuming a run). */
  load(state: StateDict | Map<string, Tensor>): void {
    const source = state instanceof Map ? state : new Map(Object.entries(state));
    noGrad(() => {
      for (const [name, avg] of this.average) {
        const src = source.get(name);
        if (src === undefined) throw new RangeError(`weight average: no ${name} in the saved average`);
        avg.copy_(src);
      }
    });
  }

  /** Runs `fn` with the averaged weights in the model, then puts the trained weights back. */
  async withAveraged<T>(model: Module<never, unknown>, fn: () => T | Promise<T>): Promise<T> {
    const trained = noGrad(() => Object.entries(model.stateDict()).map(([n, t]) => [n, t.detach().clone()] as const));
    model.loadStateDict(this.average);
    try {
      return await fn();
    } finally {
      model.loadStateDict(new Map(trained));
      dispose(trained.map(([, t]) => t));
    }
  }

  dispose(): void {
    dispose([...this.average.values()]);
    this.average.clear();
  }
}
