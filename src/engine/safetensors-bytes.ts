/**
 * The safetensors file format at the byte level, on plain typed arrays (no engine tensors):
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}},
 *             padded with spaces to a multiple of 8 bytes so that the data that follows stays aligned
 *   rest      the data buffer; offsets are relative to its start, little-endian, C order
 *
 * Writing follows the reference implementation (huggingface/safetensors) byte for byte: tensors ordered by
 * descending dtype alignment then by name, offsets contiguous, compact JSON with "__metadata__" first.
 * Reading validates what the reference validates (header size, JSON, contiguous offsets, sizes matching
 * shape × dtype, data ending exactly at the end of the file) and reports a FileFormatError naming the file.
 */
import { FileFormatError } from '../util/errors.js';
import type { AnyTypedArray } from './dtype.js';

/** Element types of the format, in the reference's order of increasing alignment. */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'U8',
  'I8',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
] as const;
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

const ELEMENT_BYTES: Record<SafetensorsDType, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The reference sorts by its Dtype enum order, which includes the FP8 types after I8. */
const REFERENCE_ORDER: Record<SafetensorsDType, number> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 5,
  U16: 6,
  F16: 7,
  BF16: 8,
  I32: 9,
  U32: 10,
  F32: 11,
  F64: 12,
  I64: 13,
  U64: 14,
};

/** The reference refuses headers above 100 MB; so do we (it also bounds what a corrupt length can make us allocate). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Typed-array view for each dtype; F16/BF16 are raw 16-bit patterns, BOOL is one byte 0/1. */
export type RawTypedArray = Exclude<AnyTypedArray, Uint8ClampedArray>;

export interface RawTensor {
  dtype: SafetensorsDType;
  shape: number[];
  /** Little-endian bytes in C order; length = product(shape) × element size. */
  bytes: Uint8Array;
}

export interface SafetensorsContent {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

export function isSafetensorsDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && Object.hasOwn(ELEMENT_BYTES, value);
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The tensor's values as the natural typed array for its dtype (a copy, so always aligned). */
export function typedArrayOf(t: RawTensor): RawTypedArray {
  // A fresh buffer holding exactly these bytes (Buffer#slice would be a view into a shared pool).
  const own = new Uint8Array(t.bytes.byteLength);
  own.set(t.bytes);
  const copy = own.buffer;
  switch (t.dtype) {
    case 'BOOL':
    case 'U8':
      return new Uint8Array(copy);
    case 'I8':
      return new Int8Array(copy);
    case 'I16':
      return new Int16Array(copy);
    case 'U16':
    case 'F16':
    case 'BF16':
      return new Uint16Array(copy);
    case 'I32':
      return new Int32Array(copy);
    case 'U32':
      return new Uint32Array(copy);
    case 'F32':
      return new Float32Array(copy);
    case 'F64':
      return new Float64Array(copy);
    case 'I64':
      return new BigInt64Array(copy);
    case 'U64':
      return new BigUint64Array(copy);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error('safetensors support assumes a little-endian machine');

/** Serializes tensors (+ optional string metadata) exactly as the reference implementation does. */
export function encodeSafetensors(
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new RangeError('"__metadata__" is reserved and cannot name a tensor');
    const expected = numelOf(t.shape) * ELEMENT_BYTES[t.dtype];
    if (t.bytes.byteLength !== expected) {
      throw new RangeError(
        `tensor ${name}: ${t.dtype} [${t.shape.join(', ')}] needs ${expected} bytes, got ${t.bytes.byteLength}`,
      );
    }
  }
  entries.sort(
    ([an, a], [bn, b]) => REFERENCE_ORDER[b.dtype] - REFERENCE_ORDER[a.dtype] || (an < bn ? -1 : an > bn ? 1 : 0),
  );

  // JSON objects keep insertion order for non-integer-like keys; build the header text by hand so
  // that names like "0" (which JS would reorder) keep the data order too.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(metadata).sort()) {
      const value = metadata[key];
      if (typeof value !== 'string') throw new RangeError(`metadata ${key}: values must be strings`);
      sorted[key] = value;
    }
    parts.push(`"__metadata__":${JSON.stringify(sorted)}`);
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.bytes.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  let header = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (header.length % 8)) % 8;
  if (pad > 0) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);

  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const [, t] of entries) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return out;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses and validates a whole safetensors file held in memory. `source` names the file in errors.
 * Tensor bytes are views into `bytes` (no copy); use typedArrayOf for aligned values.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsContent {
  const fail = (reason: string): never => {
    throw new FileFormatError(source, `not a valid safetensors file: ${reason}`);
  };
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.byteLength) fail(`header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail('header does not start with "{"');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info))
        fail('"__metadata__" is not an object of strings');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"__metadata__" value ${JSON.stringify(k)} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    entries.push(parseEntry(name, info, fail));
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = bytes.byteLength - 8 - n;
  let expectedBegin = 0;
  for (const e of entries) {
    if (e.begin !== expectedBegin) {
      fail(
        e.begin < expectedBegin
          ? `tensor ${JSON.stringify(e.name)} overlaps the previous tensor (offset ${e.begin} < ${expectedBegin})`
          : `tensor ${JSON.stringify(e.name)} leaves a gap (offset ${e.begin}, expected ${expectedBegin})`,
      );
    }
    const need = numelOf(e.shape) * ELEMENT_BYTES[e.dtype];
    if (e.end - e.begin !== need) {
      fail(
        `tensor ${JSON.stringify(e.name)} spans ${e.end - e.begin} bytes but ${e.dtype} [${e.shape.join(', ')}] needs ${need}`,
      );
    }
    if (e.end > dataLength)
      fail(
        `tensor ${JSON.stringify(e.name)} ends at byte ${e.end} past the data (${dataLength} bytes): truncated file`,
      );
    expectedBegin = e.end;
  }
  if (expectedBegin !== dataLength) fail(`data buffer has ${dataLength} bytes but the tensors cover ${expectedBegin}`);

  const tensors = new Map<string, RawTensor>();
  const dataStart = 8 + n;
  for (const e of entries) {
    tensors.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      bytes: bytes.subarray(dataStart + e.begin, dataStart + e.end),
    });
  }
  return { tensors, metadata };
}

function parseEntry(name: string, info: unknown, fail: (reason: string) => never): HeaderEntry {
  const quoted = JSON.stringify(name);
  if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`entry ${quoted} is not an object`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (!isSafetensorsDType(dtype)) fail(`tensor ${quoted} has unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor ${quoted} has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor ${quoted} has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`tensor ${quoted} has data_offsets [${begin}, ${end}] ending before they begin`);
  const dims = shape as number[];
  if (!Number.isSafeInteger(numelOf(dims) * ELEMENT_BYTES[dtype as SafetensorsDType]))
    fail(`tensor ${quoted} shape overflows`);
  return { name, dtype: dtype as SafetensorsDType, shape: dims, begin, end };
}
