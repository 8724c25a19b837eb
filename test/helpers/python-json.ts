/**
 * Runs a Python snippet under Debian's python3 with a JSON value on stdin (bound to `data`) and
 * returns what it prints with `print(json.dumps(...))` parsed. For live references (torch,
 * torchvision) next to test/helpers/reference.ts, which decides whether such a test runs.
 */
import { spawnSync } from 'node:child_process';
import { SYSTEM_PYTHON } from './reference.js';

export function runPythonJson<T = unknown>(script: string, data: unknown = null): T {
  const prelude = 'import json, sys\ndata = json.loads(sys.stdin.read())\n';
  const r = spawnSync(SYSTEM_PYTHON, ['-c', prelude + script], {
    input: JSON.stringify(data),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`python reference failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
