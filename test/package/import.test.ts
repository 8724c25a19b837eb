// The package as a user installs it: a scratch project depends on this repository folder and imports
// the built layers by name ('vesalius/io', ...), from JavaScript and from type-checked TypeScript.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureBuilt } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const LAYERS = [
  'engine',
  'io',
  'data',
  'transforms',
  'nets',
  'losses',
  'train',
  'infer',
  'metrics',
  'stats',
  'report',
  'deid',
  'pacs',
  'dicom',
];

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('a scratch project installs the repository and uses vesalius/io, /metrics and /engine by name', () => {
  // The package is what `npm run build` compiled; build it (when a source is newer) so the test sees
  // the current sources.
  ensureBuilt();
  const app = tempDir('vesalius-app-');
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { vesalius: `file:${repoRoot}` } }),
  );
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  assert.ok(existsSync(join(app, 'node_modules/vesalius/package.json')));

  writeFileSync(
    join(app, 'main.mjs'),
    `
import { createImage, readImage, writeImage } from 'vesalius/io';
import { confusionCounts, dice } from 'vesalius/metrics';
import { Tensor } from 'vesalius/engine';
import * as root from 'vesalius';
${LAYERS.map((l) => `import * as ${l} from 'vesalius/${l}';`).join('\n')}
const image = createImage(Float32Array.from([0, 1, 2, 3, 4, 5]), [3, 2, 1], { spacing: [0.5, 2, 3] });
await writeImage(image, 'x.nii.gz');
const back = await readImage('x.nii.gz');
const sum = Tensor.from(Array.from(back.data)).sum().item();
console.log(JSON.stringify({
  shape: back.shape, spacing: back.spacing, sum,
  dice: dice(confusionCounts(Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([1, 0, 0, 0]))),
  layers: [${LAYERS.join(', ')}].map((m) => Object.keys(m).length),
  rootNamespaces: Object.keys(root).filter((k) => typeof root[k] === 'object').sort(),
}));
`,
  );
  const out = JSON.parse(run(process.execPath, ['main.mjs'], app));
  assert.deepEqual(out.shape, [3, 2, 1]);
  assert.deepEqual(out.spacing, [0.5, 2, 3]);
  assert.equal(out.sum, 15);
  assert.ok(Math.abs(out.dice - 2 / 3) < 1e-12);
  for (const [i, n] of out.layers.entries()) assert.ok(n > 0, `vesalius/${LAYERS[i]} exports nothing`);
  for (const l of LAYERS) assert.ok(out.rootNamespaces.includes(l), `vesalius exports no '${l}' namespace`);

  // The declarations resolve through package.json's "types" and "exports" for a strict TypeScript user.
  writeFileSync(
    join(app, 'check.ts'),
    `import { readImage, type Image } from 'vesalius/io';
import { pairedTest } from 'vesalius/stats';
import { loadConfig } from 'vesalius';
export async function f(p: string): Promise<number> {
  const image: Image = await readImage(p);
  const r = pairedTest([1, 2, 3], [1, 2, 4], { test: 't' });
  void loadConfig;
  return image.shape[0]! + r.pValue;
}
`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        noEmit: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules/@types')],
      },
      files: ['check.ts'],
    }),
  );
  run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
});
