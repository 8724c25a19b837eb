// Reads a reference NIfTI (dcm2niix output) with nifti-reader-js and maps our voxels into it through world space.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nifti from 'nifti-reader-js';
import { indexToWorld, type Image } from '../../../src/io/image.js';

export interface NiftiReference {
  dims: number[];
  data: ArrayLike<number>;
  /** 4×4 voxel → world matrix in LPS (NIfTI's RAS affine with x and y negated). */
  affineLps: number[][];
}

const TYPED: Record<number, new (b: ArrayBufferLike) => ArrayLike<number>> = {
  2: Uint8Array,
  4: Int16Array,
  8: Int32Array,
  16: Float32Array,
  64: Float64Array,
  256: Int8Array,
  512: Uint16Array,
  768: Uint32Array,
};

export function readNiftiReference(path: string): NiftiReference {
  const file = readFileSync(path);
  let buffer: ArrayBufferLike = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  if (nifti.isCompressed(buffer as ArrayBuffer)) buffer = nifti.decompress(buffer as ArrayBuffer);
  const header = nifti.readHeader(buffer as ArrayBuffer);
  assert.ok(header.sform_code > 0 || header.qform_code > 0, `${path}: reference has no sform/qform`);
  assert.ok(header.littleEndian, 'reference is little endian');
  const Typed = TYPED[header.datatypeCode];
  assert.ok(Typed, `datatype ${header.datatypeCode}`);
  const data = new Typed(nifti.readImage(header, buffer as ArrayBuffer));
  const ras = header.affine;
  const affineLps = ras.map((row, r) => row.map((v) => (r < 2 ? -v : v)));
  const dims = header.dims.slice(1, 1 + header.dims[0]!);
  return { dims, data, affineLps };
}

function invert4(m: number[][]): number[][] {
  // affine inverse: [A b; 0 1]^-1 = [A^-1, -A^-1 b]
  const a = m.map((r) => r.slice(0, 3));
  const det =
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const inv = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => {
      const r = [0, 1, 2].filter((x) => x !== j),
        c = [0, 1, 2].filter((x) => x !== i);
      const minor = a[r[0]!]![c[0]!]! * a[r[1]!]![c[1]!]! - a[r[0]!]![c[1]!]! * a[r[1]!]![c[0]!]!;
      return (((i + j) % 2 ? -1 : 1) * minor) / det;
    }),
  );
  const b = [m[0]![3]!, m[1]![3]!, m[2]![3]!];
  return inv.map((row) => [...row, -(row[0]! * b[0]! + row[1]! * b[1]! + row[2]! * b[2]!)]).concat([[0, 0, 0, 1]]);
}

function apply(m: number[][], p: readonly number[]): number[] {
  return [0, 1, 2].map((r) => m[r]![0]! * p[0]! + m[r]![1]! * p[1]! + m[r]![2]! * p[2]! + m[r]![3]!);
}

function corners(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  for (const k of [0, shape[2]! - 1])
    for (const j of [0, shape[1]! - 1]) for (const i of [0, shape[0]! - 1]) out.push([i, j, k]);
  return out;
}

/** Every corner voxel centre of ours is within `tol` mm of a corner voxel centre of the reference. */
export function assertSameCorners(img: Image, ref: NiftiReference, tol = 0.01): void {
  const theirs = corners(ref.dims).map((c) => apply(ref.affineLps, c));
  for (const c of corners(img.shape)) {
    const w = indexToWorld(img, c);
    const best = Math.min(...theirs.map((t) => Math.hypot(t[0]! - w[0], t[1]! - w[1], t[2]! - w[2])));
    assert.ok(
      best <= tol,
      `our corner (${c}) at (${w.map((v) => v.toFixed(3))}) is ${best.toFixed(4)} mm from every reference corner`,
    );
  }
}

/**
 * For every voxel of ours (all volumes), its world position must land on a reference voxel centre
 * (within 1e-3 voxel) and, when `values` is set, hold the same value there.
 */
export function assertSameThroughWorld(img: Image, ref: NiftiReference, options: { values: boolean }): void {
  const inv = invert4(ref.affineLps);
  const [ni, nj, nk] = img.shape as [number, number, number];
  const volumes = img.shape.slice(3).reduce((a, b) => a * b, 1);
  const [ri, rj, rk] = ref.dims as [number, number, number];
  const refVolumes = ref.dims.slice(3).reduce((a, b) => a * b, 1);
  assert.equal(volumes, refVolumes, 'number of volumes');
  assert.equal(ni * nj * nk, ri * rj * rk, 'voxels per volume');
  let mismatches = 0;
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const p = apply(inv, indexToWorld(img, [i, j, k]));
        const q = p.map(Math.round);
        p.forEach((v, a) =>
          assert.ok(Math.abs(v - q[a]!) < 1e-3, `voxel (${i},${j},${k}) maps off the reference grid: ${p}`),
        );
        assert.ok(
          q[0]! >= 0 && q[0]! < ri && q[1]! >= 0 && q[1]! < rj && q[2]! >= 0 && q[2]! < rk,
          `voxel (${i},${j},${k}) maps outside the reference`,
        );
        if (!options.values) continue;
        for (let t = 0; t < volumes; t++) {
          const ours = img.data[i + ni * (j + nj * (k + nk * t))]!;
          const theirs = ref.data[q[0]! + ri * (q[1]! + rj * (q[2]! + rk * t))]!;
          if (ours !== theirs) mismatches++;
        }
      }
  assert.equal(mismatches, 0, `${mismatches} voxel values differ from the reference`);
}
