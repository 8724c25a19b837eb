import type { RawTensor, RawTypedArray, SafetensorsDType } from '../../src/engine/safetensors-bytes.js';

/** A RawTensor from a typed array of the dtype's width (copied), checking that its length matches the shape. */
export function rawTensor(dtype: SafetensorsDType, shape: readonly number[], data: RawTypedArray): RawTensor {
  const expected = shape.reduce((a, b) => a * b, 1) * data.BYTES_PER_ELEMENT;
  if (data.byteLength !== expected)
    throw new RangeError(
      `${dtype} tensor of shape [${shape.join(', ')}] needs ${expected} bytes, got ${data.byteLength}`,
    );
  return {
    dtype,
    shape: [...shape],
    bytes: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}
