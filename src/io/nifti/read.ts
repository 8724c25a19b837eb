/**
 * NIfTI-1 / NIfTI-2 reader (.nii, .nii.gz, .hdr/.img pairs, Analyze 7.5) to an LPS `Image`.
 *
 * - Geometry: the affine nibabel chooses (see affine.ts), converted RAS → LPS. xyzt_units are not
 *   applied (as nibabel); they are kept in `meta`.
 * - Intensities: scl_slope/scl_inter applied as nibabel does (slope 0 or non-finite = unscaled);
 *   scaled data become float32 (float64 when the stored type is 32/64-bit integer or float64).
 * - Types: all integer and float types; int64/uint64 become int32 when every value fits, else float64
 *   (exact up to 2^53); RGB24/RGBA32 become a last axis of 3/4 uint8 channels. Complex, float128
 *   and 1-bit data are refused.
 * - Shape: dim[1..dim[0]] (padded to three spatial axes), as nibabel's `img.shape`.
 */
import { existsSync } from 'node:fs';
import { FileFormatError } from '../../util/errors.js';
import { gunzipPrefix, inflateWhole, isGzip } from '../compression.js';
import { checkAllocatable, readBytes, readRange, readStart } from '../files.js';
import { createImage, type DType, type Image, type VoxelArray } from '../image.js';
import { adoptVoxels, decode64, decodeVoxels } from '../voxels.js';
import { affineToGeometry, bestAffine, type LpsGeometry } from './affine.js';
import { NIFTI_TYPES, parseNiftiHeader, type NiftiHeader } from './header.js';

const NATIVE: ReadonlySet<string> = new Set([
  'uint8',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'float64',
]);

/**
 * Reads a NIfTI-1/2 or Analyze file (`.nii`, `.nii.gz`, `.hdr`/`.img`): geometry from the sform or qform by
 * nibabel's rules, converted from RAS to LPS; `scl_slope`/`scl_inter` applied (float32 result when scaled).
 * @throws FileFormatError naming the file when it is not a valid NIfTI/Analyze file
 */
export function readNifti(path: string): Image {
  const pair = pairPaths(path);
  if (pair) return readPair(path, pair.header, pair.image);
  const start = readStart(path, 64 * 1024);
  if (isGzip(start.bytes)) {
    const raw = readBytes(path);
    const header = singleFileHeader(path, gunzipPrefix(path, raw));
    const offset = Math.max(header.voxOffset, header.headerSize + 4);
    const needed = offset + dataBytes(path, header);
    return decodeNifti(path, header, inflateWhole(path, raw, needed), offset, true);
  }
  // Uncompressed: the voxels are read straight from the file into their own buffer.
  const header = singleFileHeader(path, start.bytes);
  const offset = Math.max(header.voxOffset, header.headerSize + 4);
  const byteCount = dataBytes(path, header);
  if (start.size < offset + byteCount) {
    throw new FileFormatError(
      path,
      `truncated: ${start.size} bytes, the header needs ${offset + byteCount} (data from byte ${offset})`,
    );
  }
  return decodeNifti(path, header, readRange(path, offset, byteCount), 0, true);
}

function singleFileHeader(path: string, bytes: Uint8Array): NiftiHeader {
  const header = parseNiftiHeader(path, bytes);
  if (header.magic === 'ni1' || header.magic === 'ni2' || header.version === 0) {
    throw new FileFormatError(path, 'is the header of a .hdr/.img pair but has a single-file name (rename it to .hdr)');
  }
  return header;
}

/** For a .hdr/.img(.gz) name, the two paths of the pair; undefined for a single-file name. */
function pairPaths(path: string): { header: string; image: string } | undefined {
  const m = /^(.*)\.(hdr|img)(\.gz)?$/i.exec(path);
  if (!m) return undefined;
  const stem = m[1]!;
  const upper = m[2] === 'HDR' || m[2] === 'IMG';
  const pick = (ext: string): string => {
    const e = upper ? ext.toUpperCase() : ext;
    for (const candidate of [`${stem}.${e}`, `${stem}.${e}.gz`]) if (existsSync(candidate)) return candidate;
    return `${stem}.${e}`;
  };
  return { header: pick('hdr'), image: pick('img') };
}

function readPair(path: string, headerPath: string, imagePath: string): Image {
  const hraw = readBytes(headerPath);
  const header = parseNiftiHeader(headerPath, isGzip(hraw) ? gunzipPrefix(headerPath, hraw) : hraw);
  if (header.magic === 'n+1' || header.magic === 'n+2') {
    throw new FileFormatError(headerPath, 'is a single-file NIfTI (magic n+1/n+2) but has a .hdr name');
  }
  const iraw = readBytes(imagePath);
  const offset = header.voxOffset;
  const needed = offset + dataBytes(imagePath, header);
  const body = isGzip(iraw) ? inflateWhole(imagePath, iraw, needed) : iraw;
  if (body.length < needed) {
    throw new FileFormatError(imagePath, `truncated: ${body.length} bytes, the header ${headerPath} needs ${needed}`);
  }
  return decodeNifti(path, header, body, offset, true);
}

/**
 * The header and LPS geometry of a NIfTI/Analyze file without reading its voxels (works on a .hdr
 * whose .img is absent).
 */
export function readNiftiHeader(path: string): { header: NiftiHeader; shape: number[] } & LpsGeometry {
  const file = pairPaths(path)?.header ?? path;
  const raw = readBytes(file);
  const header = parseNiftiHeader(file, isGzip(raw) ? gunzipPrefix(file, raw) : raw);
  const shape =
    header.dims.length >= 3 ? header.dims.slice() : [...header.dims, ...[1, 1].slice(0, 3 - header.dims.length)];
  return { header, shape, ...affineToGeometry(bestAffine(header).affine) };
}

function dataBytes(path: string, h: NiftiHeader): number {
  const type = NIFTI_TYPES[h.datatype]!;
  const voxels = h.dims.reduce((a, b) => a * b, 1);
  checkAllocatable(path, voxels, Math.max(type.bytes, 1));
  return voxels * type.bytes;
}

/** Decodes the voxels of an already-parsed header from `bytes[offset...]`. */
export function decodeNifti(path: string, h: NiftiHeader, bytes: Buffer, offset: number, owned = false): Image {
  const type = NIFTI_TYPES[h.datatype]!;
  const count = h.dims.reduce((a, b) => a * b, 1);
  const shape = h.dims.length >= 3 ? h.dims.slice() : [...h.dims, ...[1, 1].slice(0, 3 - h.dims.length)];
  let data: VoxelArray;
  let scalable = true;
  if (NATIVE.has(type.name)) {
    const decode = owned ? adoptVoxels : decodeVoxels;
    data = decode(bytes, offset, type.name as DType, count, h.littleEndian);
  } else if (type.name === 'int64' || type.name === 'uint64') {
    data = decode64(bytes, offset, count, h.littleEndian, type.name === 'int64');
  } else if (type.name === 'rgb24' || type.name === 'rgba32') {
    const channels = type.bytes;
    data = deinterleave(bytes.subarray(offset, offset + count * channels), count, channels);
    shape.push(channels);
    scalable = false;
  } else {
    throw new FileFormatError(path, `unsupported NIfTI datatype ${type.name} (code ${h.datatype})`);
  }
  if (scalable) data = applyScaling(data, h.sclSlope, h.sclInter, type.name);

  const { affine, source } = bestAffine(h);
  const geometry = affineToGeometry(affine);
  const meta: Image['meta'] = {
    format: h.version === 0 ? 'analyze' : `nifti${h.version}`,
    'nifti.affine_source': source,
    'nifti.sform_code': h.sformCode,
    'nifti.qform_code': h.qformCode,
    'nifti.datatype': type.name,
    'nifti.xyzt_units': h.xyztUnits,
    'nifti.intent_code': h.intentCode,
  };
  if (h.dims.length >= 4) meta['nifti.pixdim4'] = h.pixdim[4]!;
  return createImage(data, shape, { ...geometry, meta });
}

/** nibabel's rule: slope 0 or non-finite means unscaled; a non-finite intercept counts as 0. */
export function applyScaling(data: VoxelArray, slope: number, inter: number, storedType: string): VoxelArray {
  if (!Number.isFinite(slope) || slope === 0) return data;
  const b = Number.isFinite(inter) ? inter : 0;
  if (slope === 1 && b === 0) return data;
  const wide = ['int32', 'uint32', 'float64', 'int64', 'uint64'].includes(storedType) || data instanceof Float64Array;
  const out = wide ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let n = 0; n < data.length; n++) out[n] = data[n]! * slope + b;
  return out;
}

/** Interleaved per-voxel channels (RGBRGB...) → planar, channel as the slowest axis. */
function deinterleave(bytes: Uint8Array, count: number, channels: number): Uint8Array {
  const out = new Uint8Array(count * channels);
  for (let c = 0; c < channels; c++) {
    const base = c * count;
    for (let n = 0, s = c; n < count; n++, s += channels) out[base + n] = bytes[s]!;
  }
  return out;
}
