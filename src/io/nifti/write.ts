/**
 * NIfTI-1 / NIfTI-2 writer (.nii, .nii.gz by name), little-endian, data at byte 352 (544 for NIfTI-2).
 *
 * Both transforms are set from the image's geometry: the sform holds the exact affine (RAS), the
 * qform its rotation part (nearest rotation when the direction is not orthonormal, qfac -1 when it is
 * left-handed), pixdim the spacing. Codes default to those the image was read with, else 1 (scanner).
 * NIfTI-2 is chosen automatically when a dimension exceeds NIfTI-1's 32767.
 */
import { gzipSync } from 'node:zlib';
import { ShapeError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { dtypeOf, type DType, type Image, type Mat3 } from '../image.js';
import { encodeVoxels } from '../voxels.js';
import { directionToQuaternion, geometryToAffine } from './affine.js';
import { NIFTI1_HEADER_SIZE, NIFTI2_HEADER_SIZE } from './header.js';

const TYPE_CODES: Record<DType, number> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
};

export interface NiftiWriteOptions {
  /** 1 or 2; default 1 unless a dimension needs NIfTI-2. */
  version?: 1 | 2;
  /** sform/qform codes: 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template. */
  sformCode?: number;
  qformCode?: number;
  /** gzip level 1..9 for .gz names (default 1, as nibabel: fast, and labels compress well anyway). */
  gzipLevel?: number;
}

/** Encodes the image as NIfTI bytes (uncompressed). */
export function encodeNifti(image: Image, options: NiftiWriteOptions = {}): Buffer {
  const shape = image.shape;
  if (shape.length > 7) throw new ShapeError(`NIfTI holds at most 7 axes, the image has ${shape.length}`);
  const needsV2 = shape.some((n) => n > 32767);
  const version = options.version ?? (needsV2 ? 2 : 1);
  if (version === 1 && needsV2)
    throw new ShapeError(`NIfTI-1 dimensions are limited to 32767, shape is [${shape.join(', ')}]`);
  const dtype = dtypeOf(image.data);
  const headerSize = version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  const voxOffset = headerSize + 4; // header + the 4-byte extension flag (no extensions)

  const affine = geometryToAffine(image);
  const ras: Mat3 = image.direction.map((v, n) => (n < 6 ? -v : v)) as Mat3;
  const q = directionToQuaternion(ras);
  const metaCode = (key: string): number | undefined => {
    const v = image.meta[key];
    return typeof v === 'number' && v > 0 ? v : undefined;
  };
  const sformCode = options.sformCode ?? metaCode('nifti.sform_code') ?? 1;
  const qformCode = options.qformCode ?? metaCode('nifti.qform_code') ?? sformCode;
  const pixdim = [q.qfac, image.spacing[0], image.spacing[1], image.spacing[2], 1, 1, 1, 1];
  const step = image.meta['nifti.pixdim4'];
  if (typeof step === 'number' && Number.isFinite(step)) pixdim[4] = step;
  const storedUnits = image.meta['nifti.xyzt_units'];
  const timeUnits = typeof storedUnits === 'number' ? storedUnits & 0x38 : 0;
  const units = 2 | timeUnits; // millimetres
  const dim = [shape.length, ...shape, ...Array(7 - shape.length).fill(1)];
  const bitpix = image.data.BYTES_PER_ELEMENT * 8;

  const header = Buffer.alloc(voxOffset);
  const le = true;
  const v = new DataView(header.buffer, header.byteOffset, header.byteLength);
  v.setInt32(0, headerSize, le);
  if (version === 1) {
    dim.forEach((d, n) => v.setInt16(40 + 2 * n, d, le));
    v.setInt16(70, TYPE_CODES[dtype], le);
    v.setInt16(72, bitpix, le);
    pixdim.forEach((p, n) => v.setFloat32(76 + 4 * n, p, le));
    v.setFloat32(108, voxOffset, le);
    v.setFloat32(112, 1, le);
    v.setFloat32(116, 0, le);
    v.setUint8(123, units);
    header.write('vesalius', 148, 'latin1');
    v.setInt16(252, qformCode, le);
    v.setInt16(254, sformCode, le);
    [q.b, q.c, q.d, affine[3], affine[7], affine[11]].forEach((x, n) => v.setFloat32(256 + 4 * n, x, le));
    affine.forEach((x, n) => v.setFloat32(280 + 4 * n, x, le));
    header.write('n+1\0', 344, 'latin1');
  } else {
    header.write('n+2\0\r\n\x1a\n', 4, 'latin1');
    v.setInt16(12, TYPE_CODES[dtype], le);
    v.setInt16(14, bitpix, le);
    dim.forEach((d, n) => v.setBigInt64(16 + 8 * n, BigInt(d), le));
    pixdim.forEach((p, n) => v.setFloat64(104 + 8 * n, p, le));
    v.setBigInt64(168, BigInt(voxOffset), le);
    v.setFloat64(176, 1, le);
    v.setFloat64(184, 0, le);
    header.write('vesalius', 240, 'latin1');
    v.setInt32(344, qformCode, le);
    v.setInt32(348, sformCode, le);
    [q.b, q.c, q.d, affine[3], affine[7], affine[11]].forEach((x, n) => v.setFloat64(352 + 8 * n, x, le));
    affine.forEach((x, n) => v.setFloat64(400 + 8 * n, x, le));
    v.setInt32(500, units, le);
  }
  return Buffer.concat([header, encodeVoxels(image.data, le)]);
}

/** Writes `.nii` or `.nii.gz` (gzip when the name ends in .gz), atomically. */
export function writeNifti(image: Image, path: string, options: NiftiWriteOptions = {}): void {
  const bytes = encodeNifti(image, options);
  const gz = path.toLowerCase().endsWith('.gz');
  writeFileAtomic(path, gz ? gzipSync(bytes, { level: options.gzipLevel ?? 1 }) : bytes);
}
