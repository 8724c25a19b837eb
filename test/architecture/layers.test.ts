// The layers import in one direction only (docs/architecture.md): a folder of src/ may import the
// folders before it in LAYER_ORDER and itself, never one after it. This keeps the graph free of
// folder cycles (data ↔ transforms) and keeps inference free of evaluation code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';

/** Lowest first. Layers that do not exist yet keep their place so new folders slot in where planned. */
export const LAYER_ORDER = [
  'util',
  'types',
  'engine',
  'io',
  'stats',
  'metrics',
  'transforms',
  'data',
  'nets',
  'losses',
  'baselines',
  'detection',
  'infer',
  'train',
  'export',
  'explain',
  'report',
  'deid',
  'pacs',
  'serve',
  'demo',
  'cli',
];

const src = join(repoRoot, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const layerOf = (path: string) => relative(src, path).split('/')[0]!;

test('every src folder has a place in the layer order', () => {
  const folders = readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory());
  for (const f of folders) assert.ok(LAYER_ORDER.includes(f), `src/${f} is not in LAYER_ORDER (test/architecture)`);
});

test('each layer imports only the layers below it', () => {
  const violations: string[] = [];
  for (const file of sources(src)) {
    const from = layerOf(file);
    if (!LAYER_ORDER.includes(from)) continue; // root index.ts re-exports every layer
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = layerOf(resolve(dirname(file), m[1]!));
      if (LAYER_ORDER.indexOf(target) > LAYER_ORDER.indexOf(from)) {
        violations.push(`${relative(repoRoot, file)} imports ${target} (${m[1]})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
