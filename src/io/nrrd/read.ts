/**
 * NRRD reader (http://teem.sourceforge.net/nrrd/format.html): attached (.nrrd) or detached (.nhdr)
 * data, raw / gzip / ascii encodings, either byte order, space directions and space origin in LPS,
 * RAS or LAS (converted to LPS), or plain `spacings`. Axes without a space direction (kinds such as
 * vector, RGB-color, list, time) become extra axes after i, j, k, moved there when the file stores
 * them first (as Slicer does for vector volumes).
 */
import { dirname, isAbsolute, join } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import { inflateWhole } from '../compression.js';
import { checkAllocatable, readBytes } from '../files.js';
import { createImage, type DType, type Image, type Mat3, type Vec3, type VoxelArray } from '../image.js';
import { cross, norm } from '../matrix.js';
import { permuteData } from '../axes.js';
import { allocate, decode64, decodeVoxels } from '../voxels.js';
import { splitAtBlankLine } from '../text-header.js';

type StoredType = DType | 'int64' | 'uint64';

const TYPES: Record<string, StoredType> = {};
const alias = (t: StoredType, names: string[]) => names.forEach((n) => (TYPES[n] = t));
alias('int8', ['signed char', 'int8', 'int8_t']);
alias('uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']);
alias('int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']);
alias('uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']);
alias('int32', ['int', 'signed int', 'int32', 'int32_t']);
alias('uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']);
alias('int64', [
  'longlong',
  'long long',
  'long long int',
  'signed long long',
  'signed long long int',
  'int64',
  'int64_t',
]);
alias('uint64', ['ulonglong', 'unsigned long long', 'unsigned long long int', 'uint64', 'uint64_t']);
alias('float32', ['float']);
alias('float64', ['double']);

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

/** Sign flips that take vectors in each NRRD space to LPS. */
const SPACES: Record<string, [number, number, number]> = {
  'left-posterior-superior': [1, 1, 1],
  lps: [1, 1, 1],
  'right-anterior-superior': [-1, -1, 1],
  ras: [-1, -1, 1],
  'left-anterior-superior': [1, -1, 1],
  las: [1, -1, 1],
  'scanner-xyz': [1, 1, 1],
  '3d-right-handed': [1, 1, 1],
};

export interface NrrdHeader {
  fields: Map<string, string>;
  keyValues: Map<string, string>;
  dataOffset: number;
}

export function parseNrrdHeader(path: string, bytes: Uint8Array): NrrdHeader {
  const { lines, dataOffset } = splitAtBlankLine(bytes);
  if (!/^NRRD000[1-9]$/.test(lines[0] ?? ''))
    throw new FileFormatError(path, 'not a NRRD file (no NRRD000x magic line)');
  const fields = new Map<string, string>();
  const keyValues = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) continue;
    const kv = line.indexOf(':=');
    if (kv > 0) {
      keyValues.set(line.slice(0, kv), line.slice(kv + 2));
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon <= 0) throw new FileFormatError(path, `malformed NRRD header line '${line.slice(0, 60)}'`);
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 2).trim());
  }
  return { fields, keyValues, dataOffset };
}

/**
 * Reads a NRRD file (`.nrrd`, or a `.nhdr` header with its detached data): raw, gzip or ascii encoding,
 * either byte order; the space directions are converted to LPS.
 * @throws FileFormatError naming the file when it is not a valid NRRD file
 */
export function readNrrd(path: string): Image {
  const bytes = readBytes(path);
  const header = parseNrrdHeader(path, bytes);
  const f = header.fields;
  const need = (name: string): string => {
    const v = f.get(name);
    if (v === undefined) throw new FileFormatError(path, `NRRD header is missing the required field '${name}'`);
    return v;
  };
  const typeName = need('type').toLowerCase();
  const type = TYPES[typeName];
  if (!type) throw new FileFormatError(path, `unsupported NRRD type '${typeName}'`);
  const dimension = integer(path, need('dimension'), 'dimension');
  const sizes = need('sizes')
    .split(/\s+/)
    .map((s) => integer(path, s, 'sizes'));
  if (dimension < 1 || sizes.length !== dimension || sizes.some((n) => n < 1)) {
    throw new FileFormatError(path, `NRRD sizes '${f.get('sizes')}' do not give ${dimension} positive sizes`);
  }
  const encoding = need('encoding').toLowerCase();
  const count = sizes.reduce((a, b) => a * b, 1);
  checkAllocatable(path, count, BYTES[type]);
  const endian = f.get('endian')?.toLowerCase();
  if (BYTES[type] > 1 && !['ascii', 'text', 'txt'].includes(encoding) && endian !== 'little' && endian !== 'big') {
    throw new FileFormatError(
      path,
      `NRRD header is missing the required field 'endian' for ${BYTES[type]}-byte ${typeName} data`,
    );
  }

  // Where the data bytes are: after the header, or in a detached file.
  let dataPath = path;
  let source: Uint8Array = bytes.subarray(header.dataOffset);
  const dataFile = f.get('data file') ?? f.get('datafile');
  if (dataFile !== undefined) {
    if (/^LIST/.test(dataFile) || /%/.test(dataFile))
      throw new FileFormatError(path, `multi-file NRRD data ('data file: ${dataFile}') is not supported`);
    dataPath = isAbsolute(dataFile) ? dataFile : join(dirname(path), dataFile);
    source = readBytes(dataPath);
  }
  const lineSkip = integer(path, f.get('line skip') ?? f.get('lineskip') ?? '0', 'line skip');
  for (let skipped = 0; skipped < lineSkip; skipped++) {
    const nl = source.indexOf(0x0a);
    if (nl < 0) throw new FileFormatError(dataPath, `cannot skip ${lineSkip} lines`);
    source = source.subarray(nl + 1);
  }
  const byteSkip = integer(path, f.get('byte skip') ?? f.get('byteskip') ?? '0', 'byte skip');
  const byteCount = count * BYTES[type];
  let raw: Uint8Array;
  if (encoding === 'raw') {
    raw = byteSkip === -1 ? source.subarray(Math.max(0, source.length - byteCount)) : source.subarray(byteSkip);
  } else if (encoding === 'gzip' || encoding === 'gz') {
    raw = inflateWhole(dataPath, source, byteCount + Math.max(byteSkip, 0)).subarray(Math.max(byteSkip, 0));
  } else if (encoding === 'ascii' || encoding === 'text' || encoding === 'txt') {
    raw = new Uint8Array(0);
  } else {
    throw new FileFormatError(path, `unsupported NRRD encoding '${encoding}' (raw, gzip and ascii are supported)`);
  }
  let data: VoxelArray;
  if (encoding === 'ascii' || encoding === 'text' || encoding === 'txt')
    data = parseAscii(dataPath, source, type, count);
  else {
    if (raw.length < byteCount) {
      throw new FileFormatError(dataPath, `truncated NRRD data: ${raw.length} bytes, the header needs ${byteCount}`);
    }
    const le = endian !== 'big';
    data =
      type === 'int64' || type === 'uint64'
        ? decode64(raw, 0, count, le, type === 'int64')
        : decodeVoxels(raw, 0, type, count, le);
  }
  return assemble(path, f, sizes, data, { format: 'nrrd', 'nrrd.type': typeName });
}

function integer(path: string, text: string, field: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new FileFormatError(path, `invalid NRRD ${field} '${text}'`);
  return n;
}

function parseAscii(path: string, source: Uint8Array, type: StoredType, count: number): VoxelArray {
  const tokens = Buffer.from(source.buffer, source.byteOffset, source.byteLength)
    .toString('latin1')
    .trim()
    .split(/[\s,]+/);
  if (tokens.length < count)
    throw new FileFormatError(path, `NRRD ascii data has ${tokens.length} values, the header needs ${count}`);
  const out = allocate(type === 'int64' || type === 'uint64' ? 'float64' : type, count);
  for (let n = 0; n < count; n++) {
    const v = Number(tokens[n]);
    if (Number.isNaN(v) && !/nan/i.test(tokens[n]!))
      throw new FileFormatError(path, `NRRD ascii value '${tokens[n]}' is not a number`);
    out[n] = v;
  }
  return out;
}

/** Vectors of a NRRD '(x,y,z)' list, or null for 'none'. */
function vectors(path: string, text: string, field: string): Array<number[] | null> {
  const items = text.match(/\([^)]*\)|none/gi) ?? [];
  return items.map((item) => {
    if (item.toLowerCase() === 'none') return null;
    const v = item
      .slice(1, -1)
      .split(',')
      .map((s) => Number(s.trim()));
    if (v.some((x) => !Number.isFinite(x))) throw new FileFormatError(path, `invalid NRRD ${field} vector '${item}'`);
    return v;
  });
}

const NON_SPATIAL_KINDS =
  /^(vector|covariant-vector|normal|stub|scalar|complex|list|point|time|[234]-vector|[34]-color|(rgb|rgba|hsv|xyz)-color|.*matrix.*|quaternion|.*tensor.*)$/i;

function assemble(path: string, f: Map<string, string>, sizes: number[], data: VoxelArray, meta: Image['meta']): Image {
  const dimension = sizes.length;
  const kinds = f.get('kinds')?.split(/\s+/) ?? [];
  const spaceName = f
    .get('space')
    ?.toLowerCase()
    .replace(/-time$/, '');
  const directionsText = f.get('space directions');
  let spatialAxes: number[];
  let columns: number[][];
  let origin: number[] = [0, 0, 0];
  if (directionsText !== undefined) {
    const dirs = vectors(path, directionsText, 'space directions');
    if (dirs.length !== dimension)
      throw new FileFormatError(path, `NRRD space directions list ${dirs.length} entries for ${dimension} axes`);
    const flip = SPACES[spaceName ?? 'left-posterior-superior'];
    if (!flip) throw new FileFormatError(path, `unsupported NRRD space '${f.get('space')}'`);
    spatialAxes = dirs.flatMap((d, axis) => (d ? [axis] : []));
    columns = spatialAxes.map((axis) => [0, 1, 2].map((r) => (dirs[axis]![r] ?? 0) * flip[r]! + 0));
    const o = f.get('space origin');
    if (o !== undefined) {
      const parsed = vectors(path, o, 'space origin')[0];
      if (!parsed) throw new FileFormatError(path, `invalid NRRD space origin '${o}'`);
      origin = [0, 1, 2].map((r) => (parsed[r] ?? 0) * flip[r]! + 0);
    }
  } else {
    const spacings = f.get('spacings')?.split(/\s+/).map(Number) ?? [];
    spatialAxes = sizes.map((_, axis) => axis).filter((axis) => !NON_SPATIAL_KINDS.test(kinds[axis] ?? 'domain'));
    columns = spatialAxes.map((axis, n) => {
      const s = Number.isFinite(spacings[axis]) && spacings[axis] !== 0 ? Math.abs(spacings[axis]!) : 1;
      const c = [0, 0, 0];
      c[n] = s;
      return c;
    });
  }
  if (spatialAxes.length > 3)
    throw new FileFormatError(path, `NRRD with ${spatialAxes.length} spatial axes (at most 3 supported)`);
  const extraAxes = sizes.map((_, a) => a).filter((a) => !spatialAxes.includes(a));
  const spacing = [1, 1, 1] as Vec3;
  const units: number[][] = [];
  columns.forEach((c, n) => {
    const len = norm(c);
    spacing[n] = len > 0 ? len : 1;
    units.push(len > 0 ? c.map((x) => x / len) : [0, 0, 0].map((_, r) => (r === n ? 1 : 0)));
  });
  while (units.length < 3) {
    if (units.length === 2) units.push(cross(units[0]!, units[1]!));
    else units.push([0, 0, 0].map((_, r) => (r === units.length ? 1 : 0)));
  }
  const direction = [0, 1, 2].flatMap((r) => [units[0]![r]!, units[1]![r]!, units[2]![r]!]) as Mat3;
  const order = [...spatialAxes, ...extraAxes];
  const permuted = permuteData(data, sizes, order);
  const spatialShape = spatialAxes.map((a) => sizes[a]!);
  while (spatialShape.length < 3) spatialShape.push(1);
  const shape = [...spatialShape, ...extraAxes.map((a) => sizes[a]!)];
  if (extraAxes.length) meta['nrrd.extra_kinds'] = extraAxes.map((a) => kinds[a] ?? 'none').join(' ');
  return createImage(permuted, shape, { spacing, origin: origin as Vec3, direction, meta });
}
