import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { tempDir } from '../helpers/tmp.js';

test('writeFileAtomic creates folders, writes, and leaves no temporary file', () => {
  const dir = tempDir('vesalius-atomic-');
  const path = join(dir, 'a', 'b', 'out.txt');
  writeFileAtomic(path, 'first');
  writeFileAtomic(path, 'second');
  assert.equal(readFileSync(path, 'utf8'), 'second');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.txt']);
});

test('a failed write leaves the old file intact and no temporary file', () => {
  const dir = tempDir('vesalius-atomic-');
  const path = join(dir, 'out.txt');
  writeFileAtomic(path, 'kept');
  // A folder in place of the final name makes the rename fail.
  assert.throws(() => writeFileAtomic(dir, 'x'));
  assert.equal(readFileSync(path, 'utf8'), 'kept');
  assert.deepEqual(readdirSync(dir), ['out.txt']);
});
