import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { NumpyRandomState, kFoldSplits, loadSplits, saveSplits, trainValSplit } from '../../src/data/splits.js';
import { tempTree } from '../helpers/tmp.js';

// Reference values printed by numpy 1.24 (Debian python3-numpy):
//   np.random.RandomState(5489).randint(0, 2**32, size=3, dtype=np.uint64)
//   r = np.random.RandomState(12345); a = np.arange(20); r.shuffle(a)
test('MT19937 and shuffle reproduce numpy RandomState bit for bit', () => {
  const r = new NumpyRandomState(5489);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32()], [3499211612, 581869302, 3890346734]);
  const a = Array.from({ length: 20 }, (_, i) => i);
  assert.deepEqual(
    new NumpyRandomState(12345).shuffle(a),
    [13, 8, 16, 3, 15, 12, 0, 10, 7, 11, 6, 17, 19, 18, 14, 9, 4, 1, 5, 2],
  );
  assert.deepEqual(new NumpyRandomState(7).shuffle([0, 1, 2, 3, 4, 5, 6]), [2, 5, 0, 6, 3, 1, 4]);
  const big = new NumpyRandomState(12345).shuffle(Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(big.slice(0, 10), [144, 833, 270, 468, 962, 186, 942, 516, 286, 458]);
});

test('k-fold = sklearn KFold(5, shuffle=True, random_state=12345) over sorted ids, like nnU-Net', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `case_${String(i).padStart(2, '0')}`).reverse();
  const folds = kFoldSplits(ids);
  assert.equal(folds.length, 5);
  // fold 0 validation = shuffled indices 13, 8, 16, 3 (sorted)
  assert.deepEqual(folds[0]!.val, ['case_03', 'case_08', 'case_13', 'case_16']);
  assert.deepEqual(folds[4]!.val, ['case_01', 'case_02', 'case_04', 'case_05']);
  const allVal = folds.flatMap((f) => f.val).sort();
  assert.deepEqual(allVal, [...ids].sort(), 'every case validated exactly once');
  for (const f of folds) {
    assert.equal(f.train.length + f.val.length, 20);
    assert.ok(f.val.every((id) => !f.train.includes(id)));
  }
  assert.deepEqual(kFoldSplits(ids), folds, 'deterministic');
  assert.notDeepEqual(kFoldSplits(ids, 5, 1), folds, 'another seed, other folds');
});

test('uneven k-fold: the first n mod k folds get one case more', () => {
  const ids = Array.from({ length: 7 }, (_, i) => `c${i}`);
  const folds = kFoldSplits(ids, 3, 7);
  assert.deepEqual(
    folds.map((f) => f.val.length),
    [3, 2, 2],
  );
  // shuffled order [2, 5, 0, 6, 3, 1, 4] -> fold 0 validates indices 2, 5, 0
  assert.deepEqual(folds[0]!.val, ['c0', 'c2', 'c5']);
});

test('train/val split is seeded, disjoint and complete', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `case_${String(i).padStart(2, '0')}`);
  const s = trainValSplit(ids, 0.2);
  assert.deepEqual(s.val, ['case_03', 'case_08', 'case_13', 'case_16']);
  assert.equal(s.train.length, 16);
  assert.deepEqual(trainValSplit(ids, 0.2), s);
});

test('bad split requests are clear errors', () => {
  assert.throws(() => kFoldSplits(['a', 'b'], 5), /5 folds need at least 5 cases/);
  assert.throws(() => kFoldSplits(['a', 'a', 'b'], 2), /'a' appears twice/);
  assert.throws(() => kFoldSplits(['a', 'b', 'c'], 1), /folds/);
  assert.throws(() => trainValSplit(['a'], 0.2), /at least 2 cases/);
});

test('splits round-trip through splits_final.json; malformed files are named', () => {
  const dir = tempTree({ 'bad.json': '[{"train": [1]}]' });
  const folds = kFoldSplits(['a', 'b', 'c', 'd', 'e']);
  saveSplits(join(dir, 'splits_final.json'), folds);
  assert.deepEqual(loadSplits(join(dir, 'splits_final.json')), folds);
  assert.throws(() => loadSplits(join(dir, 'bad.json')), /bad\.json: expected a list of/);
});
