/**
 * MetaImage writer: `.mha` (header and data in one file) or `.mhd` + `.raw`/`.zraw`, little-endian,
 * zlib-compressed by default. One extra axis (channels or time) becomes a fourth MetaImage dimension.
 */
import { basename } from 'node:path';
import { deflateSync } from 'node:zlib';
import { ShapeError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { dtypeOf, type DType, type Image } from '../image.js';
import { encodeVoxels } from '../voxels.js';

const ELEMENT_TYPES: Record<DType, string> = {
  int8: 'MET_CHAR',
  uint8: 'MET_UCHAR',
  int16: 'MET_SHORT',
  uint16: 'MET_USHORT',
  int32: 'MET_INT',
  uint32: 'MET_UINT',
  float32: 'MET_FLOAT',
  float64: 'MET_DOUBLE',
};

export interface MetaImageWriteOptions {
  compress?: boolean;
  compressionLevel?: number;
}

/** Writes `.mha` or `.mhd` (+ `.raw` / `.zraw`), atomically. */
export function writeMetaImage(image: Image, path: string, options: MetaImageWriteOptions = {}): void {
  const compress = options.compress ?? true;
  if (image.shape.length > 4)
    throw new ShapeError(`MetaImage holds at most 4 axes here, the image has ${image.shape.length}`);
  const ndims = image.shape.length;
  const d = image.direction;
  // TransformMatrix lists each axis' direction in turn (the transpose of our row-major matrix).
  const matrix = [0, 1, 2].flatMap((axis) => [d[axis]!, d[3 + axis]!, d[6 + axis]!]);
  const pad = (v: number[], fill: number) => [...v, ...Array(ndims - 3).fill(fill)];
  const matrixN =
    ndims === 3
      ? matrix
      : [0, 1, 2, 3].flatMap((a) => [0, 1, 2, 3].map((r) => (a < 3 && r < 3 ? matrix[a * 3 + r]! : a === r ? 1 : 0)));
  const raw = encodeVoxels(image.data, true);
  const data = compress ? deflateSync(raw, { level: options.compressionLevel ?? 1 }) : raw;
  const detached = path.toLowerCase().endsWith('.mhd');
  const dataPath = detached ? path.replace(/\.mhd$/i, compress ? '.zraw' : '.raw') : path;
  const lines = [
    'ObjectType = Image',
    `NDims = ${ndims}`,
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    `CompressedData = ${compress ? 'True' : 'False'}`,
    ...(compress ? [`CompressedDataSize = ${data.length}`] : []),
    `TransformMatrix = ${matrixN.map((x) => x + 0).join(' ')}`,
    `Offset = ${pad([...image.origin], 0).join(' ')}`,
    `CenterOfRotation = ${Array(ndims).fill(0).join(' ')}`,
    `ElementSpacing = ${pad([...image.spacing], 1).join(' ')}`,
    `DimSize = ${image.shape.join(' ')}`,
    `ElementType = ${ELEMENT_TYPES[dtypeOf(image.data)]}`,
    `ElementDataFile = ${detached ? basename(dataPath) : 'LOCAL'}`,
  ];
  const header = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
  if (detached) {
    writeFileAtomic(dataPath, data);
    writeFileAtomic(path, header);
  } else writeFileAtomic(path, Buffer.concat([header, data]));
}
