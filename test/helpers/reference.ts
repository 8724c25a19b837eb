/**
 * Live references (Debian's python3 with torch, nibabel, pydicom, scipy, PIL, sklearn, torchvision; a
 * system tool such as cmake or dciodvfy). A test that compares against one is written with
 * `referenceTest` (or takes `pythonReference`/`needsReference` as its options and calls
 * `requireReference` first): on a developer's machine without the reference the test is skipped with a
 * message; under CI=true a missing reference is a failure naming it, because the suite must not pass
 * with its strongest checks off. `.ci/run` installs every reference through scripts/setup.sh.
 *
 * The python is Debian's `/usr/bin/python3` (the `python3` on PATH may be another one without Debian's
 * packages); `VESALIUS_REFERENCE_PYTHON` overrides it, e.g. to point at a python that does not exist
 * and check that the suite skips (or, under CI, fails) as it should.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type TestContext, test } from 'node:test';

/** The python the reference comparisons run (`VESALIUS_REFERENCE_PYTHON`, else Debian's `/usr/bin/python3`). */
export const REFERENCE_PYTHON = process.env.VESALIUS_REFERENCE_PYTHON || '/usr/bin/python3';

/** The same python under its older name (tests written before the override existed import this). */
export const SYSTEM_PYTHON = REFERENCE_PYTHON;

/** True when running under CI (CI=true), where references are required. */
export const underCi = process.env.CI === 'true' || process.env.CI === '1';

const cache = new Map<string, boolean>();

/** Whether the reference python imports every module in `modules` (cached per process). */
export function hasPythonModules(...modules: string[]): boolean {
  const key = modules.join(',');
  let ok = cache.get(key);
  if (ok === undefined) {
    ok =
      existsSync(REFERENCE_PYTHON) &&
      spawnSync(REFERENCE_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' }).status ===
        0;
    cache.set(key, ok);
  }
  return ok;
}

/** Whether an executable exists at `path` or on PATH. */
export function hasCommand(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** A reference a test compares against: whether it is here, and what to call it in messages. */
export interface Reference {
  available: boolean;
  what: string;
}

/** The reference python with `modules` importable. */
export function python(...modules: string[]): Reference {
  return { available: hasPythonModules(...modules), what: `${REFERENCE_PYTHON} with ${modules.join(', ')}` };
}

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
      `${what} is required for this reference comparison and is missing (install it: bash scripts/setup.sh --references)`,
    );
  }
}

/** Shorthand for a test needing python modules: `test(name, pythonReference('torch'), () => ...)`. */
export function pythonReference(...modules: string[]): { skip: string | false } {
  const ref = python(...modules);
  return needsReference(ref.available, ref.what);
}

type TestBody = (t: TestContext) => void | Promise<void>;

/** Options of `referenceTest` beside the reference. */
export interface ReferenceTestOptions {
  /** A precondition that is not a reference (e.g. `skipUnlessData(...).skip`): skips even under CI. */
  skip?: string | false;
  timeout?: number;
}

/**
 * A test that compares against a reference: skipped with a message when the reference is missing on
 * a developer's machine, a failure naming the reference under CI. A data precondition (`options.skip`)
 * is checked first, so a clone without ../shared/data skips its real-data comparisons everywhere.
 *
 * @example
 * referenceTest('matches torch', hasPythonModules('torch'), 'python3-torch', () => { ... });
 * referenceTest('matches nibabel', python('nibabel'), () => { ... }, skipUnlessData('nifti-samples'));
 */
export function referenceTest(
  name: string,
  available: boolean,
  what: string,
  fn: TestBody,
  options?: ReferenceTestOptions,
): void;
export function referenceTest(name: string, reference: Reference, fn: TestBody, options?: ReferenceTestOptions): void;
export function referenceTest(name: string, ...args: unknown[]): void {
  const [available, what, fn, options] = (
    typeof args[0] === 'boolean'
      ? args
      : [(args[0] as Reference).available, (args[0] as Reference).what, ...args.slice(1)]
  ) as [boolean, string, TestBody, ReferenceTestOptions?];
  const skip = options?.skip || needsReference(available, what).skip;
  test(name, { skip, ...(options?.timeout ? { timeout: options.timeout } : {}) }, (t) => {
    requireReference(available, what);
    return fn(t);
  });
}

/**
 * Runs a python script (`-c`) with the reference python and returns its stdout; throws with its
 * stderr when it fails. `input` goes to its stdin.
 */
export function runPython(script: string, args: string[] = [], input?: string): string {
  return runReferencePython(['-c', script, ...args], input);
}

/** Runs a python file (e.g. test/helpers/torch_safetensors.py) like `runPython`. */
export function runPythonFile(file: string, args: string[] = [], input?: string): string {
  return runReferencePython([file, ...args], input);
}

function runReferencePython(argv: string[], input: string | undefined): string {
  const r = spawnSync(REFERENCE_PYTHON, argv, { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`${REFERENCE_PYTHON} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${REFERENCE_PYTHON} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}
