import { native } from './native.js';
import { Tensor } from './tensor.js';

/**
 * Deterministic memory management. Native tensors are freed:
 *  - at once by `t.dispose()` / `dispose(...)`;
 *  - when the innermost `tidy(fn)` that created them returns (unless returned from `fn` or `keep`-ed);
 *  - as a backstop, when JavaScript's garbage collector finalizes the handle (the addon reports the
 *    tensors' bytes to V8 as external memory, so forgotten tensors do create GC pressure).
 */

const scopes: Tensor[][] = [];
const kept = new WeakSet<Tensor>();

/** Called by the Tensor constructor: the tensor belongs to the innermost open scope. */
export function track(t: Tensor): void {
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.push(t);
}

/**
 * Runs `fn` and disposes every tensor created during it, except tensors reachable from its result
 * (through arrays, plain objects and Maps) and tensors passed to `keep`. Returned tensors move to the
 * enclosing scope. `fn` must be synchronous (a scope cannot follow an await).
 *
 * @example
 * ```ts
 * const loss = tidy(() => mseLoss(linear(x, w), y)); // the intermediate result is freed, loss is kept
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw new TypeError('tidy() takes a synchronous function; it returned a Promise');
  }
  const survivors = new Set<Tensor>();
  collect(result, survivors, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.push(t);
    else if (!kept.has(t)) t.dispose();
  }
  return result;
}

function collect(v: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v)) for (const x of v) collect(x, out, seen);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, seen);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, seen);
}

/** Exempts a tensor from every enclosing `tidy` (it lives until disposed or collected). */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/** Disposes every tensor in a tensor, an array, a Map or a plain object (deeply). */
export function dispose(x: unknown): void {
  const all = new Set<Tensor>();
  collect(x, all, new Set());
  for (const t of all) t.dispose();
}

export interface MemoryStats {
  /** native tensor handles alive in this thread (not yet disposed or collected) */
  liveTensors: number;
  /** bytes those handles address (views of one storage count once per handle) */
  liveBytes: number;
  /** tidy scopes currently open */
  openScopes: number;
  /** bytes glibc's malloc has handed out process-wide (small tensors, libtorch's own caches, everything native
   * that is not a large tensor), when known */
  mallocInUse?: number;
  /** the process-wide caching allocator that holds tensors of 256 KiB and more (absent with VESALIUS_CPU_CACHE=0) */
  cpuCache?: CpuCacheStats;
}

export interface CpuCacheStats {
  /** bytes of large tensor blocks in use */
  inUseBytes: number;
  /** bytes of freed blocks kept mapped for reuse (given back by `emptyCache()`) */
  cachedBytes: number;
  /** the most `inUseBytes` has been; mapped bytes stay within it plus max(1/16 of it, 64 MiB) */
  peakInUseBytes: number;
  /** allocations served from the cache, newly mapped, and cached blocks unmapped to stay within the bound */
  hits: number;
  misses: number;
  evictions: number;
}

/** Live tensor handles, bytes reported to V8, and the caching CPU allocator's and malloc's usage. */
export function memoryStats(): MemoryStats {
  const s = native.stats();
  const out: MemoryStats = { liveTensors: s.liveTensors, liveBytes: s.liveBytes, openScopes: scopes.length };
  if (s.mallocInUse !== undefined) out.mallocInUse = s.mallocInUse;
  if (s.cpuCache !== undefined) out.cpuCache = s.cpuCache;
  return out;
}

/**
 * Gives every cached CPU tensor block back to the operating system (like `torch.cuda.empty_cache()` for
 * the CPU) and returns the bytes released. Tensors in use are untouched; the next allocations map afresh.
 */
export function emptyCache(): number {
  return native.emptyCache();
}
