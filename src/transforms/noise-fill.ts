/**
 * Random fields drawn from the JavaScript `Random`, not from libtorch's generator: libtorch's
 * generator is one per process, shared by every worker thread, so seeding it cannot make a
 * worker's draws reproducible. A transform records the 32-bit seed it drew and regenerates the
 * same field from it on replay.
 */
import { Random } from '../util/random.js';

/** n standard normal values (Box–Muller, both outputs used). */
export function normalField(seed: number, n: number): Float32Array {
  const rng = new Random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.next();
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** n values uniform in [-1, 1). */
export function signedUniformField(seed: number, n: number): Float32Array {
  const rng = new Random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng.next() - 1;
  return out;
}
