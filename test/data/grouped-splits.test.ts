import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupedKFoldSplits, kFoldSplits } from '../../src/data/splits.js';

const ids = Array.from({ length: 30 }, (_, i) => `case_${String(i).padStart(2, '0')}`);
// 12 subjects with 1–4 cases each
const subject = (i: number) => `sub${Math.floor((i * 12) / 30)}`;
const groups = new Map(ids.map((id, i) => [id, subject(i)]));
const strata = new Map(ids.map((id, i) => [id, i % 3 === 0 ? 'tumour' : 'healthy']));

function checkPartition(folds: ReturnType<typeof kFoldSplits>) {
  const held = folds.flatMap((f) => f.val).sort();
  assert.deepEqual(held, [...ids].sort(), 'every case held out exactly once');
  for (const f of folds) {
    assert.equal(f.train.length + f.val.length, ids.length);
    assert.ok(
      f.val.every((id) => !f.train.includes(id)),
      'no case both trained and held out',
    );
  }
}

test('without groups or strata the split is nnU-Net’s (sklearn KFold) exactly', () => {
  assert.deepEqual(groupedKFoldSplits(ids, 5, 12345), kFoldSplits(ids, 5, 12345));
});

test('grouped folds: no subject in two folds, every case covered once, stable under the seed', () => {
  const folds = groupedKFoldSplits(ids, 5, 7, { groups });
  checkPartition(folds);
  for (const f of folds) {
    const heldSubjects = new Set(f.val.map((id) => groups.get(id)));
    for (const id of f.train) assert.ok(!heldSubjects.has(groups.get(id)), `subject of ${id} is on both sides`);
  }
  assert.deepEqual(groupedKFoldSplits(ids, 5, 7, { groups }), folds, 'same seed, same folds');
  assert.notDeepEqual(groupedKFoldSplits(ids, 5, 8, { groups }), folds, 'another seed, other folds');
  // sizes stay balanced: 30 cases in 5 folds, subjects of ≤ 3 cases
  for (const f of folds) assert.ok(f.val.length >= 4 && f.val.length <= 8, `fold of ${f.val.length}`);
});

test('stratified folds: each stratum spread evenly (10 tumour cases → 2 per fold)', () => {
  const folds = groupedKFoldSplits(ids, 5, 1, { strata });
  checkPartition(folds);
  for (const f of folds) {
    assert.equal(f.val.filter((id) => strata.get(id) === 'tumour').length, 2);
    assert.equal(f.val.length, 6);
  }
  // grouped and stratified together: groups kept whole, strata still roughly balanced
  const both = groupedKFoldSplits(ids, 3, 1, { groups, strata });
  checkPartition(both);
  for (const f of both) {
    const held = new Set(f.val.map((id) => groups.get(id)));
    assert.ok(f.train.every((id) => !held.has(groups.get(id))));
  }
});

test('more folds than subjects or cases is a clear error', () => {
  assert.throws(
    () => groupedKFoldSplits(ids, 13, 0, { groups }),
    /13 folds need at least 13 subjects, the dataset has 12/,
  );
  assert.throws(
    () =>
      groupedKFoldSplits(['a', 'b'], 3, 0, {
        strata: new Map([
          ['a', 'x'],
          ['b', 'y'],
        ]),
      }),
    /3 folds need at least 3 cases/,
  );
  assert.throws(
    () => groupedKFoldSplits(['a', 'b', 'c'], 2, 0, { groups: new Map([['a', 's']]) }),
    /no subject for case 'b'/,
  );
});
