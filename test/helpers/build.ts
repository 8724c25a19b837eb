/**
 * The built package (dist/), which `vesalius/...` imports resolve to through package.json's exports.
 * Tests that import the package by name build it first; `ensureBuilt` compiles only when a source is
 * newer than the last build, and a lock keeps two test files from writing dist/ at the same time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './data.js';

const LOCK = join(repoRoot, 'dist-build.tmp-lock');
const STAMP = join(repoRoot, 'dist', 'index.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function lock(): void {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      // a lock left by a killed run is older than any build
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000)
        rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${LOCK}: another build held the lock for 5 minutes`);
      sleep(200);
    }
  }
}

/** Compiles src/ to dist/ (tsc -p tsconfig.json) unless dist/ is newer than every source file. */
export function ensureBuilt(): void {
  lock();
  try {
    if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource(join(repoRoot, 'src'))) return;
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`building the package failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
