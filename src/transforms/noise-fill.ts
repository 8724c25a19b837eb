/**
 * Random fields drawn on the JavaScript side, not from libtorch's generator: libtorch's generator
 * is one per process, shared by every worker thread, so seeding it cannot make a worker's draws
 * reproducible. A transform records the 32-bit seed it drew and regenerates the same field from it
 * on replay. The generator is xoshiro128** (as util/random.ts) inlined in the loops: these fields
 * have up to millions of values and a method call per value would dominate the augmentation.
 */
import { xoshiroState } from '../util/random.js';

/** Fills `out` with uniform numbers in [0, 1) and returns it. */
function fillUniform(seed: number, out: Float64Array): Float64Array {
  const st = xoshiroState(seed);
  let s0 = st[0]!,
    s1 = st[1]!,
    s2 = st[2]!,
    s3 = st[3]!;
  for (let i = 0; i < out.length; i++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = r / 4294967296;
  }
  return out;
}

/** n standard normal values (Marsaglia's polar method, both outputs used). */
export function normalField(seed: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const chunk = 65536;
  const u = new Float64Array(chunk);
  let used = chunk;
  let block = 0;
  let i = 0;
  while (i < n) {
    if (used + 2 > chunk) {
      fillUniform((seed + Math.imul(block++, 0x9e3779b1)) >>> 0, u);
      used = 0;
    }
    const a = 2 * u[used]! - 1;
    const b = 2 * u[used + 1]! - 1;
    used += 2;
    const q = a * a + b * b;
    if (q >= 1 || q === 0) continue;
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    out[i++] = a * f;
    if (i < n) out[i++] = b * f;
  }
  return out;
}

/** n values uniform in [-1, 1). */
export function signedUniformField(seed: number, n: number): Float32Array {
  const u = fillUniform(seed, new Float64Array(n));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * u[i]! - 1;
  return out;
}
