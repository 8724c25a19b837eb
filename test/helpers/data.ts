import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The folder of real data (`VESALIUS_DATA`, else `../shared/data` beside the repository), or
 * undefined when it is absent. Tests on real data use `skipUnlessData` so that a clone alone passes.
 */
export function sharedData(...parts: string[]): string | undefined {
  const root = process.env.VESALIUS_DATA ?? join(repoRoot, '..', 'shared', 'data');
  const path = join(root, ...parts);
  return existsSync(path) ? path : undefined;
}

/** `{ skip }` option for node:test: a message when the data folder is missing, else false. */
export function skipUnlessData(...parts: string[]): { skip: string | false } {
  return sharedData(...parts)
    ? { skip: false }
    : { skip: `real data ${join(...parts)} not found (set VESALIUS_DATA or place ../shared/data)` };
}

export { repoRoot };
