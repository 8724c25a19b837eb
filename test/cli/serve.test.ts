/**
 * `vesalius serve` on a fresh machine: one command starts its own Redis and a worker, creates an
 * admin key (printed once, stored hashed), serves a job, and stops cleanly on SIGTERM. And
 * `vesalius keys add|list|revoke`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { diskImage, redisReference, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

test('serve with no options but the models: own Redis, one worker, a generated admin key; a job completes; SIGTERM stops it all', {
  ...redisReference,
  timeout: 240_000,
}, async () => {
  const models = await tinyModels({ iterations: 8 });
  const data = join(tempDir(), 'data');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'src', 'cli', 'main.ts'),
      'serve',
      '--models',
      models,
      '--data',
      data,
      '--port',
      '0',
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const ready = await new Promise<{ url: string; key: string }>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const url = /at (http:\/\/127\.0\.0\.1:\d+) — viewer/.exec(stderr)?.[1];
        const key = /\n {2}(vsk_[A-Za-z0-9_-]+)\n/.exec(stderr)?.[1];
        if (url && key) resolve({ url, key });
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
    });
    assert.match(stderr, /one worker in this process; Redis own/);
    const keyFile = JSON.parse(readFileSync(join(data, 'keys.json'), 'utf8'));
    assert.equal(keyFile.keys.length, 1);
    assert.ok(!JSON.stringify(keyFile).includes(ready.key), 'only the hash is stored');
    assert.equal((await fetch(`${ready.url}/health`)).status, 200);
    const form = new FormData();
    form.append('file', new Blob([readFileSync(await diskImage(tempDir(), 'a.nii.gz', 1))]), 'a.nii.gz');
    const auth = { authorization: `Bearer ${ready.key}` };
    const res = await fetch(`${ready.url}/api/jobs?model=disks`, { method: 'POST', headers: auth, body: form });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    let state = 'queued';
    for (let n = 0; n < 600 && (state === 'queued' || state === 'running'); n++) {
      await new Promise((r) => setTimeout(r, 100));
      state = ((await (await fetch(`${ready.url}/api/jobs/${id}`, { headers: auth })).json()) as { state: string })
        .state;
    }
    assert.equal(state, 'completed');
    assert.ok(existsSync(join(data, 'redis', 'redis.sock')));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /serve: stopping/);
    assert.ok(!existsSync(join(data, 'redis', 'redis.sock')), 'its Redis stopped too');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('keys add prints a key once and stores its hash; list shows no secret; revoke marks it', () => {
  const file = join(tempDir(), 'keys.json');
  const added = runCli(['keys', 'add', file, '--name', 'pacs', '--scopes', 'submit,read']);
  assert.equal(added.status, 0, added.stderr);
  const key = added.stdout.trim();
  assert.match(key, /^vsk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  assert.ok(!readFileSync(file, 'utf8').includes(key));
  const listed = runCli(['keys', 'list', file]);
  assert.match(listed.stdout, /^[0-9a-f]{8} {2}pacs {2}submit,read {2}active\n$/);
  assert.equal(runCli(['keys', 'revoke', file, 'pacs']).status, 0);
  assert.match(runCli(['keys', 'list', file]).stdout, /revoked/);
  const again = runCli(['keys', 'revoke', file, 'pacs']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^vesalius: .*no unrevoked key with id or name "pacs"\n$/);
  const bad = runCli(['keys', 'add', file, '--name', 'x', '--scopes', 'root']);
  assert.match(bad.stderr, /^vesalius: --scopes: unknown scope "root"/);
});
