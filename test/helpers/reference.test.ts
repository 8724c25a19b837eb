// The reference helper itself: with the reference python made unavailable (VESALIUS_REFERENCE_PYTHON
// naming a file that does not exist), a reference test is skipped with a message on a developer's
// machine and fails with a message naming the reference under CI=true; a missing data folder skips
// in both; an available reference runs the test body.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './data.js';
import { tempDir } from './tmp.js';

const MISSING_PYTHON = '/nonexistent/vesalius-reference/python3';
const helper = pathToFileURL(join(repoRoot, 'test', 'helpers', 'reference.ts')).href;

const file = join(tempDir(), 'uses-reference.test.ts');
writeFileSync(
  file,
  `import { python, pythonReference, referenceTest, requireReference } from ${JSON.stringify(helper)};
import { test } from 'node:test';
referenceTest('compares with numpy', python('numpy'), () => {
  console.log('BODY RAN: numpy');
});
referenceTest('present reference', { available: true, what: 'a present tool' }, () => {
  console.log('BODY RAN: present');
});
referenceTest('needs data too', python('numpy'), () => {}, { skip: 'real data x not found' });
test('older style', pythonReference('scipy'), () => {
  requireReference(false, 'scipy via pythonReference');
});
`,
);

function runChild(env: Record<string, string | undefined>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, VESALIUS_REFERENCE_PYTHON: MISSING_PYTHON };
  delete childEnv.CI;
  delete childEnv.NODE_TEST_CONTEXT; // else the child reports to this test runner instead of its stdout
  Object.assign(childEnv, env);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
    cwd: repoRoot,
    env: childEnv,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('without CI a missing reference skips with a message naming it; the rest still runs', () => {
  const { status, out } = runChild({});
  assert.equal(status, 0, out);
  assert.match(out, new RegExp(`compares with numpy # SKIP ${MISSING_PYTHON} with numpy is not installed`));
  assert.match(out, /CI=true makes this a failure/);
  assert.match(out, /older style # SKIP .* with scipy is not installed/);
  assert.match(out, /needs data too # SKIP real data x not found/);
  assert.match(out, /BODY RAN: present/);
  assert.doesNotMatch(out, /BODY RAN: numpy/);
});

test('under CI=true a missing reference fails with a message naming it; a missing data folder still skips', () => {
  const { status, out } = runChild({ CI: 'true' });
  assert.equal(status, 1, out);
  assert.match(out, /not ok \d+ - compares with numpy/);
  assert.match(
    out,
    new RegExp(`${MISSING_PYTHON} with numpy is required for this reference comparison and is missing`),
  );
  assert.match(out, /not ok \d+ - older style/);
  assert.match(out, /needs data too # SKIP real data x not found/);
  assert.match(out, /ok \d+ - present reference/);
  assert.match(out, /# pass 1\b/);
  assert.match(out, /# fail 2\b/);
  assert.match(out, /# skipped 1\b/);
  assert.doesNotMatch(out, /BODY RAN: numpy/);
});
