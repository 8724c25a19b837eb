import type { Tensor } from '../../tensor.js';
import { Module, type AnyModule } from '../module.js';

/** A module that maps one tensor to one tensor (what `Sequential` chains). */
export type TensorModule = Module<[Tensor], Tensor>;

/** Runs its modules in order; they are named "0", "1", ... as in torch.nn.Sequential. */
export class Sequential extends Module {
  readonly #layers: TensorModule[] = [];

  /** Arguments and defaults as torch.nn.Sequential's (options in camelCase). */
  constructor(...layers: TensorModule[]) {
    super();
    for (const layer of layers) this.append(layer);
  }

  /** Adds a module at the end (registered as the next index). */
  append(layer: TensorModule): this {
    this.registerModule(String(this.#layers.length), layer);
    this.#layers.push(layer);
    return this;
  }

  get length(): number {
    return this.#layers.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): TensorModule {
    const m = this.#layers.at(index);
    if (m === undefined) throw new RangeError(`Sequential has no layer ${index}`);
    return m;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<TensorModule> {
    return this.#layers[Symbol.iterator]();
  }

  /** Intermediate results are disposed as soon as the next layer has consumed them. */
  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of this.#layers) {
      const next = layer.forward(out);
      if (out !== x && next !== out) out.dispose();
      out = next;
    }
    return out;
  }
}

/**
 * Runs named modules in order (torch.nn.Sequential built from an OrderedDict), so that state-dict
 * names read `features.conv0.weight` rather than `features.0.weight`.
 */
export class NamedSequential extends Module {
  readonly #layers: Array<[string, TensorModule]> = [];

  /** The modules, in order, under their names. */
  constructor(layers: ReadonlyArray<readonly [string, TensorModule]> = []) {
    super();
    for (const [name, layer] of layers) this.append(name, layer);
  }

  /** Adds `layer` at the end under `name`. */
  append(name: string, layer: TensorModule): this {
    this.registerModule(name, layer);
    this.#layers.push([name, layer]);
    return this;
  }

  get length(): number {
    return this.#layers.length;
  }

  /** The module registered as `name`. */
  get(name: string): TensorModule {
    const found = this.#layers.find(([n]) => n === name);
    if (!found) throw new RangeError(`NamedSequential has no layer ${name}`);
    return found[1];
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<TensorModule> {
    return this.#layers.map(([, m]) => m)[Symbol.iterator]();
  }

  /** Intermediate results are disposed as soon as the next layer has consumed them. */
  forward(x: Tensor): Tensor {
    let out = x;
    for (const [, layer] of this.#layers) {
      const next = layer.forward(out);
      if (out !== x && next !== out) out.dispose();
      out = next;
    }
    return out;
  }
}

/** A list of sub-modules named "0", "1", ...; it has no forward of its own. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items: M[] = [];

  /** Arguments and defaults as torch.nn.ModuleList's (options in camelCase). */
  constructor(items: M[] = []) {
    super();
    for (const m of items) this.append(m);
  }

  /** Adds a module at the end (registered as the next index). */
  append(m: M): this {
    this.registerModule(String(this.#items.length), m);
    this.#items.push(m);
    return this;
  }

  get length(): number {
    return this.#items.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    const m = this.#items.at(index);
    if (m === undefined) throw new RangeError(`ModuleList has no item ${index}`);
    return m;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }

  /** Applies the layer to `x`. */
  forward(): never {
    throw new Error('ModuleList has no forward; iterate over its modules');
  }
}

/** Named sub-modules in insertion order; it has no forward of its own. */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items = new Map<string, M>();

  /** Arguments and defaults as torch.nn.ModuleDict's (options in camelCase). */
  constructor(items: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(items)) this.set(k, m);
  }

  /** Registers `m` under `name`. */
  set(name: string, m: M): this {
    this.registerModule(name, m);
    this.#items.set(name, m);
    return this;
  }

  /** The module registered as `name`. */
  get(name: string): M {
    const m = this.#items.get(name);
    if (m === undefined) throw new RangeError(`ModuleDict has no item ${name}`);
    return m;
  }

  /** The names, in registration order. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** (name, module) pairs, in registration order. */
  entries(): Array<[string, M]> {
    return [...this.#items.entries()];
  }

  /** Applies the layer to `x`. */
  forward(): never {
    throw new Error('ModuleDict has no forward; look its modules up by name');
  }
}
