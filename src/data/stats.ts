/** Small statistics helpers with numpy's conventions (so plans match nnU-Net's). */
import { percentile } from '../util/percentile.js';

/** numpy's `np.round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per-axis percentile over rows of equal length. */
export function columnPercentile(rows: readonly (readonly number[])[], q: number): number[] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, d) =>
    percentile(
      rows.map((r) => r[d]!),
      q,
    ),
  );
}
