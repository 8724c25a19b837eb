/**
 * Module: the owner of parameters, buffers and sub-modules, named as PyTorch names them
 * ("down.0.conv.weight", "bn.running_mean"), so that state dicts move between the two by name.
 *
 * Parameters and buffers live in registries, not in plain fields, so that `to()` and
 * `loadStateDict()` can replace or update them; layers expose them through getters.
 */
import { noGrad } from '../autograd.js';
import { isDType, isFloating, type DType } from '../dtype.js';
import { keep } from '../memory.js';
import type { Tensor, MemoryFormat } from '../tensor.js';
import { isParameter, parameter } from './parameter.js';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The base of every layer and network, as torch.nn.Module: parameters, buffers and sub-modules
 * registered by name give PyTorch's dotted state-dict names (`conv.weight`, `bn.running_mean`), so
 * weights move between the two; `train()`/`eval()`, `to()`, `stateDict()`/`loadStateDict()` and
 * `dispose()` reach every sub-module.
 *
 * @example
 * ```ts
 * class Block extends Module {
 *   readonly conv = this.registerModule('conv', new Conv2d(1, 8, 3, { padding: 1 }));
 *   forward(x: Tensor): Tensor {
 *     return this.conv.forward(x).relu();
 *   }
 * }
 * ```
 */
export abstract class Module<I extends unknown[] = [Tensor], O = Tensor> {
  training = true;
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, AnyModule>();

  /** The computation: inputs to outputs (torch's `forward`). */
  abstract forward(...inputs: I): O;

  /** Same as forward; reads like calling the module in PyTorch. */
  call(...inputs: I): O {
    return this.forward(...inputs);
  }

  /**
   * Registers a trainable tensor under `name` (kept alive across `tidy`; requires grad).
   * @returns the tensor, for `readonly weight = this.registerParameter(...)`
   * @throws Error when the name is empty, dotted or taken
   */
  registerParameter(name: string, value: Tensor | null): Tensor | null {
    checkName(name, this);
    if (value !== null) {
      if (!isParameter(value)) parameter(value);
      keep(value); // owned by the module until dispose(), even when created inside a tidy()
    }
    this.#parameters.set(name, value);
    return value;
  }

  /**
   * Registers a non-trainable tensor (running statistics ...); non-persistent buffers stay out of `stateDict()`.
   * @returns the tensor
   */
  registerBuffer(name: string, value: Tensor | null, persistent = true): Tensor | null {
    checkName(name, this);
    if (value !== null) keep(value);
    this.#buffers.set(name, value);
    if (!persistent) this.#nonPersistent.add(name);
    return value;
  }

  /**
   * Registers a sub-module under `name`: its parameters get the prefix `name.`.
   * @returns the module
   */
  registerModule<M extends AnyModule>(name: string, module: M): M {
    checkName(name, this);
    this.#modules.set(name, module);
    return module;
  }

  /** The module's own parameter (not a sub-module's), or null when registered as null. */
  protected param(name: string): Tensor | null {
    const t = this.#parameters.get(name);
    if (t === undefined) throw new RangeError(`${this.constructor.name} has no parameter ${name}`);
    return t;
  }

  /** The module's own buffer, or null when registered as null. */
  protected buffer(name: string): Tensor | null {
    const t = this.#buffers.get(name);
    if (t === undefined) throw new RangeError(`${this.constructor.name} has no buffer ${name}`);
    return t;
  }

  /** The sub-module registered as `name`. */
  protected child<M extends AnyModule = AnyModule>(name: string): M {
    const m = this.#modules.get(name);
    if (m === undefined) throw new RangeError(`${this.constructor.name} has no sub-module ${name}`);
    return m as M;
  }

  /** Every (qualified name, module) pair in registration order, this module first with name ''. */
  namedModules(prefix = ''): Array<[string, AnyModule]> {
    const out: Array<[string, AnyModule]> = [];
    const seen = new Set<AnyModule>();
    const walk = (m: AnyModule, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [name, sub] of m.#modules) walk(sub, p ? `${p}.${name}` : name);
    };
    walk(this, prefix);
    return out;
  }

  /** The direct sub-modules with their names, in registration order. */
  namedChildren(): Array<[string, AnyModule]> {
    return [...this.#modules.entries()];
  }

  /** The direct sub-modules, in registration order. */
  children(): AnyModule[] {
    return [...this.#modules.values()];
  }

  /** This module and every sub-module, depth first. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names; a tensor shared by several modules is listed once (as PyTorch does). */
  namedParameters(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.#parameters) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Every parameter (for an optimizer), each once. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Buffers with dotted names. */
  namedBuffers(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.#buffers) if (t !== null) out.push([prefix ? `${prefix}.${name}` : name, t]);
    }
    return out;
  }

  /** Every buffer. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Sets training mode on this module and every sub-module (Dropout, BatchNorm behave differently). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: the same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /**
   * Parameters and persistent buffers under PyTorch's names, in PyTorch's order (each module's
   * parameters, then its buffers, then its sub-modules). The tensors are the module's own: clone
   * them to keep a snapshot, and do not dispose them.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    const walk = (m: AnyModule, prefix: string) => {
      for (const [name, t] of m.#parameters) if (t !== null) out[prefix + name] = t;
      for (const [name, t] of m.#buffers) if (t !== null && !m.#nonPersistent.has(name)) out[prefix + name] = t;
      for (const [name, sub] of m.#modules) walk(sub, `${prefix}${name}.`);
    };
    walk(this, '');
    return out;
  }

  /**
   * Copies values from `state` into the module's tensors (converting dtype, keeping the module's
   * device). With strict (the default), missing or unexpected names are an error; shapes must always match.
   */
  loadStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const source = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected ${unexpectedKeys.join(', ')}`);
      throw new RangeError(`state dict does not fit ${this.constructor.name}: ${parts.join('; ')}`);
    }
    for (const [name, target] of Object.entries(own)) {
      const src = source.get(name);
      if (src === undefined) continue;
      if (!sameShape(src.shape, target.shape)) {
        throw new RangeError(
          `state dict entry ${name} has shape [${src.shape.join(', ')}], the module expects [${target.shape.join(', ')}]`,
        );
      }
    }
    noGrad(() => {
      for (const [name, target] of Object.entries(own)) {
        const src = source.get(name);
        if (src !== undefined) target.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Moves (or casts) every parameter and buffer, replacing them in place in the registries; a
   * parameter stays a parameter with the same requiresGrad. Create optimizers after this.
   * Integer buffers (num_batches_tracked) keep their dtype when casting to a floating dtype.
   */
  to(target: string | DType): this {
    const castsDType = isDType(target);
    for (const m of this.modules()) {
      for (const [name, t] of m.#parameters) {
        if (t === null) continue;
        const moved = noGrad(() => {
          const converted = t.to(target);
          const leaf = converted.detach();
          converted.dispose();
          return leaf;
        });
        parameter(moved, t.requiresGrad);
        keep(moved);
        m.#parameters.set(name, moved);
        t.dispose();
      }
      for (const [name, t] of m.#buffers) {
        if (t === null) continue;
        if (castsDType && !isFloating(t.dtype)) continue;
        const moved = keep(noGrad(() => t.to(target)));
        m.#buffers.set(name, moved);
        t.dispose();
      }
    }
    return this;
  }

  /**
   * Lays out every 4-D (channelsLast) or 5-D (channelsLast3d) parameter in that memory format, as
   * torch's module.to(memory_format=...) does; convolutions then run in oneDNN's preferred NHWC layout
   * when their input is channels-last too. Create optimizers after this.
   */
  toMemoryFormat(format: MemoryFormat): this {
    const rank = format === 'channelsLast' ? 4 : format === 'channelsLast3d' ? 5 : -1;
    for (const m of this.modules()) {
      for (const [name, t] of m.#parameters) {
        if (t === null || (rank !== -1 && t.ndim !== rank)) continue;
        const moved = noGrad(() => {
          const laid = t.contiguous(format);
          const leaf = laid.detach();
          laid.dispose();
          return leaf;
        });
        parameter(moved, t.requiresGrad);
        keep(moved);
        m.#parameters.set(name, moved);
        t.dispose();
      }
    }
    return this;
  }

  /** Frees every parameter and buffer of this module and its sub-modules. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const t of m.#parameters.values()) t?.dispose();
      for (const t of m.#buffers.values()) t?.dispose();
      m.#parameters.clear();
      m.#buffers.clear();
    }
  }

  /** Number of parameter elements (trainable or not). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a module of any input and output, for containers and walkers
export type AnyModule = Module<any, any>;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkName(name: string, module: AnyModule): void {
  if (name === '' || name.includes('.')) {
    throw new RangeError(`${module.constructor.name}: invalid name ${JSON.stringify(name)} (non-empty, no dots)`);
  }
}
