/**
 * Live references (Debian's python3 with torch, nibabel, pydicom, scipy, PIL, sklearn, torchvision; a
 * system tool such as dciodvfy or chromium). A test that compares against one declares it with
 * `needsReference`: on a developer's machine without it the test is skipped with a message; under
 * CI=true a missing reference is a failure, because the suite must not pass with its strongest
 * checks off. `.ci/run` installs every reference through scripts/setup.sh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type TestContext, test } from 'node:test';

/** Debian's python (the `python3` on PATH may be another one without Debian's packages). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const cache = new Map<string, boolean>();

/** Whether Debian's python imports every module in `modules` (cached per process). */
export function hasPythonModules(...modules: string[]): boolean {
  const key = modules.join(',');
  let ok = cache.get(key);
  if (ok === undefined) {
    ok =
      existsSync(SYSTEM_PYTHON) &&
      spawnSync(SYSTEM_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' }).status === 0;
    cache.set(key, ok);
  }
  return ok;
}

/** Whether an executable exists at `path` or on PATH. */
export function hasCommand(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** True when running under CI (CI=true), where references are required. */
export const underCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * The node:test `skip` option for a test that needs a reference: false when `available`; a message
 * when it is missing on a developer's machine. Under CI the test is not skipped, so its first use of
 * the reference fails; call `requireReference` inside the test to fail with a clear message.
 */
export function needsReference(available: boolean, what: string): { skip: string | false } {
  if (available || underCi) return { skip: false };
  return { skip: `${what} is not installed: reference comparison skipped (CI=true makes this a failure)` };
}

/** Throws (a test failure) when a reference a test needs is missing; used at the top of the test body. */
export function requireReference(available: boolean, what: string): void {
  if (!available) {
    throw new Error(
      `${what} is required for this reference comparison (install it: bash scripts/setup.sh --references)`,
    );
  }
}

/** Shorthand for a test needing Debian python modules: `test(name, pythonReference('torch'), () => ...)`. */
export function pythonReference(...modules: string[]): { skip: string | false } {
  return needsReference(hasPythonModules(...modules), `${SYSTEM_PYTHON} with ${modules.join(', ')}`);
}

/**
 * A test that compares against a reference: skipped with a message when the reference is missing on
 * a developer's machine, a failure naming the reference under CI.
 *
 * @example
 * referenceTest('matches torch', hasPythonModules('torch'), 'python3-torch', () => { ... });
 */
export function referenceTest(
  name: string,
  available: boolean,
  what: string,
  fn: (t: TestContext) => void | Promise<void>,
): void {
  test(name, needsReference(available, what), (t) => {
    requireReference(available, what);
    return fn(t);
  });
}
