/**
 * An ONNX model under construction: nodes, initializers (raw little-endian bytes), graph inputs and
 * outputs with symbolic (dynamic) dimensions, serialised with onnx-proto (the ONNX protobuf schema,
 * IR version 8, opset 17).
 */
import onnxProto from 'onnx-proto';
import type { Tensor } from '../../engine/tensor.js';

const { onnx } = onnxProto;
type AttributeValue = number | number[] | string;

export const OPSET = 17;

/** Attributes ONNX types as floats (everything else numeric is an int). */
const FLOAT_ATTRIBUTES = new Set(['alpha', 'epsilon', 'beta', 'momentum']);

export type ElementType = 'float32' | 'int64' | 'int8' | 'uint8' | 'int32';
const ELEMENT: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  int32: onnx.TensorProto.DataType.INT32,
};

interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export interface ValueSpec {
  name: string;
  elementType: ElementType;
  /** A number for a fixed size, a string for a named dynamic one. */
  dims: Array<number | string>;
}

export class OnnxBuilder {
  readonly nodes: Array<{
    opType: string;
    inputs: string[];
    outputs: string[];
    attrs: Record<string, AttributeValue>;
    name: string;
  }> = [];
  readonly initializers = new Map<string, Initializer>();
  readonly #names = new Set<string>();

  /** A fresh value name based on `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  reserve(name: string): void {
    this.#names.add(name);
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, outputName?: string): string {
    const out = outputName ?? this.fresh(`${inputs[0] ?? opType}.${opType}`);
    this.#names.add(out);
    this.nodes.push({ opType, inputs, outputs: [out], attrs, name: out });
    return out;
  }

  /** An initializer from raw values; returns its name. */
  constant(name: string, values: ArrayBufferView, dims: number[], elementType: ElementType): string {
    if (!this.initializers.has(name)) {
      this.#names.add(name);
      const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
      this.initializers.set(name, { name, dims, dataType: ELEMENT[elementType], rawData });
    }
    return name;
  }

  /** An initializer holding an engine tensor's values (float32, int64, int8 or uint8), optionally reshaped. */
  tensor(name: string, t: Tensor, dims: number[] = t.shape): string {
    if (this.initializers.has(name)) return name;
    const values = t.contiguous().toArray() as Float32Array | BigInt64Array | Int8Array | Uint8Array;
    const type: ElementType =
      values instanceof BigInt64Array
        ? 'int64'
        : values instanceof Int8Array
          ? 'int8'
          : values instanceof Uint8Array
            ? 'uint8'
            : 'float32';
    return this.constant(name, type === 'float32' ? Float32Array.from(values as Float32Array) : values, dims, type);
  }

  /** The serialised model. */
  toBytes(o: {
    inputs: ValueSpec[];
    outputs: ValueSpec[];
    graphName: string;
    docString?: string;
    metadata?: Record<string, string>;
  }): Uint8Array {
    const value = (v: ValueSpec) =>
      onnx.ValueInfoProto.create({
        name: v.name,
        type: {
          tensorType: {
            elemType: ELEMENT[v.elementType],
            shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
          },
        },
      });
    const graph = onnx.GraphProto.create({
      name: o.graphName,
      node: this.nodes.map((n) =>
        onnx.NodeProto.create({
          name: n.name,
          opType: n.opType,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs).map(([name, v]) => attribute(name, v)),
        }),
      ),
      initializer: [...this.initializers.values()].map((i) =>
        onnx.TensorProto.create({ name: i.name, dims: i.dims, dataType: i.dataType, rawData: i.rawData }),
      ),
      input: o.inputs.map(value),
      output: o.outputs.map(value),
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'vesalius',
      docString: o.docString ?? '',
      graph,
      metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, v: AttributeValue) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string')
    return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: v });
  if (FLOAT_ATTRIBUTES.has(name)) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v });
  return onnx.AttributeProto.create({ name, type: A.INT, i: v });
}

/** Reads a model's bytes back (for tests and for the sidecar's checks). */
export function decodeModel(bytes: Uint8Array) {
  return onnx.ModelProto.decode(bytes);
}
