/**
 * Where a spatial transform reads its input: a subject's tensors, or (in the batch loader) a case
 * held as flat typed arrays, from which only the region the output patch touches is copied.
 */
import * as ve from '../engine/index.js';
import type { DType } from '../engine/index.js';
import type { Subject } from './transform.js';

export interface PatchSource {
  /** Spatial shape of the whole source (tensor order). */
  readonly spatialShape: readonly number[];
  readonly channels: number;
  /** Label channels and dtype, when the source has a label. */
  readonly label?: { channels: number; dtype: DType };
  readonly device: string;
  /** Tensors of the region [start, end) (inside the source): image (C, ...) and label (Cl, ...). */
  read(start: readonly number[], end: readonly number[]): Subject;
}

/** A subject's tensors as a source (regions are views, not copies). */
export function tensorSource(subject: Subject): PatchSource {
  const spatialShape = subject.image.shape.slice(1);
  const crop = (t: ve.Tensor, start: readonly number[], end: readonly number[]) => {
    let r = t;
    start.forEach((s, a) => {
      if (s !== 0 || end[a] !== spatialShape[a]) r = ve.narrow(r, a + 1, s, end[a]! - s);
    });
    return r;
  };
  return {
    spatialShape,
    channels: subject.image.shape[0]!,
    label: subject.label && { channels: subject.label.shape[0]!, dtype: subject.label.dtype },
    device: subject.image.device,
    read: (start, end) => ({
      image: crop(subject.image, start, end),
      label: subject.label && crop(subject.label, start, end),
    }),
  };
}

export interface ArrayCase {
  /** (C, ...spatial) flat, last axis fastest. */
  image: Float32Array;
  /** (1, ...spatial) flat, when the case has a label. */
  label?: Uint8Array;
  channels: number;
  /** Spatial shape in tensor order (the last axis is the fastest in memory). */
  spatialShape: readonly number[];
}

/** Copies box [start, end) of every channel out of a flat (C, ...spatial) array. */
export function copyRegion<T extends Float32Array | Uint8Array>(
  src: T,
  channels: number,
  shape: readonly number[],
  start: readonly number[],
  end: readonly number[],
): T {
  const n = shape.length;
  const size = start.map((s, a) => end[a]! - s);
  const rowLength = size[n - 1]!;
  const rows = size.slice(0, n - 1).reduce((a, b) => a * b, 1);
  const out = new (src.constructor as new (length: number) => T)(channels * rows * rowLength);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const volume = shape.reduce((a, b) => a * b, 1);
  const index = Array<number>(n - 1).fill(0);
  let o = 0;
  for (let c = 0; c < channels; c++) {
    for (let r = 0; r < rows; r++) {
      let rest = r;
      for (let a = n - 2; a >= 0; a--) {
        index[a] = rest % size[a]!;
        rest = (rest - index[a]!) / size[a]!;
      }
      let offset = c * volume + start[n - 1]!;
      for (let a = 0; a < n - 1; a++) offset += (start[a]! + index[a]!) * strides[a]!;
      out.set(src.subarray(offset, offset + rowLength), o);
      o += rowLength;
    }
  }
  return out;
}

/** A case held in typed arrays (shared or not) as a source; only the read region becomes a tensor. */
export function arraySource(c: ArrayCase, device = 'cpu'): PatchSource {
  return {
    spatialShape: c.spatialShape,
    channels: c.channels,
    label: c.label && { channels: 1, dtype: 'uint8' },
    device,
    read(start, end) {
      const size = start.map((s, a) => end[a]! - s);
      const image = ve.Tensor.from(copyRegion(c.image, c.channels, c.spatialShape, start, end), [c.channels, ...size], {
        device,
      });
      const label =
        c.label &&
        ve.Tensor.from(copyRegion(c.label, 1, c.spatialShape, start, end), [1, ...size], { device, dtype: 'uint8' });
      return { image, label };
    },
  };
}
