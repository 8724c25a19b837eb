import assert from 'node:assert/strict';
import type { Tensor } from '../../src/engine/index.js';

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = 'values',
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0,
    at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(Number(actual[i]) - Number(expected[i]));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  assert.ok(
    worst <= tol,
    `${what}: max difference ${worst} at ${at} (actual ${actual[at]}, expected ${expected[at]}) above ${tol}`,
  );
}

export const values = (t: Tensor): number[] => t.toNumbers();

/** Centre of mass (tensor-order coordinates) of a (1, ...spatial) non-negative tensor. */
export function centreOfMass(t: Tensor): number[] {
  const shape = t.shape.slice(1);
  const v = t.toNumbers();
  const com = shape.map(() => 0);
  let total = 0;
  for (let flat = 0; flat < v.length; flat++) {
    const w = v[flat]!;
    if (w === 0) continue;
    let rest = flat;
    for (let a = shape.length - 1; a >= 0; a--) {
      com[a]! += (rest % shape[a]!) * w;
      rest = Math.floor(rest / shape[a]!);
    }
    total += w;
  }
  return com.map((c) => c / total);
}
