/**
 * NIfTI-1 / NIfTI-2 / Analyze 7.5 header parsing (https://nifti.nimh.nih.gov/nifti-1, nifti2.h).
 * The byte order is detected as nibabel and nifti_clib do: sizeof_hdr must read 348 (NIfTI-1,
 * Analyze) or 540 (NIfTI-2) in the file's order.
 */
import { FileFormatError } from '../../util/errors.js';

export interface NiftiHeader {
  /** 1 or 2 for NIfTI, 0 for an Analyze 7.5 (SPM) header without NIfTI magic. */
  version: 0 | 1 | 2;
  /** 'n+1'/'n+2' single file, 'ni1'/'ni2' header of a .hdr/.img pair, '' for Analyze. */
  magic: string;
  littleEndian: boolean;
  headerSize: number;
  /** dim[1..dim[0]]. */
  dims: number[];
  datatype: number;
  bitpix: number;
  /** pixdim[0..7]; pixdim[0] is qfac. */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z (12 numbers). */
  srow: number[];
  xyztUnits: number;
  intentCode: number;
  descrip: string;
  /** SPM's origin (1-based voxel of the world origin) in an Analyze header; zeros when unset. */
  analyzeOrigin: [number, number, number];
}

/** NIfTI datatype codes and what they decode to. */
export const NIFTI_TYPES: Record<number, { name: string; bytes: number }> = {
  1: { name: 'binary', bytes: 0 },
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  32: { name: 'complex64', bytes: 8 },
  64: { name: 'float64', bytes: 8 },
  128: { name: 'rgb24', bytes: 3 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
  1024: { name: 'int64', bytes: 8 },
  1280: { name: 'uint64', bytes: 8 },
  1536: { name: 'float128', bytes: 16 },
  1792: { name: 'complex128', bytes: 16 },
  2048: { name: 'complex256', bytes: 32 },
  2304: { name: 'rgba32', bytes: 4 },
};

export const NIFTI1_HEADER_SIZE = 348;
export const NIFTI2_HEADER_SIZE = 540;

/** Parses the header at the start of `bytes`. Throws FileFormatError naming `path` when it is not one. */
export function parseNiftiHeader(path: string, bytes: Uint8Array): NiftiHeader {
  if (bytes.length < NIFTI1_HEADER_SIZE) {
    throw new FileFormatError(path, `too short for a NIfTI header (${bytes.length} bytes, need at least 348)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let littleEndian: boolean;
  let size = view.getInt32(0, true);
  if (size === NIFTI1_HEADER_SIZE || size === NIFTI2_HEADER_SIZE) littleEndian = true;
  else {
    size = view.getInt32(0, false);
    if (size !== NIFTI1_HEADER_SIZE && size !== NIFTI2_HEADER_SIZE) {
      throw new FileFormatError(path, 'not a NIfTI or Analyze file (sizeof_hdr is neither 348 nor 540)');
    }
    littleEndian = false;
  }
  if (size === NIFTI2_HEADER_SIZE) {
    if (bytes.length < NIFTI2_HEADER_SIZE)
      throw new FileFormatError(path, `NIfTI-2 header cut short at ${bytes.length} bytes`);
    return parseNifti2(path, view, littleEndian);
  }
  return parseNifti1(path, view, littleEndian);
}

function text(view: DataView, offset: number, length: number): string {
  let s = '';
  for (let n = 0; n < length; n++) {
    const c = view.getUint8(offset + n);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function parseNifti1(path: string, v: DataView, le: boolean): NiftiHeader {
  const magic = text(v, 344, 4);
  const version = magic === 'n+1' || magic === 'ni1' ? 1 : 0;
  const dim = Array.from({ length: 8 }, (_, n) => v.getInt16(40 + 2 * n, le));
  const pixdim = Array.from({ length: 8 }, (_, n) => v.getFloat32(76 + 4 * n, le));
  const srow = Array.from({ length: 12 }, (_, n) => v.getFloat32(280 + 4 * n, le));
  return checked(path, {
    version,
    magic,
    littleEndian: le,
    headerSize: NIFTI1_HEADER_SIZE,
    dims: dimsOf(path, dim),
    datatype: v.getInt16(70, le),
    bitpix: v.getInt16(72, le),
    pixdim,
    voxOffset: Math.floor(v.getFloat32(108, le)), // a float in NIfTI-1; nibabel takes int()
    sclSlope: v.getFloat32(112, le),
    sclInter: version === 0 ? 0 : v.getFloat32(116, le),
    qformCode: version === 0 ? 0 : v.getInt16(252, le),
    sformCode: version === 0 ? 0 : v.getInt16(254, le),
    quatern: [v.getFloat32(256, le), v.getFloat32(260, le), v.getFloat32(264, le)],
    qoffset: [v.getFloat32(268, le), v.getFloat32(272, le), v.getFloat32(276, le)],
    srow,
    xyztUnits: v.getUint8(123),
    intentCode: v.getInt16(68, le),
    descrip: text(v, 148, 80),
    analyzeOrigin: version === 0 ? [v.getInt16(253, le), v.getInt16(255, le), v.getInt16(257, le)] : [0, 0, 0],
  });
}

function parseNifti2(path: string, v: DataView, le: boolean): NiftiHeader {
  const magic = text(v, 4, 4);
  if (magic !== 'n+2' && magic !== 'ni2')
    throw new FileFormatError(path, `540-byte header without NIfTI-2 magic ('${magic}')`);
  const dim = Array.from({ length: 8 }, (_, n) => bigToNumber(path, v.getBigInt64(16 + 8 * n, le), 'dim'));
  const pixdim = Array.from({ length: 8 }, (_, n) => v.getFloat64(104 + 8 * n, le));
  const srow = Array.from({ length: 12 }, (_, n) => v.getFloat64(400 + 8 * n, le));
  return checked(path, {
    version: 2,
    magic,
    littleEndian: le,
    headerSize: NIFTI2_HEADER_SIZE,
    dims: dimsOf(path, dim),
    datatype: v.getInt16(12, le),
    bitpix: v.getInt16(14, le),
    pixdim,
    voxOffset: bigToNumber(path, v.getBigInt64(168, le), 'vox_offset'),
    sclSlope: v.getFloat64(176, le),
    sclInter: v.getFloat64(184, le),
    qformCode: v.getInt32(344, le),
    sformCode: v.getInt32(348, le),
    quatern: [v.getFloat64(352, le), v.getFloat64(360, le), v.getFloat64(368, le)],
    qoffset: [v.getFloat64(376, le), v.getFloat64(384, le), v.getFloat64(392, le)],
    srow,
    xyztUnits: v.getInt32(500, le),
    intentCode: v.getInt32(504, le),
    descrip: text(v, 240, 80),
    analyzeOrigin: [0, 0, 0],
  });
}

function bigToNumber(path: string, value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FileFormatError(path, `absurd ${field} ${value} in the NIfTI-2 header`);
  }
  return Number(value);
}

function dimsOf(path: string, dim: number[]): number[] {
  const ndim = dim[0]!;
  if (!(ndim >= 1 && ndim <= 7)) throw new FileFormatError(path, `invalid dim[0] = ${ndim} (must be 1..7)`);
  const dims = dim.slice(1, ndim + 1);
  dims.forEach((n, axis) => {
    if (!(n >= 1)) throw new FileFormatError(path, `invalid dim[${axis + 1}] = ${n} (must be at least 1)`);
  });
  return dims;
}

function checked(path: string, h: NiftiHeader): NiftiHeader {
  const type = NIFTI_TYPES[h.datatype];
  if (!type) throw new FileFormatError(path, `unknown NIfTI datatype code ${h.datatype}`);
  if (!Number.isFinite(h.voxOffset) || h.voxOffset < 0) {
    throw new FileFormatError(path, `invalid vox_offset ${h.voxOffset}`);
  }
  return h;
}
