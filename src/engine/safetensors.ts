/**
 * safetensors for engine tensors and modules: the format PyTorch, MONAI and Hugging Face use, so
 * weights move between Vesalius and PyTorch by name (state-dict names are PyTorch's).
 * The byte format itself lives in safetensors-bytes.ts.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError } from '../util/errors.js';
import type { DType } from './dtype.js';
import type { AnyModule, LoadStateDictResult } from './nn/module.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  typedArrayOf,
  type RawTensor,
  type RawTypedArray,
  type SafetensorsDType,
} from './safetensors-bytes.js';
import { Tensor } from './tensor.js';

const TO_FILE: Record<DType, SafetensorsDType> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

/**
 * File dtype → engine dtype. The engine (like torch 1.13) has no uint16/uint32/uint64 tensors: those
 * widen losslessly (U16 → int32, U32 → int64, U64 → int64 when every value fits).
 */
const TO_ENGINE: Record<SafetensorsDType, DType> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  U8: 'uint8',
  BOOL: 'bool',
  I8: 'int8',
  I16: 'int16',
  U16: 'int32',
  U32: 'int64',
  U64: 'int64',
};

export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Raw little-endian bytes of a tensor, in C order, on the CPU. */
export function tensorToRaw(t: Tensor): RawTensor {
  const dtype = TO_FILE[t.dtype];
  const onCpu = t.device === 'cpu' ? t : t.to('cpu');
  try {
    const values = onCpu.toArray() as RawTypedArray;
    return { dtype, shape: [...t.shape], bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  } finally {
    if (onCpu !== t) onCpu.dispose();
  }
}

/** An engine tensor (on the CPU) from raw safetensors data. */
export function rawToTensor(raw: RawTensor, source = '<buffer>', name = ''): Tensor {
  let values: RawTypedArray | Int32Array | BigInt64Array = typedArrayOf(raw);
  switch (raw.dtype) {
    case 'U16':
      values = Int32Array.from(values as Uint16Array);
      break;
    case 'U32':
      values = BigInt64Array.from(values as Uint32Array, (v) => BigInt(v));
      break;
    case 'U64': {
      const u = values as BigUint64Array;
      const out = new BigInt64Array(u.length);
      for (let i = 0; i < u.length; i++) {
        if (u[i]! > 0x7fffffffffffffffn)
          throw new FileFormatError(source, `tensor ${JSON.stringify(name)}: U64 value ${u[i]} does not fit int64`);
        out[i] = u[i]!;
      }
      values = out;
      break;
    }
    default:
  }
  return Tensor.from(values, raw.shape, { dtype: TO_ENGINE[raw.dtype] });
}

/** Serializes tensors (+ string metadata) to safetensors bytes. */
export function encodeTensors(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const raw = new Map<string, RawTensor>();
  for (const [name, t] of tensors instanceof Map ? tensors : Object.entries(tensors)) raw.set(name, tensorToRaw(t));
  return encodeSafetensors(raw, metadata);
}

/** Writes tensors to `path` atomically (temporary name, then rename). */
export function writeSafetensors(
  path: string,
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, encodeTensors(tensors, metadata));
}

function readBytes(source: string | Uint8Array): { bytes: Uint8Array; name: string } {
  if (typeof source !== 'string') return { bytes: source, name: '<buffer>' };
  try {
    return { bytes: readFileSync(source), name: source };
  } catch (err) {
    throw new FileFormatError(source, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads every tensor (new CPU tensors owned by the caller) and the metadata. */
export function readSafetensorsFile(source: string | Uint8Array): SafetensorsFile {
  const { bytes, name } = readBytes(source);
  const content = decodeSafetensors(bytes, name);
  const tensors: Record<string, Tensor> = {};
  try {
    for (const [key, raw] of content.tensors) tensors[key] = rawToTensor(raw, name, key);
  } catch (err) {
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  }
  return { tensors, metadata: content.metadata };
}

/** Reads every tensor of a safetensors file or buffer (new CPU tensors owned by the caller). */
export function readSafetensors(source: string | Uint8Array): Record<string, Tensor> {
  return readSafetensorsFile(source).tensors;
}

/** Saves a module's state dict (parameters and persistent buffers, PyTorch names). */
export function saveModule(module: AnyModule, path: string, metadata?: Record<string, string>): void {
  writeSafetensors(path, module.stateDict(), metadata);
}

/**
 * Loads a safetensors file into a module by name (see Module.loadStateDict; strict by default).
 * A mismatch becomes a FileFormatError naming the file.
 */
export function loadModule(
  module: AnyModule,
  source: string | Uint8Array,
  options: { strict?: boolean } = {},
): LoadStateDictResult {
  const { tensors } = readSafetensorsFile(source);
  try {
    return module.loadStateDict(tensors, options);
  } catch (err) {
    if (err instanceof RangeError)
      throw new FileFormatError(typeof source === 'string' ? source : '<buffer>', err.message);
    throw err;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
