import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxSet } from '../../src/detection/boxes.js';
import { nms, weightedBoxFusion } from '../../src/detection/nms.js';

const scored = (dims: 2 | 3, rows: number[][]): BoxSet => ({
  dims,
  boxes: Float64Array.from(rows.flatMap((r) => r.slice(0, 2 * dims))),
  labels: Int32Array.from(rows.map((r) => r[2 * dims]!)),
  scores: Float32Array.from(rows.map((r) => r[2 * dims + 1]!)),
});

test('class-wise NMS in 3D: an overlapping box of the same class goes, of another class stays', () => {
  const set = scored(3, [
    [0, 0, 0, 10, 10, 10, 0, 0.6],
    [1, 0, 0, 11, 10, 10, 0, 0.9], // IoU with the first 0.82 > 0.5: suppresses it
    [1, 0, 0, 11, 10, 10, 1, 0.5], // another class
    [20, 20, 20, 30, 30, 30, 0, 0.4],
  ]);
  const kept = nms(set, 0.5);
  assert.deepEqual([...kept.labels], [0, 1, 0]);
  assert.deepEqual(
    Array.from(kept.scores!, (s) => Math.round(s * 10) / 10),
    [0.9, 0.5, 0.4],
  );
  assert.deepEqual([...nms(set, 0.5, true).labels], [0, 0], 'class-agnostic');
});

test('weighted box fusion: score-weighted mean box; a box only one of two views found is down-weighted', () => {
  const set = scored(2, [
    [0, 0, 10, 10, 0, 0.8],
    [2, 0, 12, 10, 0, 0.4], // IoU 8/12 with the first: fused
    [50, 50, 60, 60, 0, 0.6], // alone
  ]);
  const fused = weightedBoxFusion(set, { iouThreshold: 0.55, views: 2 });
  assert.equal(fused.labels.length, 2);
  // x1 = (0·0.8 + 2·0.4)/1.2; score = mean(0.8, 0.4) · 2/2
  assert.ok(Math.abs(fused.boxes[0]! - 0.8 / 1.2) < 1e-9);
  assert.ok(Math.abs(fused.boxes[2]! - (10 * 0.8 + 12 * 0.4) / 1.2) < 1e-9);
  assert.ok(Math.abs(fused.scores![0]! - 0.6) < 1e-6);
  assert.ok(Math.abs(fused.scores![1]! - 0.3) < 1e-6, 'found by one of two views: 0.6 · 1/2');
});
