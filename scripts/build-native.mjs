#!/usr/bin/env node
// Builds the libtorch addon (build/Release/vesalius.node) with cmake-js, incrementally. CMake caches
// where it found libtorch, so when $LIBTORCH differs from the last build's the configuration is redone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const buildDir = join(root, 'build');
const stamp = join(buildDir, '.libtorch');
const wanted = process.env.LIBTORCH ?? '';
const previous = existsSync(stamp) ? readFileSync(stamp, 'utf8') : null;
if (previous !== null && previous !== wanted) {
  console.error(`[build:native] LIBTORCH changed (${previous || 'Debian'} → ${wanted || 'Debian'}): reconfiguring`);
  rmSync(join(buildDir, 'CMakeCache.txt'), { force: true });
}
const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
const r = spawnSync(
  process.execPath,
  [cmakeJs, 'build', '-d', 'native', '-O', 'build', '-p', '2', '--log-level', 'warn'],
  { cwd: root, stdio: 'inherit' },
);
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(buildDir, { recursive: true });
writeFileSync(stamp, wanted);
