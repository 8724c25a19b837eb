import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  argmaxChannels,
  connectedComponents,
  fillHoles,
  keepLargestComponent,
  postprocess,
  removeSmallComponents,
} from '../../src/infer/postprocess.js';

/** Rows of a drawing, top row = j 0, characters along i; '.' = 0, digits = labels. */
function draw(rows: string[]): { data: Uint8Array; shape: number[] } {
  const ni = rows[0]!.length;
  const data = new Uint8Array(ni * rows.length);
  rows.forEach((row, j) => [...row].forEach((ch, i) => (data[i + ni * j] = ch === '.' ? 0 : Number(ch))));
  return { data, shape: [ni, rows.length, 1] };
}
function render(data: ArrayLike<number>, shape: number[]): string[] {
  const rows: string[] = [];
  for (let j = 0; j < shape[1]!; j++) {
    let s = '';
    for (let i = 0; i < shape[0]!; i++) s += data[i + shape[0]! * j] === 0 ? '.' : String(data[i + shape[0]! * j]);
    rows.push(s);
  }
  return rows;
}

test('2D components: diagonal touches join with 8- but not 4-connectivity', () => {
  const { data, shape } = draw(['1....1', '.1...1', '..1...', '......', '11..1.']);
  const c4 = connectedComponents(data, shape, 4);
  assert.equal(c4.count, 6); // three diagonal singletons, the right bar, the bottom pair, one singleton
  const c8 = connectedComponents(data, shape, 8);
  assert.equal(c8.count, 4);
  assert.deepEqual(render(c8.labels, shape), ['1....2', '.1...2', '..1...', '......', '33..4.']);
  assert.deepEqual([...c8.sizes], [0, 3, 2, 2, 1]);
});

test('a U shape merges two provisional labels into one component (union-find)', () => {
  const { data, shape } = draw(['1.1.1', '1.1.1', '11111']);
  const c = connectedComponents(data, shape, 4);
  assert.equal(c.count, 1);
  assert.equal(c.sizes[1], 11);
});

test('3D: 6-, 18- and 26-connectivity on corner, edge and face neighbours', () => {
  const shape = [3, 3, 3];
  const data = new Uint8Array(27);
  const at = (i: number, j: number, k: number) => i + 3 * (j + 3 * k);
  data[at(0, 0, 0)] = 1;
  data[at(1, 1, 1)] = 1; // corner neighbour of (0,0,0)
  data[at(2, 2, 1)] = 1; // edge neighbour of (1,1,1)
  data[at(2, 2, 2)] = 1; // face neighbour of (2,2,1)
  assert.equal(connectedComponents(data, shape, 6).count, 3);
  assert.equal(connectedComponents(data, shape, 18).count, 2);
  assert.equal(connectedComponents(data, shape, 26).count, 1);
});

test('keep largest component per class; the rest becomes background', () => {
  const { data, shape } = draw(['11..2', '11..2', '....2', '1.22.']);
  const out = keepLargestComponent(data, shape, { connectivity: 4 });
  assert.deepEqual(render(out, shape), ['11..2', '11..2', '....2', '.....']);
  assert.deepEqual(render(data, shape)[3], '1.22.', 'input untouched');
  // only class 1
  assert.deepEqual(render(keepLargestComponent(data, shape, { classes: [1], connectivity: 4 }), shape)[3], '..22.');
});

test('remove components smaller than N voxels, or than a physical area with the spacing', () => {
  const { data, shape } = draw(['111..1', '111...', '.....1', '11...1']);
  assert.deepEqual(render(removeSmallComponents(data, shape, { minVoxels: 2, connectivity: 4 }), shape), [
    '111...',
    '111...',
    '.....1',
    '11...1',
  ]);
  assert.deepEqual(render(removeSmallComponents(data, shape, { minVoxels: 3, connectivity: 4 }), shape), [
    '111...',
    '111...',
    '......',
    '......',
  ]);
  // pixels of 0.5 x 2 mm = 1 mm²: a 2-pixel component is 2 mm²; minimum 2.5 mm² removes it, 6 pixels (6 mm²) stay
  const mm = removeSmallComponents(data, shape, { minVolume: 2.5, spacing: [0.5, 2, 7], connectivity: 4 });
  assert.equal(
    mm.reduce((a, b) => a + b, 0),
    6,
  );
  assert.throws(() => removeSmallComponents(data, shape, { minVolume: 2 }), /spacing/);
});

test('fill holes: enclosed background becomes the class; regions touching the border or another class stay', () => {
  const { data, shape } = draw(['.......', '.111...', '.1.1.2.', '.111...', '..1....', '.1.1...', '.......']);
  assert.deepEqual(render(fillHoles(data, shape), shape), [
    '.......',
    '.111...',
    '.111.2.',
    '.111...',
    '..1....',
    '.1.1...',
    '.......',
  ]);
  // a background pocket bordered by two classes is not filled
  const two = draw(['.....', '.112.', '.1.2.', '.112.', '.....']);
  assert.deepEqual(render(fillHoles(two.data, two.shape), two.shape), ['.....', '.112.', '.1.2.', '.112.', '.....']);
  // a hole that reaches the border is not a hole
  const open = draw(['.1.1.', '.1.1.', '.111.']);
  assert.deepEqual(render(fillHoles(open.data, open.shape), open.shape), ['.1.1.', '.1.1.', '.111.']);
});

test('fill holes in 3D: a hollow cube is filled, a cube with a face tunnel to the border is not', () => {
  const n = 5;
  const shape = [n, n, n];
  const cube = new Uint8Array(n ** 3);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        const shell = [i, j, k].some((x) => x === 0 || x === n - 1);
        cube[i + n * (j + n * k)] = shell ? 1 : 0;
      }
  const filled = fillHoles(cube, shape);
  assert.equal(
    filled.reduce((a, b) => a + b, 0),
    n ** 3,
  );
  const tunnel = cube.slice();
  tunnel[2 + n * (2 + n * 0)] = 0; // a hole in the face at k = 0 connects the 27 inner voxels to the border
  assert.equal(
    fillHoles(tunnel, shape).reduce((a, b) => a + b, 0),
    n ** 3 - 28,
  );
});

test('bad connectivity and mismatched shapes are typed errors', () => {
  assert.throws(() => connectedComponents(new Uint8Array(4), [2, 2, 1], 5 as never), /connectivity/);
  assert.throws(() => connectedComponents(new Uint8Array(4), [3, 2, 1], 4), /does not match/);
});

test('linear time: a 128³ random volume labels in well under a few seconds', () => {
  const n = 128;
  const data = new Uint8Array(n ** 3);
  let s = 12345;
  for (let v = 0; v < data.length; v++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[v] = s >>> 31;
  }
  const t0 = performance.now();
  const c = connectedComponents(data, [n, n, n], 26);
  const ms = performance.now() - t0;
  assert.ok(c.count >= 1);
  assert.equal(
    c.sizes.reduce((a, b) => a + b, 0),
    data.reduce((a, b) => a + b, 0),
  );
  assert.ok(ms < 5000, `took ${ms} ms`);
});

test('argmax over channels, ties to the lower class', () => {
  // 3 voxels, 3 classes: [C, n]
  const scores = Float32Array.from([0.2, 0.5, 0.1, 0.7, 0.5, 0.1, 0.1, 0.0, 0.8]);
  assert.deepEqual([...argmaxChannels(scores, 3)], [1, 0, 2]);
  assert.throws(() => argmaxChannels(new Float32Array(5), 2), /do not split into 2 channels/);
});

test('postprocess runs the configured steps', () => {
  const { data, shape } = draw(['111..1', '1.1...', '111...', '......', '..11..']);
  assert.deepEqual(render(postprocess(data, shape, { keepLargest: true, fillHoles: true }), shape), [
    '111...',
    '111...',
    '111...',
    '......',
    '......',
  ]);
  assert.deepEqual(render(postprocess(data, shape, { removeSmaller: 2 }), shape)[0], '111...');
  assert.deepEqual(render(postprocess(data, shape, {}), shape), render(data, shape));
});
