// The int8 kernels against a dequantize → float → requantize reference computed here in float64:
// with the same integers in, every output integer must be the reference's, give or take one
// (rounding of ties in the requantization).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  dequantize,
  intRepr,
  prepackConv,
  prepackLinear,
  qcat,
  qconv,
  qlinear,
  qnormAct,
  quantizedEngine,
  quantizedInfo,
  quantizePerChannel,
  quantizePerTensor,
} from '../../src/engine/quantized.js';
import type { Tensor } from '../../src/engine/tensor.js';

const OUT = { scale: 0.05, zeroPoint: 120 };

function requantize(y: Tensor, scale: number, zeroPoint: number): Int32Array {
  const v = y.to('float64').contiguous().toArray() as Float64Array;
  return Int32Array.from(v, (r) => Math.min(255, Math.max(0, Math.round(r / scale) + zeroPoint)));
}

function integers(q: Tensor): Int32Array {
  return Int32Array.from(intRepr(q).contiguous().toArray() as Uint8Array);
}

function assertWithinOne(got: Int32Array, want: Int32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  let worst = 0,
    differing = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    worst = Math.max(worst, d);
    if (d > 0) differing++;
  }
  assert.ok(worst <= 1, `${what}: an output integer differs by ${worst} from the reference`);
  assert.ok(differing < 0.02 * got.length, `${what}: ${differing} of ${got.length} differ by one`);
  // the outputs use the range: not all saturated or constant
  assert.ok(new Set(got).size > 20, `${what}: degenerate output`);
}

function perChannelWeight(w: Tensor, axis: number): Tensor {
  const dims = [...Array(w.ndim).keys()].filter((d) => d !== axis);
  const scales = ve.amax(ve.abs(w), { dim: dims }).div(127).to('float64');
  return quantizePerChannel(w, scales, ve.zeros([w.shape[axis]!], { dtype: 'int64' }), axis, 'qint8');
}

test('the quantized engine is oneDNN (x86), never QNNPACK', () => {
  const { engine, supported } = quantizedEngine();
  if (process.arch === 'x64') {
    assert.ok(supported.includes('onednn') || supported.includes('fbgemm'), `supported: ${supported.join(', ')}`);
    assert.notEqual(engine, 'qnnpack');
    assert.ok(['onednn', 'fbgemm'].includes(engine));
  }
});

test('quantize/dequantize: real = scale · (q − zero point), saturated', () => {
  ve.tidy(() => {
    const x = ve.Tensor.from(Float32Array.of(-1, 0, 0.26, 5, 100));
    const q = quantizePerTensor(x, 0.1, 10);
    assert.deepEqual(quantizedInfo(q), { dtype: 'quint8', scale: 0.1, zeroPoint: 10 });
    assert.deepEqual([...(intRepr(q).toArray() as Uint8Array)], [0, 10, 13, 60, 255]);
    const back = dequantize(q).toArray() as Float32Array;
    assert.deepEqual(
      [...back].map((v) => Math.round(v * 100) / 100),
      [-1, 0, 0.3, 5, 24.5],
    );
    assert.equal(quantizedInfo(x), null);
  });
});

for (const [name, xShape, wShape, stride, padding, groups] of [
  ['2-D', [2, 6, 11, 9], [8, 6, 3, 3], [1, 1], [1, 1], 1],
  ['2-D strided, grouped', [1, 6, 12, 10], [6, 3, 3, 3], [2, 2], [1, 1], 2],
  ['3-D', [1, 4, 6, 7, 5], [5, 4, 3, 3, 3], [1, 1, 1], [1, 1, 1], 1],
] as Array<[string, number[], number[], number[], number[], number]>) {
  test(`quantized convolution (${name}) equals dequantize → float conv → requantize`, () => {
    ve.tidy(() => {
      ve.manualSeed(4);
      const qx = quantizePerTensor(ve.randn(xShape), 0.04, 128);
      const qw = perChannelWeight(ve.randn(wShape).mul(0.3), 0);
      const bias = ve.randn([wShape[0]!]).mul(0.2);
      const dilation = stride.map(() => 1);
      const packed = prepackConv(qw, bias, { stride, padding, dilation, groups });
      const got = qconv(qx, packed, OUT.scale, OUT.zeroPoint);
      assert.deepEqual(quantizedInfo(got), { dtype: 'quint8', ...OUT });
      const f = (t: Tensor) => dequantize(t).to('float64');
      const conv = xShape.length === 4 ? ve.conv2d : ve.conv3d;
      const reference = conv(f(qx), f(qw), bias.to('float64'), { stride, padding, groups });
      assertWithinOne(integers(got), requantize(reference.contiguous(), OUT.scale, OUT.zeroPoint), name);
      // fused ReLU: a ReLU's output range starts at 0, so its zero point is 0 (oneDNN clamps at integer 0)
      const relu = qconv(qx, packed, OUT.scale, 0, true);
      assertWithinOne(integers(relu), requantize(ve.relu(reference).contiguous(), OUT.scale, 0), `${name} + ReLU`);
      packed.release();
    });
  });
}

for (const [name, xShape, wShape] of [
  ['2-D', [1, 6, 5, 4], [6, 4, 2, 2]],
  ['3-D', [1, 4, 3, 4, 3], [4, 3, 2, 2, 2]],
] as Array<[string, number[], number[]]>) {
  test(`quantized transposed convolution (${name}, stride 2) equals the float reference`, () => {
    ve.tidy(() => {
      ve.manualSeed(5);
      const qx = quantizePerTensor(ve.randn(xShape), 0.04, 128);
      const w = ve.randn(wShape).mul(0.3);
      const qw = quantizePerTensor(w, (ve.abs(w).max().item() as number) / 127, 0, 'qint8');
      const dims = xShape.length - 2;
      const stride = new Array<number>(dims).fill(2);
      const zeros = new Array<number>(dims).fill(0);
      const packed = prepackConv(qw, null, {
        stride,
        padding: zeros,
        dilation: stride.map(() => 1),
        groups: 1,
        transposed: true,
        outputPadding: zeros,
      });
      const got = qconv(qx, packed, OUT.scale, OUT.zeroPoint);
      const f = (t: Tensor) => dequantize(t).to('float64');
      const reference = (dims === 2 ? ve.convTranspose2d : ve.convTranspose3d)(f(qx), f(qw), null, { stride });
      assertWithinOne(integers(got), requantize(reference.contiguous(), OUT.scale, OUT.zeroPoint), name);
      packed.release();
    });
  });
}

test('quantized linear equals dequantize → float linear → requantize', () => {
  ve.tidy(() => {
    ve.manualSeed(6);
    const qx = quantizePerTensor(ve.randn([7, 40]), 0.04, 128);
    const qw = perChannelWeight(ve.randn([30, 40]).mul(0.3), 0);
    const bias = ve.randn([30]).mul(0.2);
    const packed = prepackLinear(qw, bias);
    const got = qlinear(qx, packed, OUT.scale, OUT.zeroPoint);
    const reference = ve.linear(dequantize(qx).to('float64'), dequantize(qw).to('float64'), bias.to('float64'));
    assertWithinOne(integers(got), requantize(reference.contiguous(), OUT.scale, OUT.zeroPoint), 'linear');
    packed.release();
  });
});

for (const [name, groups, activation] of [
  ['instance norm + leaky ReLU', 6, 'leakyrelu'],
  ['group norm (3 groups) + ReLU', 3, 'relu'],
  ['instance norm', 6, 'none'],
] as Array<[string, number, 'leakyrelu' | 'relu' | 'none']>) {
  test(`fused int8 ${name} equals dequantize → float norm → requantize (2-D and 3-D)`, () => {
    ve.tidy(() => {
      ve.manualSeed(7);
      // the last shape spans several of the kernel's 2,048-position blocks (summed in parallel)
      for (const shape of [
        [2, 6, 9, 7],
        [1, 6, 5, 4, 6],
        [2, 6, 50, 93],
      ]) {
        const qx = quantizePerTensor(ve.randn(shape).mul(2).add(0.5), 0.03, 100);
        const weight = ve.rand([6]).add(0.5);
        const bias = ve.randn([6]).mul(0.3);
        const got = qnormAct(qx, groups, weight, bias, { eps: 1e-5, activation, negativeSlope: 0.1, ...OUT });
        assert.deepEqual(quantizedInfo(got), { dtype: 'quint8', ...OUT });
        let reference = ve.groupNorm(
          dequantize(qx).to('float64'),
          groups,
          weight.to('float64'),
          bias.to('float64'),
          1e-5,
        );
        if (activation === 'relu') reference = ve.relu(reference);
        if (activation === 'leakyrelu') reference = ve.leakyRelu(reference, 0.1);
        assertWithinOne(
          integers(got),
          requantize(reference.contiguous(), OUT.scale, OUT.zeroPoint),
          `${name} ${shape.length}-D`,
        );
      }
    });
  });
}

test('int8 concatenation along the channels equals dequantize → cat → requantize (2-D and 3-D)', () => {
  ve.tidy(() => {
    ve.manualSeed(11);
    for (const [a, b] of [
      [
        [2, 5, 7, 9],
        [2, 11, 7, 9],
      ],
      [
        [1, 3, 4, 5, 6],
        [1, 40, 4, 5, 6],
      ],
    ] as Array<[number[], number[]]>) {
      // different parameters on each side, and neither is the output's
      const qa = quantizePerTensor(ve.randn(a).mul(2), 0.04, 90);
      const qb = quantizePerTensor(ve.randn(b).add(1), 0.02, 30);
      const got = qcat([qa, qb], OUT.scale, OUT.zeroPoint);
      assert.deepEqual(got.shape, [a[0], a[1]! + b[1]!, ...a.slice(2)]);
      assert.deepEqual(quantizedInfo(got), { dtype: 'quint8', ...OUT });
      const reference = ve.cat([dequantize(qa).to('float64'), dequantize(qb).to('float64')], 1);
      assertWithinOne(integers(got), requantize(reference, OUT.scale, OUT.zeroPoint), `cat ${a.length}-D`);
      // inputs already at the output's parameters pass through unchanged
      const same = quantizePerTensor(ve.randn(a), OUT.scale, OUT.zeroPoint);
      assert.deepEqual(
        integers(qcat([same, same], OUT.scale, OUT.zeroPoint)),
        Int32Array.from(
          ve
            .cat([intRepr(same), intRepr(same)], 1)
            .contiguous()
            .toArray() as Uint8Array,
        ),
      );
    }
    const qa = quantizePerTensor(ve.randn([1, 2, 4, 4]), 0.1, 128);
    const qb = quantizePerTensor(ve.randn([1, 2, 4, 5]), 0.1, 128);
    assert.throws(() => qcat([qa, qb], 0.1, 128), /differ in a size other than the channels/);
  });
});

test('int8 ops reject what they cannot take, with a message', () => {
  ve.tidy(() => {
    assert.throws(
      () => qnormAct(ve.randn([1, 4, 3, 3]), 4, null, null, { eps: 1e-5, scale: 1, zeroPoint: 0 }),
      /quint8/,
    );
    const qx = quantizePerTensor(ve.randn([1, 4, 3, 3]), 0.1, 128);
    assert.throws(() => qnormAct(qx, 3, null, null, { eps: 1e-5, scale: 1, zeroPoint: 0 }), /groups must divide/);
  });
});
