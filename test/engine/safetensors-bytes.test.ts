import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeSafetensors,
  encodeSafetensors,
  typedArrayOf,
  SAFETENSORS_DTYPES,
  type RawTypedArray,
  type SafetensorsDType,
} from '../../src/engine/safetensors-bytes.js';
import { FileFormatError } from '../../src/util/errors.js';
import { rawTensor } from '../helpers/safetensors.js';

// Bytes per element of each dtype, from the format's specification.
const WIDTH: Record<SafetensorsDType, number> = {
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

const f32Bytes = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

// Byte vectors published in the reference implementation's own tests (huggingface/safetensors, tensor.rs).
const REFERENCE_ATTN_0 = [
  64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70,
  51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111,
  102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0,
  64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
];
const REFERENCE_ATTN0_PADDED = [
  72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51,
  50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111,
  102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0,
  128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
];

test("writes the reference implementation's bytes exactly", () => {
  const data = f32Bytes([0, 1, 2, 3, 4, 5]);
  assert.deepEqual(
    [...encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], bytes: data } })],
    REFERENCE_ATTN_0,
  );
  // A 7-byte shorter name forces 7 spaces of padding so the data starts 8-byte aligned.
  assert.deepEqual(
    [...encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], bytes: data } })],
    REFERENCE_ATTN0_PADDED,
  );
  assert.deepEqual([...encodeSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const withMeta = encodeSafetensors({}, { framework: 'pt' });
  assert.equal(Buffer.from(withMeta.subarray(8)).toString(), '{"__metadata__":{"framework":"pt"}}     ');
  assert.equal(withMeta[0], 40);
});

test('reads the reference bytes back', () => {
  const { tensors, metadata } = decodeSafetensors(Uint8Array.from(REFERENCE_ATTN0_PADDED));
  assert.deepEqual(metadata, {});
  const t = tensors.get('attn0')!;
  assert.equal(t.dtype, 'F32');
  assert.deepEqual(t.shape, [1, 1, 2, 3]);
  assert.deepEqual([...(typedArrayOf(t) as Float32Array)], [0, 1, 2, 3, 4, 5]);
});

test('orders tensors by descending alignment then name, offsets contiguous', () => {
  const out = encodeSafetensors({
    b_u8: rawTensor('U8', [3], Uint8Array.from([1, 2, 3])),
    a_f64: rawTensor('F64', [1], Float64Array.from([1.5])),
    c_f32: rawTensor('F32', [2], Float32Array.from([1, 2])),
    a_f32: rawTensor('F32', [], Float32Array.from([7])),
  });
  const n = Number(new DataView(out.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(Buffer.from(out.subarray(8, 8 + n)).toString()) as Record<
    string,
    { data_offsets: number[] }
  >;
  assert.deepEqual(Object.keys(header), ['a_f64', 'a_f32', 'c_f32', 'b_u8']);
  assert.deepEqual(
    Object.values(header).map((e) => e.data_offsets),
    [
      [0, 8],
      [8, 12],
      [12, 20],
      [20, 23],
    ],
  );
  assert.equal(out.byteLength, 8 + n + 23);
});

test('round trip of every dtype, including scalars and empty tensors', () => {
  const samples: Record<SafetensorsDType, RawTypedArray> = {
    BOOL: Uint8Array.from([1, 0, 1, 1, 0, 0]),
    U8: Uint8Array.from([0, 255, 7, 8, 9, 10]),
    I8: Int8Array.from([-128, 127, 0, -1, 5, 6]),
    I16: Int16Array.from([-32768, 32767, 0, -1, 5, 6]),
    U16: Uint16Array.from([0, 65535, 1, 2, 3, 4]),
    F16: Uint16Array.from([0x3c00, 0xc000, 0x7c00, 0x0001, 0x3555, 0]),
    BF16: Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0x0001, 0x3eaa, 0]),
    I32: Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, -1, 5, 6]),
    U32: Uint32Array.from([0, 2 ** 32 - 1, 1, 2, 3, 4]),
    F32: Float32Array.from([Math.PI, -0, Infinity, NaN, 1e-40, 6]),
    F64: Float64Array.from([Math.PI, -0, -Infinity, NaN, 5e-324, 6]),
    I64: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 5n, 6n]),
    U64: BigUint64Array.from([0n, 2n ** 64n - 1n, 1n, 2n, 3n, 4n]),
  };
  const input = new Map<string, ReturnType<typeof rawTensor>>();
  for (const dtype of SAFETENSORS_DTYPES) {
    input.set(`t.${dtype}`, rawTensor(dtype, [2, 3], samples[dtype]));
    input.set(`scalar.${dtype}`, rawTensor(dtype, [], samples[dtype].subarray(0, 1) as RawTypedArray));
    input.set(`empty.${dtype}`, rawTensor(dtype, [0, 4], samples[dtype].subarray(0, 0) as RawTypedArray));
  }
  const bytes = encodeSafetensors(input, { format: 'pt', note: 'ünïcode ✓' });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { format: 'pt', note: 'ünïcode ✓' });
  assert.equal(tensors.size, input.size);
  for (const [name, t] of input) {
    const back = tensors.get(name)!;
    assert.equal(back.dtype, t.dtype, name);
    assert.deepEqual(back.shape, t.shape, name);
    assert.deepEqual(Buffer.from(back.bytes), Buffer.from(t.bytes), name);
    assert.equal(back.bytes.byteLength, t.shape.reduce((a, b) => a * b, 1) * WIDTH[t.dtype]);
  }
  const f64 = typedArrayOf(tensors.get('t.F64')!) as Float64Array;
  assert.ok(Object.is(f64[1], -0) && Number.isNaN(f64[3]) && f64[4] === 5e-324);
});

function fileWith(header: string, data: number[] = []): Uint8Array {
  const h = Buffer.from(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function rejects(bytes: Uint8Array, pattern: RegExp) {
  assert.throws(
    () => decodeSafetensors(bytes, 'model.safetensors'),
    (err: unknown) => {
      assert.ok(err instanceof FileFormatError, String(err));
      assert.match(err.message, /^model\.safetensors: /);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('rejects corrupt files with a FileFormatError naming the file', () => {
  rejects(Uint8Array.from([1, 2, 3]), /too short/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  rejects(huge, /exceeds/);
  const past = new Uint8Array(16);
  past[0] = 200;
  rejects(past, /past the end/);
  rejects(fileWith('[1,2]   '), /does not start/);
  rejects(fileWith('{"a":   '), /not valid JSON/);
  const badUtf8 = fileWith('{"a":1}x');
  badUtf8[15] = 0xff;
  rejects(badUtf8, /UTF-8/);
  const entry = (o: object) => JSON.stringify(o);
  rejects(fileWith(entry({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }), [0]), /unsupported dtype "F8"/);
  rejects(fileWith(entry({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }), [0, 0, 0, 0]), /invalid shape/);
  rejects(fileWith(entry({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }), [0, 0, 0, 0]), /ending before/);
  rejects(fileWith(entry({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }), [0, 0, 0, 0]), /needs 8/);
  rejects(fileWith(entry({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), [0, 0, 0, 0, 0, 0, 0, 0]), /gap/);
  rejects(
    fileWith(
      entry({
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      }),
      [0, 0, 0, 0, 0, 0, 0, 0],
    ),
    /overlaps/,
  );
  rejects(fileWith(entry({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), [0, 0, 0, 0]), /truncated/);
  rejects(fileWith(entry({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }), [0, 0, 0, 0, 9]), /cover 4/);
  rejects(fileWith(entry({ __metadata__: { a: 1 } })), /not a string/);
  // A valid file truncated anywhere is refused, never misread.
  const good = encodeSafetensors({ w: rawTensor('F32', [4], Float32Array.from([1, 2, 3, 4])) });
  for (let cut = 0; cut < good.byteLength; cut++) {
    assert.throws(() => decodeSafetensors(good.subarray(0, cut), 'x.safetensors'), FileFormatError);
  }
});

test('accepts headers from other writers: any key order, extra padding', () => {
  const header = `${JSON.stringify({
    b: { dtype: 'I32', shape: [1], data_offsets: [4, 8] },
    __metadata__: { k: 'v' },
    a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
  })}         `;
  const { tensors, metadata } = decodeSafetensors(fileWith(header, [0, 0, 128, 63, 5, 0, 0, 0]));
  assert.deepEqual(metadata, { k: 'v' });
  assert.deepEqual([...(typedArrayOf(tensors.get('a')!) as Float32Array)], [1]);
  assert.deepEqual([...(typedArrayOf(tensors.get('b')!) as Int32Array)], [5]);
});
