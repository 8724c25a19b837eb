/**
 * LoRA (Hu et al. 2021) on the linear and convolution layers of any network: beside a frozen layer W,
 * a low-rank update scaled by alpha / r, so y = W x + (alpha / r) · B(A(dropout(x))).
 *
 *  - Linear: A is (r × in), B is (out × r), as PEFT's lora_A / lora_B.
 *  - Convolution (1/2/3D): A is a convolution with the layer's kernel, stride, padding and dilation and
 *    r output channels; B a 1×1 convolution to the output channels (PEFT's conv LoRA). B(A(x)) is then
 *    one convolution with kernel ΔW[o, i, …] = Σ_r B[o, r] · A[r, i, …], so merging is exact.
 *
 * A takes its layer's default initialisation, B starts at zero: the adapted network starts equal to
 * the base. The adapters are sub-modules of the layer they adapt (`layer4.0.conv1.lora_A.weight`), so
 * the base keeps its names and `stateDict()` holds both; every other parameter is frozen, and the base's
 * normalisation layers keep their running statistics (always evaluated in eval mode), so the base file
 * plus the adapter file are the whole adapted network.
 */
import { noGrad } from '../engine/autograd.js';
import { BatchNorm, Conv, Dropout, InstanceNorm, Linear } from '../engine/nn/index.js';
import type { AnyModule, Module, StateDict } from '../engine/nn/module.js';
import { readSafetensorsFile, writeSafetensors } from '../engine/safetensors.js';
import type { Tensor } from '../engine/tensor.js';
import { FileFormatError, OptionError } from '../util/errors.js';

export interface LoraOptions {
  /** Rank r of the update (a positive integer). */
  rank: number;
  /** Scaling numerator: the update is multiplied by alpha / rank. */
  alpha: number;
  /** Dropout on the adapter's input during training (default 0). */
  dropout?: number;
  /**
   * Module-name patterns of the layers to adapt: a pattern selects every linear and convolution layer
   * whose name equals it or lies under it (`layer4` → `layer4.0.conv1`, …); `*` stands for any part of
   * one name segment (`layer*.0.conv1`).
   */
  target: readonly string[];
}

/** What `applyLora` did: the adapted layers and the update's scale. */
export interface LoraInfo {
  rank: number;
  alpha: number;
  dropout: number;
  /** alpha / rank. */
  scale: number;
  /** Names of the adapted layers. */
  layers: string[];
}

const applied = new WeakMap<AnyModule, LoraInfo>();

/** Whether a state-dict name is a LoRA adapter tensor. */
export const isLoraName = (name: string): boolean => /(^|\.)lora_[AB]\./.test(name);

function patternMatcher(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]*');
  return new RegExp(`^${body}(\\..*)?$`);
}

/**
 * Adds LoRA adapters to the layers `options.target` selects and freezes every other parameter of `net`.
 * @param option the option's name in error messages (e.g. `finetune.lora`)
 * @returns the adapted layers and the scale
 * @throws OptionError naming `${option}.rank`, `.alpha`, `.dropout` or `.target` for a bad value, a
 *   pattern that selects no linear or convolution layer, or a grouped convolution
 *
 * @example
 * ```ts
 * const net = new ResNet({ depth: 18, numClasses: 2 });
 * loadModule(net, 'base.safetensors');
 * applyLora(net, { rank: 8, alpha: 16, target: ['layer4', 'fc'] });
 * ```
 */
export function applyLora(net: Module<never, unknown>, options: LoraOptions, option = 'lora'): LoraInfo {
  const { rank, alpha } = options;
  const dropout = options.dropout ?? 0;
  if (!(Number.isInteger(rank) && rank > 0))
    throw new OptionError(`${option}.rank`, `must be a positive integer, got ${rank}`);
  if (!(Number.isFinite(alpha) && alpha > 0))
    throw new OptionError(`${option}.alpha`, `must be positive, got ${alpha}`);
  if (!(dropout >= 0 && dropout < 1)) throw new OptionError(`${option}.dropout`, `must lie in [0, 1), got ${dropout}`);
  if (applied.has(net)) throw new OptionError(option, 'the network already has LoRA adapters');
  if (options.target.length === 0) throw new OptionError(`${option}.target`, 'names no layer');
  const layers = net.namedModules().filter(([, m]) => m instanceof Linear || m instanceof Conv) as Array<
    [string, Linear | Conv]
  >;
  const chosen = new Map<string, Linear | Conv>();
  for (const pattern of options.target) {
    const re = patternMatcher(pattern);
    const hits = layers.filter(([name]) => re.test(name));
    if (hits.length === 0)
      throw new OptionError(
        `${option}.target`,
        `'${pattern}' matches no linear or convolution layer (they are named like ${layers
          .slice(0, 3)
          .map(([n]) => n)
          .join(', ')}, …, ${layers.at(-1)?.[0] ?? ''})`,
      );
    for (const [name, m] of hits) chosen.set(name, m);
  }
  for (const [name, m] of chosen)
    if (m instanceof Conv && m.groups !== 1)
      throw new OptionError(`${option}.target`, `${name} is a grouped convolution (groups ${m.groups}); LoRA needs 1`);
  for (const p of net.parameters()) p.requiresGrad_(false);
  const scale = alpha / rank;
  for (const [, m] of chosen) attach(m, rank, scale, dropout);
  for (const m of net.modules()) if (m instanceof BatchNorm || m instanceof InstanceNorm) keepInEval(m);
  const info: LoraInfo = { rank, alpha, dropout, scale, layers: [...chosen.keys()] };
  applied.set(net, info);
  return info;
}

/** The LoRA settings of a network `applyLora` adapted, or null. */
export function loraInfo(net: AnyModule): LoraInfo | null {
  return applied.get(net) ?? null;
}

function attach(layer: Linear | Conv, rank: number, scale: number, dropout: number): void {
  let a: Linear | Conv, b: Linear | Conv;
  if (layer instanceof Linear) {
    a = new Linear(layer.inFeatures, rank, { bias: false });
    b = new Linear(rank, layer.outFeatures, { bias: false });
  } else {
    a = new Conv(layer.dims, layer.inChannels, rank, layer.kernelSize, {
      stride: layer.stride,
      padding: layer.padding,
      dilation: layer.dilation,
      bias: false,
    });
    b = new Conv(layer.dims, rank, layer.outChannels, 1, { bias: false });
  }
  noGrad(() => b.weight.zero_());
  // the layer's dtype and device (a network moved or cast before the adapters were added)
  for (const m of [a, b]) {
    if (layer.weight.dtype !== 'float32') m.to(layer.weight.dtype);
    if (layer.weight.device !== 'cpu') m.to(layer.weight.device);
  }
  layer.registerModule('lora_A', a);
  layer.registerModule('lora_B', b);
  const drop = dropout > 0 ? layer.registerModule('lora_dropout', new Dropout(dropout)) : null;
  const base = Object.getPrototypeOf(layer).forward as (x: Tensor) => Tensor;
  // an own property shadows the class's forward for this one layer; its parents call it unchanged
  Object.defineProperty(layer, 'forward', {
    configurable: true,
    writable: true,
    value: (x: Tensor): Tensor => {
      const y = base.call(layer, x);
      const h = drop ? drop.forward(x) : x;
      const low = a.forward(h);
      if (h !== x) h.dispose();
      const up = b.forward(low);
      low.dispose();
      const out = y.add(up, scale);
      y.dispose();
      up.dispose();
      return out;
    },
  });
}

/** Running statistics stay as the base had them: the layer evaluates in eval mode, also while training. */
function keepInEval(m: AnyModule): void {
  Object.defineProperty(m, 'training', { configurable: true, get: () => false, set: () => {} });
}

/**
 * The base state dict with every adapter merged in: W' = W + scale · B·A (for a convolution, B·A as the
 * kernel of one convolution). New tensors, owned by the caller; no adapter names remain.
 * @throws RangeError when an adapter lacks its layer weight or its B
 */
export function mergeLoraState(state: StateDict | Map<string, Tensor>, scale: number): StateDict {
  const source = state instanceof Map ? state : new Map(Object.entries(state));
  const out: StateDict = {};
  noGrad(() => {
    for (const [name, t] of source) if (!isLoraName(name) && !/(^|\.)lora_dropout\./.test(name)) out[name] = t.clone();
    for (const [name, a] of source) {
      if (!name.endsWith('.lora_A.weight')) continue;
      const layer = name.slice(0, -'.lora_A.weight'.length);
      const b = source.get(`${layer}.lora_B.weight`);
      const w = out[`${layer}.weight`];
      if (!b || !w) throw new RangeError(`LoRA adapter ${layer} lacks ${b ? `${layer}.weight` : 'its lora_B.weight'}`);
      const r = a.shape[0]!;
      const a2 = a.reshape([r, -1]);
      const b2 = b.reshape([b.shape[0]!, r]);
      const product = b2.matmul(a2);
      const delta = product.reshape(w.shape);
      w.add_(delta, scale);
      for (const t of [a2, b2, product, delta]) t.dispose();
    }
  });
  return out;
}

/** `mergeLoraState` of an adapted network: the weights of the plain network that computes the same. */
export function mergeLora(net: AnyModule): StateDict {
  const info = applied.get(net);
  if (!info) throw new RangeError(`${net.constructor.name} has no LoRA adapters to merge`);
  return mergeLoraState(net.stateDict(), info.scale);
}

/**
 * Writes the adapters (and the `extra` parameters trained beside them, e.g. a new head) to their own
 * safetensors file, with rank, alpha, dropout and the adapted layers in its metadata.
 */
export function saveLoraAdapters(
  net: AnyModule,
  path: string,
  options: { extra?: readonly string[]; metadata?: Record<string, string> } = {},
): void {
  const info = applied.get(net);
  if (!info) throw new RangeError(`${net.constructor.name} has no LoRA adapters to save`);
  const state = net.stateDict();
  const extra = new Set(options.extra ?? []);
  const tensors = Object.fromEntries(Object.entries(state).filter(([n]) => isLoraName(n) || extra.has(n)));
  writeSafetensors(path, tensors, {
    ...options.metadata,
    format: 'vesalius-lora-1',
    rank: String(info.rank),
    alpha: String(info.alpha),
    dropout: String(info.dropout),
    layers: JSON.stringify(info.layers),
  });
}

/**
 * Loads an adapter file into a network that `applyLora` adapted with the same settings.
 * @throws FileFormatError naming the file when its rank/alpha differ or a name does not fit
 */
export function loadLoraAdapters(net: AnyModule, path: string): void {
  const info = applied.get(net);
  if (!info) throw new RangeError(`${net.constructor.name} has no LoRA adapters to load into`);
  const { tensors, metadata } = readSafetensorsFile(path);
  try {
    if (metadata.format !== 'vesalius-lora-1') throw new FileFormatError(path, 'not a Vesalius LoRA adapter file');
    if (Number(metadata.rank) !== info.rank || Number(metadata.alpha) !== info.alpha)
      throw new FileFormatError(
        path,
        `holds rank ${metadata.rank}, alpha ${metadata.alpha}; the network has rank ${info.rank}, alpha ${info.alpha}`,
      );
    const own = net.stateDict();
    const unknown = Object.keys(tensors).filter((n) => !(n in own));
    const missing = Object.keys(own).filter((n) => isLoraName(n) && !(n in tensors));
    if (unknown.length || missing.length)
      throw new FileFormatError(
        path,
        `adapter names do not fit: ${[missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unexpected ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}`,
      );
    try {
      net.loadStateDict(tensors, { strict: false });
    } catch (err) {
      if (err instanceof RangeError) throw new FileFormatError(path, err.message);
      throw err;
    }
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
