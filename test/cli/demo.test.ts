import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

test('vesalius demo trains and the loss falls', () => {
  // 10 s on a quiet 2-core machine; the generous limit is for loaded machines.
  const r = runCli(['demo', '--steps', '120', '--json'], { timeoutMs: 900_000 });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as {
    steps: number;
    firstLossMean: number;
    lastLossMean: number;
    firstLoss: number;
    lastLoss: number;
    seconds: number;
    validationDice: number;
  };
  assert.equal(summary.steps, 120);
  assert.ok(
    summary.lastLossMean < 0.6 * summary.firstLossMean,
    `loss ${summary.firstLossMean} → ${summary.lastLossMean}`,
  );
  assert.ok(summary.lastLoss < summary.firstLoss);
  assert.ok(summary.validationDice > 0.5, `Dice ${summary.validationDice}`);
  assert.match(r.stderr, /step +1\/120 +loss/);
  assert.match(r.stderr, /step 120\/120 +loss/);
});

test('vesalius demo rejects a bad option on one line', () => {
  const r = runCli(['demo', '--size', '30']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^vesalius: --size: must be a multiple of 4/);
});
