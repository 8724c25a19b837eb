import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

test('vesalius demo trains, the loss falls, and it ends by writing a self-contained report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vesalius-demo-'));
  const report = join(dir, 'report.html');
  // 10 s on a quiet 2-core machine; the generous limit is for loaded machines.
  const r = runCli(['demo', '--steps', '120', '--json', '--report', report], { timeoutMs: 900_000 });
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
  const html = readFileSync(report, 'utf8');
  // the loss curve (inline SVG with 120 steps on its x axis), the phantom figure inline, nothing fetched
  assert.match(html, /<svg[\s\S]*120[\s\S]*<\/svg>/);
  assert.match(html, /<img alt="validation phantom[^"]*" src="data:image\/png;base64,[A-Za-z0-9+/=]{1000,}">/);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  assert.match(html, new RegExp(`validation Dice ${summary.validationDice.toFixed(3)}`));
  rmSync(dir, { recursive: true, force: true });
});

test('vesalius demo rejects a bad option on one line', () => {
  const r = runCli(['demo', '--size', '30']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^vesalius: --size: must be a multiple of 4/);
});
