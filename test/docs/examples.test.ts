// The TypeScript examples in README.md and docs/*.md run: every ```ts block is written to a file inside
// the repository (so `vesalius/...` resolves through package.json's exports to the built dist/, as
// for a user), type-checked against the package's declarations, and executed with tsx in a scratch
// folder of its own. A block that cannot run alone is marked ```ts no-run; those are kept few.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';

interface Block {
  doc: string;
  line: number;
  code: string;
  run: boolean;
}

/** The ```ts blocks of a Markdown file, with the line each starts on. */
function tsBlocks(doc: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s+.*)?$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    blocks.push({ doc, line: start + 1, code: body.join('\n'), run: !/\bno-run\b/.test(open[2] ?? '') });
  }
  return blocks;
}

const docs = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const blocks = docs.flatMap((doc) => tsBlocks(doc, readFileSync(join(repoRoot, doc), 'utf8')));
const runnable = blocks.filter((b) => b.run);
// Inside the repository (package self-reference), ignored by git (*.tmp-*).
const dir = join(repoRoot, `docs-examples.tmp-${process.pid}`);
const fileOf = (b: Block) => `${b.doc.replace(/[/.]/g, '_')}_L${b.line}.ts`;

before(() => {
  ensureBuilt();
  mkdirSync(dir, { recursive: true });
  for (const b of blocks) writeFileSync(join(dir, fileOf(b)), `${b.code}\nexport {};\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the docs have runnable TypeScript examples and few no-run blocks', () => {
  assert.ok(runnable.length >= 8, `only ${runnable.length} runnable blocks`);
  const noRun = blocks.filter((b) => !b.run);
  assert.ok(noRun.length <= 3, `too many no-run blocks: ${noRun.map((b) => `${b.doc}:${b.line}`).join(', ')}`);
  for (const b of blocks)
    assert.doesNotMatch(b.code, /from '\.\.?\//, `${b.doc}:${b.line} imports a relative path; use 'vesalius/<layer>'`);
});

test('every example type-checks against the package declarations', () => {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '.', allowImportingTsExtensions: false },
      include: ['*.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `type errors in the docs' examples:\n${r.stdout}${r.stderr}`);
});

function runBlock(b: Block): Promise<{ status: number | null; output: string }> {
  const cwd = join(dir, `${fileOf(b)}.cwd`);
  mkdirSync(cwd, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(dir, fileOf(b))], {
      cwd,
      env: { ...process.env, VESALIUS_NUM_THREADS: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ status, output }));
  });
}

test('every example runs', async () => {
  // Two at a time: the CI machine has two cores.
  const queue = [...runnable];
  const failures: string[] = [];
  const worker = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      const { status, output } = await runBlock(b);
      if (status !== 0) failures.push(`${b.doc}:${b.line} exited ${status}:\n${output}`);
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});
