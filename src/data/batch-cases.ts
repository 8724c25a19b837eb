/**
 * Cases as the batch loader holds them: flat typed arrays in PyTorch layout (C, [D,] H, W), last
 * axis fastest, either in memory (shared with the workers, not copied) or in a file laid out as the
 * preprocessing cache writes it (float32 channels, then the uint8 label), read region by region.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type ArrayCase, type PatchSource, arraySource } from '../transforms/source.js';
import { FileFormatError, ShapeError } from '../util/errors.js';

export interface MemoryCase {
  /** (C, ...spatial) float32, last axis fastest. */
  image: Float32Array;
  /** (...spatial) class values. */
  label?: Uint8Array;
  channels: number;
  /** Spatial shape in tensor order ([D, H, W] or [H, W]); the last axis is the fastest in memory. */
  spatialShape: number[];
}

export interface FileCase {
  /** Float32 channels then, when hasLabel, the uint8 label (the data cache's `<id>.bin`). */
  file: string;
  channels: number;
  spatialShape: number[];
  hasLabel: boolean;
}

export type LoaderCase = MemoryCase | FileCase;

export const isFileCase = (c: LoaderCase): c is FileCase => typeof (c as FileCase).file === 'string';

export const voxels = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A copy of a memory case whose arrays live in SharedArrayBuffers (workers then read them without copying). */
export function shareCase(c: MemoryCase): MemoryCase {
  const share = <T extends Float32Array | Uint8Array>(a: T, Make: new (b: SharedArrayBuffer) => T): T => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const out = new Make(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return { ...c, image: share(c.image, Float32Array as never), label: c.label && share(c.label, Uint8Array as never) };
}

function readExactly(fd: number, file: string, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new FileFormatError(file, `truncated: expected ${bytes.length} bytes at offset ${position}`);
    done += n;
  }
}

/** The label of a file case (read once, for the foreground locations). */
export function readFileLabel(c: FileCase): Uint8Array {
  const n = voxels(c.spatialShape);
  const out = new Uint8Array(n);
  const fd = openSync(c.file, 'r');
  try {
    readExactly(fd, c.file, out, 4 * n * c.channels);
  } finally {
    closeSync(fd);
  }
  return out;
}

/**
 * A file case as a patch source: a read takes, per channel, the slab of the slowest axis that the
 * region spans (one read each), then copies the region out of it.
 */
export function fileSource(c: FileCase, fd: number, device = 'cpu'): PatchSource {
  const shape = c.spatialShape;
  const n = voxels(shape);
  const rowStride = n / shape[0]!;
  const slab = (start: readonly number[], end: readonly number[]): ArrayCase => {
    const depth = end[0]! - start[0]!;
    const image = new Float32Array(c.channels * depth * rowStride);
    const bytes = new Uint8Array(image.buffer);
    for (let ch = 0; ch < c.channels; ch++) {
      readExactly(
        fd,
        c.file,
        bytes.subarray(ch * depth * rowStride * 4, (ch + 1) * depth * rowStride * 4),
        4 * (ch * n + start[0]! * rowStride),
      );
    }
    let label: Uint8Array | undefined;
    if (c.hasLabel) {
      label = new Uint8Array(depth * rowStride);
      readExactly(fd, c.file, label, 4 * n * c.channels + start[0]! * rowStride);
    }
    return { image, label, channels: c.channels, spatialShape: [depth, ...shape.slice(1)] };
  };
  return {
    spatialShape: shape,
    channels: c.channels,
    label: c.hasLabel ? { channels: 1, dtype: 'uint8' } : undefined,
    device,
    read(start, end) {
      const s = slab(start, end);
      const local = [0, ...start.slice(1)];
      const localEnd = [end[0]! - start[0]!, ...end.slice(1)];
      return arraySource(s, device).read(local, localEnd);
    },
  };
}

/**
 * A preprocessed case (data [C, k, j, i] flat, shape [i, j, k]) as a loader case: the same memory
 * in tensor order, [k, j, i] for 3D training and [j, i] for 2D (k must then be 1).
 */
export function loaderCase(
  p: {
    data: Float32Array;
    label?: Uint8Array;
    channels: number;
    shape: readonly [number, number, number];
    id?: string;
  },
  spatialDims: 2 | 3,
): MemoryCase {
  const [i, j, k] = p.shape;
  if (spatialDims === 2 && k !== 1)
    throw new ShapeError(
      `case ${p.id ?? ''}: 2D training needs k = 1, the case has shape [${p.shape.join(', ')}]`.replace(
        'case  ',
        'case ',
      ),
    );
  return { image: p.data, label: p.label, channels: p.channels, spatialShape: spatialDims === 3 ? [k, j, i] : [j, i] };
}
