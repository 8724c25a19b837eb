import { FileFormatError } from '../../util/errors.js';
import type { DataSet } from './parse.js';

/** The Image Pixel module attributes (PS3.3 C.7.6.3) that describe how one frame is encoded. */
export interface FrameInfo {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometricInterpretation: string;
  /** 0 interleaved (R1 G1 B1 R2 ...), 1 planar (R1 R2 ... G1 G2 ... B1 B2 ...). */
  planarConfiguration: number;
  /** Float Pixel Data (7FE0,0008): 32; Double Float Pixel Data (7FE0,0009): 64. Absent for integers. */
  floatBits?: 32 | 64;
}

const SUPPORTED_PHOTOMETRIC = new Set([
  'MONOCHROME1',
  'MONOCHROME2',
  'RGB',
  'YBR_FULL',
  'YBR_FULL_422',
  'YBR_ICT',
  'YBR_RCT',
  'PALETTE COLOR',
]);

/**
 * The Floating Point Image Pixel module (PS3.3 C.7.6.24, C.7.6.25): one MONOCHROME2 sample of
 * IEEE float32 (Float Pixel Data) or float64 (Double Float Pixel Data), no BitsStored or sign.
 */
function floatFrameInfo(path: string, ds: DataSet, rows: number, columns: number, bits: 32 | 64): FrameInfo {
  const name = bits === 32 ? 'Float Pixel Data' : 'Double Float Pixel Data';
  const bitsAllocated = ds.uint16('x00280100') ?? bits;
  if (bitsAllocated !== bits)
    throw new FileFormatError(path, `${name} with Bits Allocated ${bitsAllocated} (expected ${bits})`);
  const samplesPerPixel = ds.uint16('x00280002') ?? 1;
  const photometricInterpretation = (ds.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase();
  if (samplesPerPixel !== 1 || photometricInterpretation !== 'MONOCHROME2')
    throw new FileFormatError(
      path,
      `${name} must be one MONOCHROME2 sample per pixel, not ${samplesPerPixel} ${photometricInterpretation}`,
    );
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored: bits,
    highBit: bits - 1,
    pixelRepresentation: 0,
    photometricInterpretation,
    planarConfiguration: 0,
    floatBits: bits,
  };
}

/** Reads and validates the Image Pixel module of a dataset (or its floating point variant). */
export function readFrameInfo(path: string, ds: DataSet): FrameInfo {
  const rows = ds.uint16('x00280010');
  const columns = ds.uint16('x00280011');
  if (!rows || !columns) throw new FileFormatError(path, 'image has no Rows/Columns (0028,0010/0011)');
  if (!ds.elements.x7fe00010) {
    if (ds.elements.x7fe00008) return floatFrameInfo(path, ds, rows, columns, 32);
    if (ds.elements.x7fe00009) return floatFrameInfo(path, ds, rows, columns, 64);
  }
  const bitsAllocated = ds.uint16('x00280100') ?? 0;
  if (![1, 8, 16, 32].includes(bitsAllocated)) {
    throw new FileFormatError(path, `unsupported Bits Allocated ${bitsAllocated} (expected 1, 8, 16 or 32)`);
  }
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const highBit = ds.uint16('x00280102') ?? bitsStored - 1;
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw new FileFormatError(
      path,
      `inconsistent Bits Stored ${bitsStored} / High Bit ${highBit} for Bits Allocated ${bitsAllocated}`,
    );
  }
  const samplesPerPixel = ds.uint16('x00280002') ?? 1;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new FileFormatError(path, `unsupported Samples per Pixel ${samplesPerPixel} (expected 1 or 3)`);
  }
  const photometricInterpretation = (ds.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2'))
    .trim()
    .toUpperCase();
  if (!SUPPORTED_PHOTOMETRIC.has(photometricInterpretation)) {
    throw new FileFormatError(path, `unsupported Photometric Interpretation ${photometricInterpretation}`);
  }
  const pixelRepresentation = ds.uint16('x00280103') ?? 0;
  const planarConfiguration = samplesPerPixel > 1 ? (ds.uint16('x00280006') ?? 0) : 0;
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometricInterpretation,
    planarConfiguration,
  };
}

/** Number of frames (NumberOfFrames, default 1). */
export function frameCount(ds: DataSet): number {
  const n = ds.intString('x00280008');
  return n && n > 0 ? n : 1;
}

/** Bytes one native frame occupies (BitsAllocated 1 frames are bit-packed and counted in bits elsewhere). */
export function nativeFrameBytes(info: FrameInfo): number {
  // YBR_FULL_422 stores 4 samples (Y1 Y2 Cb Cr) per 2 pixels
  const samples =
    info.photometricInterpretation === 'YBR_FULL_422' && info.samplesPerPixel === 3 ? 2 : info.samplesPerPixel;
  return (info.rows * info.columns * samples * info.bitsAllocated) / 8;
}
