/**
 * Preprocessed cases cached on disk, so that a second run starts at once: per case `<id>.bin`
 * (float32 channels, then uint8 label and ROI when present, little-endian as the host writes it)
 * and `<id>.json` (shapes, geometry properties, the cache key). The key hashes what the result
 * depends on — the plan's preprocessing fields and each input file's path, size and mtime — so an
 * edited file or plan recomputes the case. Both files are written atomically, the JSON last.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { checkSameGrid, type ImageReader, loadCase, singleChannel } from './fingerprint.js';
import type { Case, Dataset } from './layout/dataset.js';
import type { Plan } from './plan.js';
import {
  type CaseProperties,
  type PreprocessedCase,
  type Resampler,
  defaultResampler,
  preprocessCase,
} from './preprocess.js';
import { LABEL_MAP } from '../io/read-options.js';

const CACHE_VERSION = 1;

interface CacheMeta {
  version: number;
  key: string;
  id: string;
  shape: [number, number, number];
  channels: number;
  hasLabel: boolean;
  hasRoi: boolean;
  properties: CaseProperties;
}

/** The cache key of a case under a plan. */
export function caseCacheKey(c: Case, plan: Plan): string {
  const files = [...c.images, c.label, c.roi]
    .filter((p): p is string => p !== undefined)
    .map((path) => {
      const s = statSync(path);
      return [path, s.size, s.mtimeMs];
    });
  const planPart = {
    dimension: plan.dimension,
    target_spacing: plan.target_spacing,
    channels: plan.channels,
    normalization: plan.normalization,
    use_mask_for_norm: plan.use_mask_for_norm,
    foreground_intensity: plan.foreground_intensity,
  };
  return createHash('sha256')
    .update(JSON.stringify({ v: CACHE_VERSION, planPart, files }))
    .digest('hex');
}

/** A filesystem-safe name for a case id. */
function fileStem(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function saveCachedCase(dir: string, p: PreprocessedCase, key: string): void {
  const n = p.shape[0] * p.shape[1] * p.shape[2];
  const bytes = new Uint8Array(p.data.byteLength + (p.label ? n : 0) + (p.roi ? n : 0));
  bytes.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), 0);
  let off = p.data.byteLength;
  if (p.label) {
    bytes.set(p.label, off);
    off += n;
  }
  if (p.roi) bytes.set(p.roi, off);
  const stem = fileStem(p.id);
  writeFileAtomic(join(dir, `${stem}.bin`), bytes);
  const meta: CacheMeta = {
    version: CACHE_VERSION,
    key,
    id: p.id,
    shape: p.shape,
    channels: p.channels,
    hasLabel: !!p.label,
    hasRoi: !!p.roi,
    properties: p.properties,
  };
  writeFileAtomic(join(dir, `${stem}.json`), JSON.stringify(meta));
}

/** The cached case, or undefined when absent, stale (another key) or incomplete. */
export function loadCachedCase(dir: string, id: string, key: string): PreprocessedCase | undefined {
  const stem = fileStem(id);
  const metaPath = join(dir, `${stem}.json`);
  const binPath = join(dir, `${stem}.bin`);
  if (!existsSync(metaPath) || !existsSync(binPath)) return undefined;
  let meta: CacheMeta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CacheMeta;
  } catch {
    return undefined;
  }
  if (meta.version !== CACHE_VERSION || meta.key !== key || meta.id !== id) return undefined;
  const n = meta.shape[0] * meta.shape[1] * meta.shape[2];
  const bytes = readFileSync(binPath);
  const expected = 4 * n * meta.channels + (meta.hasLabel ? n : 0) + (meta.hasRoi ? n : 0);
  if (bytes.length !== expected) return undefined;
  const data = new Float32Array(n * meta.channels);
  new Uint8Array(data.buffer).set(bytes.subarray(0, 4 * n * meta.channels));
  let off = 4 * n * meta.channels;
  const label = meta.hasLabel ? Uint8Array.from(bytes.subarray(off, off + n)) : undefined;
  if (meta.hasLabel) off += n;
  const roi = meta.hasRoi ? Uint8Array.from(bytes.subarray(off, off + n)) : undefined;
  return { id, data, channels: meta.channels, shape: meta.shape, label, roi, properties: meta.properties };
}

/** Reads (through `reader`) and preprocesses one case, including its ROI mask. */
export async function readAndPreprocess(
  dataset: Dataset,
  c: Case,
  plan: Plan,
  reader: ImageReader,
  resample: Resampler = defaultResampler,
): Promise<PreprocessedCase> {
  const loaded = await loadCase(dataset, c, reader);
  let roi: ArrayLike<number> | undefined;
  if (c.roi) {
    const img = await reader(c.roi, LABEL_MAP);
    checkSameGrid(loaded.image, img, c.images[0]!, c.roi);
    roi = singleChannel(img, c.roi);
  }
  const g = loaded.image;
  return preprocessCase(
    { ...loaded, roi },
    { spacing: g.spacing, origin: g.origin, direction: g.direction },
    plan,
    resample,
  );
}

export interface PreprocessOptions {
  /** Folder for cached cases; no caching when absent. */
  cacheDir?: string;
  /** The resampler (default: the io layer's). */
  resample?: Resampler;
  /** Called after each case, with whether it came from the cache. */
  onCase?: (id: string, index: number, total: number, cached: boolean) => void;
}

/** Preprocesses cases (from the cache when it is fresh), one at a time. */
export async function preprocessCases(
  dataset: Dataset,
  cases: readonly Case[],
  plan: Plan,
  reader: ImageReader,
  options: PreprocessOptions = {},
): Promise<PreprocessedCase[]> {
  const out: PreprocessedCase[] = [];
  for (const [index, c] of cases.entries()) {
    const key = options.cacheDir ? caseCacheKey(c, plan) : '';
    let p = options.cacheDir ? loadCachedCase(options.cacheDir, c.id, key) : undefined;
    const cached = p !== undefined;
    if (!p) {
      p = await readAndPreprocess(dataset, c, plan, reader, options.resample);
      if (options.cacheDir) saveCachedCase(options.cacheDir, p, key);
    }
    options.onCase?.(c.id, index, cases.length, cached);
    out.push(p);
  }
  return out;
}
