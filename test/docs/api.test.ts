// The API reference builds without warnings: every type a public signature mentions is exported, every
// exported function, class, method and constructor has TSDoc, links resolve (typedoc.json:
// validation + treatWarningsAsErrors). `npm run docs:api` writes the HTML; this check emits nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { repoRoot } from '../helpers/data.js';

test('typedoc builds the API reference of every layer without a warning', () => {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none', '--logLevel', 'Warn'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  const output = stripVTControlCharacters(r.stdout + r.stderr);
  assert.equal(r.status, 0, `typedoc reported problems (run npm run docs:api):\n${output}`);
  assert.doesNotMatch(output, /warning|error/i, output);
});
