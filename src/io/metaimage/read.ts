/**
 * MetaImage reader (.mha with attached data, .mhd with ElementDataFile), as ITK's MetaIO writes it:
 * `Key = Value` lines ending with ElementDataFile; geometry in LPS (ITK's world). TransformMatrix
 * lists the direction of each axis in turn (ITK writes `M[i·N + j] = direction(i)[j]`), i.e. it is
 * the transpose of our row-major direction. Channels (ElementNumberOfChannels) are interleaved in
 * the file and become the last axis. CompressedData is a zlib stream.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import { inflateWhole } from '../compression.js';
import { checkAllocatable, readBytes } from '../files.js';
import { createImage, type DType, type Image, type Mat3, type Vec3, type VoxelArray } from '../image.js';
import { channelsLast } from '../axes.js';
import { cross, norm } from '../matrix.js';
import { decode64, decodeVoxels } from '../voxels.js';
import { MAX_TEXT_HEADER } from '../text-header.js';

type StoredType = DType | 'int64' | 'uint64';

const ELEMENT_TYPES: Record<string, StoredType> = {
  MET_CHAR: 'int8',
  MET_UCHAR: 'uint8',
  MET_SHORT: 'int16',
  MET_USHORT: 'uint16',
  MET_INT: 'int32',
  MET_UINT: 'uint32',
  MET_LONG: 'int32',
  MET_ULONG: 'uint32',
  MET_LONG_LONG: 'int64',
  MET_ULONG_LONG: 'uint64',
  MET_FLOAT: 'float32',
  MET_DOUBLE: 'float64',
};
const BYTES: Record<StoredType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

export interface MetaHeader {
  fields: Map<string, string>;
  dataOffset: number;
}

/** Parses `Key = Value` lines up to and including ElementDataFile. */
export function parseMetaHeader(path: string, bytes: Uint8Array): MetaHeader {
  const fields = new Map<string, string>();
  const limit = Math.min(bytes.length, MAX_TEXT_HEADER);
  let start = 0;
  for (let n = 0; n <= limit; n++) {
    if (n < limit && bytes[n] !== 0x0a) continue;
    const line = Buffer.from(bytes.buffer, bytes.byteOffset + start, n - start)
      .toString('latin1')
      .trim();
    start = n + 1;
    if (line === '') continue;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what marks binary data
    if (/[\x00-\x08\x0e-\x1f]/.test(line)) break; // binary data: the header ended without ElementDataFile
    const eq = line.indexOf('=');
    if (eq <= 0) throw new FileFormatError(path, `not a MetaImage header (line '${line.slice(0, 40)}')`);
    const key = line.slice(0, eq).trim();
    fields.set(key, line.slice(eq + 1).trim());
    if (key === 'ElementDataFile') return { fields, dataOffset: start };
  }
  throw new FileFormatError(
    path,
    fields.size ? 'MetaImage header has no ElementDataFile line' : 'not a MetaImage file',
  );
}

function numbers(path: string, text: string | undefined, key: string, count: number): number[] | undefined {
  if (text === undefined) return undefined;
  const v = text.split(/\s+/).map(Number);
  if (v.length < count || v.slice(0, count).some((x) => !Number.isFinite(x))) {
    throw new FileFormatError(path, `MetaImage ${key} '${text}' needs ${count} numbers`);
  }
  return v.slice(0, count);
}

/**
 * Reads a MetaImage file (`.mha`, or a `.mhd` header with its data file) with ITK's conventions (LPS).
 * @throws FileFormatError naming the file when it is not a valid MetaImage file
 */
export function readMetaImage(path: string): Image {
  const bytes = readBytes(path);
  const { fields: f, dataOffset } = parseMetaHeader(path, bytes);
  const need = (key: string): string => {
    const v = f.get(key);
    if (v === undefined) throw new FileFormatError(path, `MetaImage header is missing ${key}`);
    return v;
  };
  const objectType = f.get('ObjectType');
  if (objectType !== undefined && objectType.toLowerCase() !== 'image')
    throw new FileFormatError(path, `MetaImage ObjectType '${objectType}' is not Image`);
  const ndims = Number(need('NDims'));
  if (!Number.isInteger(ndims) || ndims < 1 || ndims > 4)
    throw new FileFormatError(path, `MetaImage NDims '${f.get('NDims')}' must be 1..4`);
  const dims = numbers(path, need('DimSize'), 'DimSize', ndims)!;
  if (dims.some((n) => !Number.isInteger(n) || n < 1))
    throw new FileFormatError(path, `MetaImage DimSize '${f.get('DimSize')}' must be positive integers`);
  const typeName = need('ElementType');
  const type = ELEMENT_TYPES[typeName];
  if (!type) throw new FileFormatError(path, `unsupported MetaImage ElementType '${typeName}'`);
  const channels = Number(f.get('ElementNumberOfChannels') ?? '1');
  if (!Number.isInteger(channels) || channels < 1)
    throw new FileFormatError(path, `invalid ElementNumberOfChannels '${f.get('ElementNumberOfChannels')}'`);
  const count = dims.reduce((a, b) => a * b, 1) * channels;
  checkAllocatable(path, count, BYTES[type]);
  const byteCount = count * BYTES[type];
  const msb = /^true$/i.test(f.get('BinaryDataByteOrderMSB') ?? f.get('ElementByteOrderMSB') ?? 'False');
  const compressed = /^true$/i.test(f.get('CompressedData') ?? 'False');

  const dataFile = need('ElementDataFile');
  let dataPath = path;
  let source: Uint8Array;
  if (dataFile.toUpperCase() === 'LOCAL') source = bytes.subarray(dataOffset);
  else {
    if (/^LIST/i.test(dataFile) || /%/.test(dataFile))
      throw new FileFormatError(path, `multi-file MetaImage data ('${dataFile}') is not supported`);
    dataPath = isAbsolute(dataFile) ? dataFile : join(dirname(path), dataFile);
    source = readBytes(dataPath);
    const headerSize = Number(f.get('HeaderSize') ?? '0');
    if (headerSize === -1 && !compressed) source = source.subarray(Math.max(0, source.length - byteCount));
    else if (headerSize > 0) source = source.subarray(headerSize);
  }
  const raw = compressed ? inflateWhole(dataPath, source, byteCount, 'zlib') : source;
  if (raw.length < byteCount)
    throw new FileFormatError(dataPath, `truncated MetaImage data: ${raw.length} bytes, the header needs ${byteCount}`);
  const interleaved: VoxelArray =
    type === 'int64' || type === 'uint64'
      ? decode64(raw, 0, count, !msb, type === 'int64')
      : decodeVoxels(raw, 0, type, count, !msb);

  const spatial = dims.slice(0, 3);
  const extra = dims.slice(3);
  const spacingIn =
    numbers(path, f.get('ElementSpacing') ?? f.get('ElementSize'), 'ElementSpacing', ndims) ?? dims.map(() => 1);
  const originIn =
    numbers(path, f.get('Offset') ?? f.get('Origin') ?? f.get('Position'), 'Offset', ndims) ?? dims.map(() => 0);
  const matrixText = f.get('TransformMatrix') ?? f.get('Rotation') ?? f.get('Orientation');
  const m = numbers(path, matrixText, 'TransformMatrix', ndims * ndims);
  const axes: number[][] = [];
  for (let a = 0; a < Math.min(ndims, 3); a++) {
    const v = [0, 1, 2].map((r) => (m ? (r < ndims ? m[a * ndims + r]! : 0) : r === a ? 1 : 0));
    const len = norm(v);
    axes.push(len > 0 ? v.map((x) => x / len) : [0, 1, 2].map((r) => (r === a ? 1 : 0)));
  }
  while (axes.length < 3) axes.push(axes.length === 2 ? cross(axes[0]!, axes[1]!) : [0, 1, 0]);
  const direction = [0, 1, 2].flatMap((r) => [axes[0]![r]!, axes[1]![r]!, axes[2]![r]!]) as Mat3;
  const spacing = [0, 1, 2].map((a) => (a < ndims ? spacingIn[a]! : 1)) as Vec3;
  const origin = [0, 1, 2].map((a) => (a < ndims ? originIn[a]! : 0)) as Vec3;
  while (spatial.length < 3) spatial.push(1);
  const data = channelsLast(interleaved, [...spatial, ...extra], channels);
  const shape = [...spatial, ...extra, ...(channels > 1 ? [channels] : [])];
  return createImage(data, shape, {
    spacing,
    origin,
    direction,
    meta: { format: 'metaimage', 'metaimage.element_type': typeName },
  });
}
