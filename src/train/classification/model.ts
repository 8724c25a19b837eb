/**
 * The classifier a run trains and every later command rebuilds from the run's config.json: the
 * network by name, then fine-tuning — weights from a Vesalius checkpoint or a PyTorch state dict in
 * safetensors (names renamed through `finetune.name_map`; a head of another class count is replaced
 * by a new one), and frozen layers by name prefix.
 */
import { readSafetensorsFile } from '../../engine/safetensors.js';
import type { Tensor } from '../../engine/tensor.js';
import type { Classifier } from '../../nets/classifier.js';
import { buildClassifier } from '../../nets/classifiers.js';
import { FileFormatError, OptionError } from '../../util/errors.js';
import type { ClassificationConfig } from './config.js';

export function buildClassificationNetwork(
  config: Pick<ClassificationConfig, 'network' | 'input'>,
  inChannels: number,
  numClasses: number,
): Classifier {
  const n = config.network;
  return buildClassifier(n.architecture, {
    spatialDims: config.input.size.length as 2 | 3,
    inChannels,
    numClasses,
    dropout: n.dropout ?? undefined,
    stem: n.stem,
    norm: n.norm,
    imageSize: config.input.size,
    patchSize: n.patch_size,
    hiddenFeatures: n.hidden_features,
  });
}

/** Renames by the longest matching prefix of `map` (their name → ours). */
export function renameKeys(names: Iterable<string>, map: Record<string, string>): Map<string, string> {
  const prefixes = Object.keys(map).sort((a, b) => b.length - a.length);
  const out = new Map<string, string>();
  for (const name of names) {
    const p = prefixes.find((q) => name === q || name.startsWith(`${q}.`) || q === '');
    out.set(name, p === undefined ? name : `${map[p]}${name.slice(p.length)}`.replace(/^\./, ''));
  }
  return out;
}

/**
 * Loads pretrained weights into `net` by name. Every name must match except the head's when its shape
 * differs (a new head for a new class count); otherwise the missing and unexpected names are listed.
 * @returns the head's parameter names that were left newly initialised
 */
export function loadPretrained(net: Classifier, path: string, nameMap: Record<string, string>): string[] {
  const { tensors } = readSafetensorsFile(path);
  try {
    const renamed = renameKeys(Object.keys(tensors), nameMap);
    const source = new Map<string, Tensor>();
    for (const [theirs, ours] of renamed) source.set(ours, tensors[theirs]!);
    const own = net.stateDict();
    const fresh: string[] = [];
    for (const [name, t] of source) {
      if (name.startsWith(`${net.headName}.`) && own[name] && own[name]!.shape.join() !== t.shape.join()) {
        source.delete(name);
        fresh.push(name);
      }
    }
    const missing = Object.keys(own).filter((k) => !source.has(k) && !fresh.includes(k));
    const unexpected = [...source.keys()].filter((k) => !(k in own));
    if (missing.length || unexpected.length) {
      const list = (xs: string[]) => `${xs.slice(0, 8).join(', ')}${xs.length > 8 ? `, … (${xs.length} in all)` : ''}`;
      throw new FileFormatError(
        path,
        `state dict names do not match ${net.constructor.name}: ${[
          missing.length ? `missing ${list(missing)}` : '',
          unexpected.length ? `unexpected ${list(unexpected)}` : '',
        ]
          .filter(Boolean)
          .join('; ')} (rename with finetune.name_map)`,
      );
    }
    try {
      net.loadStateDict(source, { strict: false });
    } catch (err) {
      if (err instanceof RangeError) throw new FileFormatError(path, err.message);
      throw err;
    }
    return fresh;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/** Freezes every parameter whose name starts with one of `prefixes`; returns how many were frozen. */
export function freeze(net: Classifier, prefixes: readonly string[]): number {
  if (prefixes.length === 0) return 0;
  const params = net.namedParameters();
  for (const p of prefixes)
    if (!params.some(([name]) => name === p || name.startsWith(`${p}.`)))
      throw new OptionError('finetune.freeze', `'${p}' matches no parameter (names look like ${params[0]?.[0] ?? ''})`);
  let count = 0;
  for (const [name, t] of params) {
    if (prefixes.some((p) => name === p || name.startsWith(`${p}.`))) {
      t.requiresGrad_(false);
      count++;
    }
  }
  return count;
}
