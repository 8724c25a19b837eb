/**
 * The seed of batch `index` of a loader seeded with `seed`: every batch draws from its own stream,
 * so its content depends only on (seed, index) — not on which worker made it, how many workers
 * there are or when they ran — and a resumed run continues the same sequence.
 */
export function batchSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ (index >>> 0), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 16) ^ Math.floor(index / 4294967296), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}
