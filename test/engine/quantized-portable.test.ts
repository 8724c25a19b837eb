// The int8 element-wise kernels have an AVX2 path and a portable one (other CPUs); quantized.test.ts
// runs whichever this CPU picks, and here again with the portable loops forced.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('the int8 kernels give the reference results on the portable (non-AVX2) path too', () => {
  // without the parent's NODE_TEST_CONTEXT the child reports as a plain run (TAP on stdout)
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/engine/quantized.test.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...env, VESALIUS_INT8_PORTABLE: '1' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `portable run failed:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
  assert.match(run.stdout, /# fail 0/);
});
