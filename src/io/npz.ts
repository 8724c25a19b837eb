/**
 * NumPy `.npz` archives (a zip of `.npy` files, stored or deflated, zip64 as numpy writes them) and
 * `.npy` arrays: the format MedMNIST ships (`train_images`, `train_labels`, …). Arrays come back in C
 * order with their shape; Fortran-ordered and object arrays are refused with the array's name.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { FileFormatError } from '../util/errors.js';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export interface NpyArray {
  /** numpy's dtype string, e.g. '|u1', '<f4'. */
  descr: string;
  shape: number[];
  data: NpyData;
}

const TYPES: Record<string, [new (buffer: ArrayBuffer) => NpyData, number]> = {
  u1: [Uint8Array, 1],
  i1: [Int8Array, 1],
  b1: [Uint8Array, 1],
  u2: [Uint16Array, 2],
  i2: [Int16Array, 2],
  u4: [Uint32Array, 4],
  i4: [Int32Array, 4],
  f4: [Float32Array, 4],
  f8: [Float64Array, 8],
  i8: [BigInt64Array, 8],
  u8: [BigUint64Array, 8],
};

/** Parses one `.npy` file's bytes; `where` names it in errors. */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new FileFormatError(where, 'not a .npy array');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new FileFormatError(where, `unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True')
    throw new FileFormatError(where, 'Fortran-ordered arrays are not supported (save in C order)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const kind = TYPES[descr.slice(1)];
  if (!kind || descr[0] === '>') throw new FileFormatError(where, `unsupported dtype '${descr}'`);
  const [ArrayType, size] = kind;
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (bytes.length - offset < count * size)
    throw new FileFormatError(where, `truncated: shape (${shape.join(', ')}) needs ${count * size} bytes of data`);
  // copy: the data may not be aligned for a typed-array view
  const copy = new Uint8Array(count * size);
  copy.set(bytes.subarray(offset, offset + count * size));
  return { descr, shape, data: new ArrayType(copy.buffer) };
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

function centralDirectory(bytes: Uint8Array, path: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FileFormatError(path, 'not an .npz (zip) archive: no end of central directory');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50)
      throw new FileFormatError(path, 'zip64 archive without its locator');
    const zip64 = Number(view.getBigUint64(locator + 8, true));
    count = Number(view.getBigUint64(zip64 + 32, true));
    offset = Number(view.getBigUint64(zip64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  for (let e = 0; e < count; e++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50)
      throw new FileFormatError(path, 'corrupt zip central directory');
    const method = view.getUint16(offset + 10, true);
    let compressedSize = view.getUint32(offset + 20, true);
    const uncompressed = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    let localOffset = view.getUint32(offset + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    // zip64 extra field: the 0xFFFFFFFF fields follow in order (uncompressed, compressed, offset)
    let x = offset + 46 + nameLength;
    const extraEnd = x + extraLength;
    while (x + 4 <= extraEnd) {
      const id = view.getUint16(x, true);
      const size = view.getUint16(x + 2, true);
      if (id === 0x0001) {
        let p = x + 4;
        if (uncompressed === 0xffffffff) p += 8;
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(view.getBigUint64(p, true));
          p += 8;
        }
        if (localOffset === 0xffffffff) localOffset = Number(view.getBigUint64(p, true));
      }
      x += 4 + size;
    }
    entries.push({ name, method, compressedSize, localOffset });
    offset = extraEnd + commentLength;
  }
  return entries;
}

/** Every array of an `.npz` file, by name without the `.npy` ending. */
export function readNpz(path: string): Record<string, NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FileFormatError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, NpyArray> = {};
  for (const entry of centralDirectory(bytes, path)) {
    if (!entry.name.endsWith('.npy')) continue;
    const at = entry.localOffset;
    if (view.getUint32(at, true) !== 0x04034b50) throw new FileFormatError(path, `corrupt zip entry ${entry.name}`);
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const raw = bytes.subarray(start, start + entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) data = inflateRawSync(raw);
    else throw new FileFormatError(path, `${entry.name}: zip compression method ${entry.method} is not supported`);
    const name = entry.name.slice(0, -4);
    out[name] = parseNpy(data, `${path}:${name}`);
  }
  return out;
}
