/**
 * Optimizer base: parameter groups with their own hyper-parameters, per-parameter state, and a
 * state dict (numbers + tensors, parameters referred to by index as torch does) for resuming.
 */
import { noGrad } from '../autograd.js';
import { keep, tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';

export interface ParamGroup<H> {
  params: Tensor[];
  lr: number;
  initialLr?: number;
  options: H;
}

export type ParamState = Record<string, Tensor | number>;

export interface OptimizerStateDict<H> {
  /** Per-parameter state keyed by the parameter's index across all groups. */
  state: Record<number, ParamState>;
  paramGroups: Array<{ lr: number; initialLr?: number; options: H; params: number[] }>;
}

export type ParamsInput<H> = Tensor[] | Array<{ params: Tensor[]; lr?: number; options?: Partial<H> }>;

/**
 * The base of the optimizers: parameter groups with their own learning rate and options, per-parameter
 * state, `step()`, `zeroGrad()` and torch-compatible state dicts. Subclasses implement `update`.
 */
export abstract class Optimizer<H extends object> {
  readonly paramGroups: Array<ParamGroup<H>>;
  readonly state = new Map<Tensor, ParamState>();

  /**
   * Creates a `Optimizer`.
   * @param params the tensors to optimise, or groups `{ params, lr?, options? }`
   * @param lr the default learning rate
   * @param defaults the default options of every group
   * @throws RangeError for a negative rate, an empty list or a tensor in two groups
   */
  constructor(params: ParamsInput<H>, lr: number, defaults: H) {
    checkNonNegative('lr', lr);
    const groups =
      params.length > 0 && !isTensorList(params)
        ? (params as Array<{ params: Tensor[]; lr?: number; options?: Partial<H> }>)
        : [{ params: params as Tensor[] }];
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g) => {
      for (const p of g.params) {
        if (seen.has(p)) throw new RangeError('a parameter appears in more than one parameter group');
        seen.add(p);
      }
      return { params: [...g.params], lr: g.lr ?? lr, options: { ...defaults, ...(g.options ?? {}) } };
    });
    if (seen.size === 0) throw new RangeError('optimizer got an empty parameter list');
  }

  /** Applies one update to every parameter that has a gradient (under noGrad). */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let state = this.state.get(p);
          if (state === undefined) {
            state = {};
            this.state.set(p, state);
          }
          try {
            this.update(p, grad, state, group);
          } finally {
            grad.dispose(); // .grad hands out a new handle on the gradient each time
          }
        }
      }
    });
  }

  /** Updates one parameter from its gradient (called under noGrad by `step`). */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<H>): void;

  /** Clears every parameter's gradient (sets it to null, as torch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /** The state as torch lays it out. Tensors are the optimizer's own: clone to snapshot, never dispose. */
  stateDict(): OptimizerStateDict<H> {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict<H>['paramGroups'] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = { ...s };
        ids.push(index++);
      }
      paramGroups.push({
        lr: g.lr,
        ...(g.initialLr !== undefined ? { initialLr: g.initialLr } : {}),
        options: { ...g.options },
        params: ids,
      });
    }
    return { state, paramGroups };
  }

  /** Restores hyper-parameters and copies state tensors (cloned, so the source may be disposed after). */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `optimizer state has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (saved.params.length !== group.params.length) {
        throw new RangeError(
          `optimizer state group ${gi} has ${saved.params.length} parameters, this optimizer has ${group.params.length}`,
        );
      }
      group.lr = saved.lr;
      if (saved.initialLr !== undefined) group.initialLr = saved.initialLr;
      group.options = { ...group.options, ...saved.options };
      saved.params.forEach((id, pi) => {
        const p = group.params[pi]!;
        const old = this.state.get(p);
        if (old) disposeState(old);
        const s = sd.state[id];
        if (s === undefined) {
          this.state.delete(p);
          return;
        }
        const copy: ParamState = {};
        for (const [k, v] of Object.entries(s)) {
          if (typeof v === 'number') copy[k] = v;
          else {
            if (!sameShape(v.shape, p.shape)) {
              throw new RangeError(
                `optimizer state ${id}.${k} has shape [${v.shape.join(', ')}], the parameter has [${p.shape.join(', ')}]`,
              );
            }
            copy[k] = keep(noGrad(() => tidy(() => v.to(p.dtype).to(p.device).clone())));
          }
        }
        this.state.set(p, copy);
      });
    });
  }

  /** Frees the state tensors (momentum buffers, moments). */
  dispose(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }
}

function disposeState(s: ParamState): void {
  for (const v of Object.values(s)) if (typeof v !== 'number') v.dispose();
}

function isTensorList(params: unknown[]): boolean {
  const first = params[0] as { params?: unknown };
  return !(first && typeof first === 'object' && Array.isArray(first.params));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Throws a RangeError naming `name` unless `value` is a finite number ≥ 0.
 * @internal
 */
export function checkNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a non-negative number, got ${value}`);
}
