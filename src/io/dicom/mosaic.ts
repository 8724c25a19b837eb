import type { Vec3 } from '../image.js';
import { text, uint } from './attributes.js';
import type { DataSet } from './parse.js';

/**
 * Siemens "mosaic" images (fMRI, DTI): one frame holds N slices as tiles of a square grid, read from
 * left to right, top to bottom. The number of tiles is in (0019,100A) or the CSA image header
 * (0029,1010), which also holds the slice normal (its sign gives the order of the tiles in space).
 */
export interface Mosaic {
  count: number;
  /** Tiles per row (and column) of the grid: ceil(sqrt(count)). */
  perRow: number;
  tileRows: number;
  tileColumns: number;
  /** SliceNormalVector from the CSA header, when present. */
  normal?: Vec3;
}

/** Reads the items of every tag of a CSA2 ("SV10") header: name → values (strings). */
export function readCsaHeader(bytes: Uint8Array): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (bytes.length < 16 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'SV10') return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('latin1');
  const tags = view.getUint32(8, true);
  let at = 16;
  for (let t = 0; t < tags && at + 84 <= bytes.length; t++) {
    const nameBytes = bytes.subarray(at, at + 64);
    const name = decoder.decode(nameBytes.subarray(0, Math.max(0, nameBytes.indexOf(0)) || 64));
    const items = view.getUint32(at + 76, true);
    at += 84;
    const values: string[] = [];
    for (let i = 0; i < items && at + 16 <= bytes.length; i++) {
      const length = view.getUint32(at + 4, true);
      at += 16;
      if (at + length > bytes.length) return out;
      if (length > 0)
        values.push(
          decoder
            .decode(bytes.subarray(at, at + length))
            .replace(/\0.*$/s, '')
            .trim(),
        );
      at += Math.ceil(length / 4) * 4;
    }
    out.set(name, values);
  }
  return out;
}

export function readMosaic(ds: DataSet, rows: number, columns: number): Mosaic | undefined {
  const imageType = (text(ds, 'x00080008') ?? '').toUpperCase().split('\\');
  if (!imageType.includes('MOSAIC')) return undefined;
  const csaElement = ds.elements.x00291010;
  const csa = csaElement
    ? readCsaHeader(
        (ds.byteArray as Uint8Array).subarray(csaElement.dataOffset, csaElement.dataOffset + csaElement.length),
      )
    : new Map<string, string[]>();
  const count = uint(ds, 'x0019100a') ?? Number(csa.get('NumberOfImagesInMosaic')?.[0]);
  if (!Number.isInteger(count) || count < 1) return undefined;
  const perRow = Math.ceil(Math.sqrt(count));
  if (rows % perRow || columns % perRow) return undefined;
  const n = csa.get('SliceNormalVector')?.map(Number);
  return {
    count,
    perRow,
    tileRows: rows / perRow,
    tileColumns: columns / perRow,
    normal: n && n.length === 3 && n.every(Number.isFinite) ? [n[0]!, n[1]!, n[2]!] : undefined,
  };
}

/** Copies tile `index` out of a decoded mosaic frame (grey, interleaved samples). */
export function cropTile<T extends { length: number; subarray(a: number, b: number): T; constructor: unknown }>(
  frame: T,
  columns: number,
  mosaic: Mosaic,
  index: number,
): T {
  const out = new (frame.constructor as new (n: number) => T & { set(a: T, o: number): void })(
    mosaic.tileRows * mosaic.tileColumns,
  );
  const r0 = Math.floor(index / mosaic.perRow) * mosaic.tileRows;
  const c0 = (index % mosaic.perRow) * mosaic.tileColumns;
  for (let r = 0; r < mosaic.tileRows; r++) {
    const start = (r0 + r) * columns + c0;
    out.set(frame.subarray(start, start + mosaic.tileColumns), r * mosaic.tileColumns);
  }
  return out;
}
