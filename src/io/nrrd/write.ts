/**
 * NRRD writer: NRRD0004, space left-posterior-superior, space directions (spacing × direction),
 * space origin, kinds domain ×3 then 'list' for extra axes, little-endian, gzip or raw.
 * `.nrrd` holds header and data; `.nhdr` gets its data in a sibling file named by 'data file'.
 */
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../../util/atomic.js';
import { dtypeOf, type DType, type Image } from '../image.js';
import { encodeVoxels } from '../voxels.js';

const TYPE_NAMES: Record<DType, string> = {
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  float32: 'float',
  float64: 'double',
};

export interface NrrdWriteOptions {
  encoding?: 'gzip' | 'raw';
  gzipLevel?: number;
}

function vector(v: readonly number[]): string {
  return `(${v.map((x) => String(x + 0)).join(',')})`;
}

export function nrrdHeaderLines(image: Image, encoding: 'gzip' | 'raw'): string[] {
  const d = image.direction;
  const dirs = [0, 1, 2].map((c) => vector([0, 1, 2].map((r) => d[r * 3 + c]! * image.spacing[c]!)));
  const extra = image.shape.slice(3);
  return [
    'NRRD0004',
    '# Complete NRRD file format specification at:',
    '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${TYPE_NAMES[dtypeOf(image.data)]}`,
    `dimension: ${image.shape.length}`,
    'space: left-posterior-superior',
    `sizes: ${image.shape.join(' ')}`,
    `space directions: ${[...dirs, ...extra.map(() => 'none')].join(' ')}`,
    `kinds: ${['domain', 'domain', 'domain', ...extra.map(() => 'list')].join(' ')}`,
    'endian: little',
    `encoding: ${encoding}`,
    `space origin: ${vector(image.origin)}`,
  ];
}

function payload(image: Image, options: NrrdWriteOptions): Buffer {
  const raw = encodeVoxels(image.data, true);
  return (options.encoding ?? 'gzip') === 'gzip' ? gzipSync(raw, { level: options.gzipLevel ?? 1 }) : raw;
}

/** Writes `.nrrd` (attached) or `.nhdr` + data file (detached), atomically; gzip by default. */
export function writeNrrd(image: Image, path: string, options: NrrdWriteOptions = {}): void {
  const encoding = options.encoding ?? 'gzip';
  const lines = nrrdHeaderLines(image, encoding);
  const data = payload(image, { ...options, encoding });
  if (path.toLowerCase().endsWith('.nhdr')) {
    const dataPath = path.replace(/\.nhdr$/i, encoding === 'gzip' ? '.raw.gz' : '.raw');
    writeFileAtomic(dataPath, data);
    writeFileAtomic(path, [...lines, `data file: ${basename(dataPath)}`, ''].join('\n'));
    return;
  }
  writeFileAtomic(path, Buffer.concat([Buffer.from([...lines, '', ''].join('\n'), 'latin1'), data]));
}
