import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BatchMaker } from '../../src/data/batch-maker.js';
import { ProcessGroup } from '../../src/engine/distributed.js';
import * as ve from '../../src/engine/index.js';
import { parameter } from '../../src/engine/nn/parameter.js';
import { readSafetensorsFile } from '../../src/engine/safetensors.js';
import { joinProcessGroup, settingsFromEnv } from '../../src/train/distributed.js';
import { freePort, launch } from '../../src/train/launch.js';
import { readLog } from '../../src/train/run-folder.js';
import { repoRoot } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';
import { configText, writeDiskDataset } from './fixture.js';

const cli = join(repoRoot, 'src', 'cli', 'main.ts');

function weights(path: string): Map<string, Float32Array> {
  const { tensors } = readSafetensorsFile(path);
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(tensors)) {
    out.set(name, Float32Array.from(t.toArray() as Float32Array));
    t.dispose();
  }
  return out;
}

/** Runs the CLI; `done` resolves with its status and stderr, `stderr()` is what it wrote so far. */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; stderr(): string; done: Promise<{ status: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.stdout!.resume();
  const done = new Promise<{ status: number | null; stderr: string }>((resolve) =>
    child.once('exit', (status) => resolve({ status, stderr })),
  );
  return { child, stderr: () => stderr, done };
}

async function dataset(epochs: number, extra = ''): Promise<{ dir: string; config: string }> {
  const dir = tempDir();
  await writeDiskDataset(dir, 4, 32, 1);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    configText(dir, join(dir, 'out'))
      .replace('network: { deep_supervision: true }', 'network: { deep_supervision: false }')
      .replace('batch_size: 2', 'batch_size: 4')
      .replace('validation: { every: 1, folds: 2, fold: 0 }', 'validation: { fold: all }')
      .replace('optimizer: { name: adam, lr: 0.01 }', 'optimizer: { name: sgd, lr: 0.05 }')
      .replace('epochs: 3', `epochs: ${epochs}`) + extra,
  );
  return { dir, config };
}

test('every shard of a global batch is the slice one process would make (same samples, same augmentation)', () => {
  const n = 16 * 16;
  const cases = [0, 1].map((c) => ({
    image: Float32Array.from({ length: n }, (_, v) => Math.sin(v * 0.3 + c)),
    label: Uint8Array.from({ length: n }, (_, v) => (v % 7 === c ? 1 : 0)),
    channels: 1,
    spatialShape: [16, 16],
  }));
  const locations = cases.map(() => ({ shape: [16, 16], byClass: [] }));
  const spec = {
    cases,
    locations,
    batchSize: 4,
    patchSize: [8, 8],
    channels: 1,
    foregroundFraction: 0.33,
    augmentation: {},
    seed: 3,
    records: false,
  };
  const whole = new BatchMaker(spec).make(5);
  const parts = [0, 1].map((rank) => new BatchMaker({ ...spec, shard: { rank, worldSize: 2 } }).make(5));
  assert.deepEqual([...parts[0]!.image, ...parts[1]!.image], [...whole.image]);
  assert.deepEqual([...parts[0]!.label, ...parts[1]!.label], [...whole.label]);
  assert.deepEqual([...parts[0]!.cases, ...parts[1]!.cases], whole.cases);
});

test('a bucketed gradient all-reduce averages over the ranks; unused parameters keep no gradient', async () => {
  const port = await freePort();
  const [a, b] = await Promise.all(
    [0, 1].map((rank) => ProcessGroup.init({ rank, worldSize: 2, host: '127.0.0.1', port, timeoutMs: 20_000 })),
  );
  const params = [0, 1].map(() => [ve.zeros([3, 2]), ve.zeros([5]), ve.zeros([2])].map((t) => parameter(t, true)));
  params.forEach((ps, rank) => {
    ps[0]!.grad = ve.full([3, 2], rank + 1);
    ps[1]!.grad = ve
      .arange(5)
      .mul(rank === 0 ? 1 : 3)
      .to('float32');
  });
  await Promise.all([a!.allReduceGradients(params[0]!, 16), b!.allReduceGradients(params[1]!, 16)]);
  for (const ps of params) {
    assert.deepEqual([...(ps[0]!.grad!.toArray() as Float32Array)], new Array(6).fill(1.5));
    assert.deepEqual([...(ps[1]!.grad!.toArray() as Float32Array)], [0, 2, 4, 6, 8]);
    assert.equal(ps[2]!.grad, null);
  }
  a!.close();
  b!.close();
});

test('a rank that cannot reach the store fails within the timeout, naming the address', async () => {
  const port = await freePort();
  const started = performance.now();
  await assert.rejects(
    joinProcessGroup({
      rank: 1,
      worldSize: 2,
      localRank: 1,
      masterAddr: '127.0.0.1',
      masterPort: port,
      timeoutMs: 1500,
    }),
    (e: unknown) =>
      e instanceof Error &&
      new RegExp(`rank 1 of 2 could not join the process group at 127\\.0\\.0\\.1:${port} within 2 s`).test(
        e.message,
      ) &&
      !e.message.includes('\n'),
  );
  assert.ok(performance.now() - started < 15_000);
  assert.equal(settingsFromEnv({}), null);
  assert.throws(() => settingsFromEnv({ WORLD_SIZE: '2', RANK: '0', MASTER_PORT: '1' }), /MASTER_ADDR: is not set/);
});

test('the launcher stops the other ranks when one fails, and says which', async () => {
  const started = performance.now();
  const lines: string[] = [];
  await assert.rejects(
    launch({
      nproc: 2,
      command: process.execPath,
      args: [
        '-e',
        "if (process.env.RANK === '1') setTimeout(() => process.exit(3), 300); else setInterval(() => {}, 1000);",
      ],
      graceSeconds: 1,
      onLine: (rank, line) => lines.push(`${rank}: ${line}`),
    }),
    /rank 1 of 2 exited with code 3; the other processes were stopped/,
  );
  assert.ok(performance.now() - started < 10_000, 'rank 0 was stopped, not waited for');
});

test('2 processes with batch B each end with the weights of 1 process with batch 2B (train --nproc 2)', async () => {
  const { dir, config } = await dataset(2);
  const one = run(['train', config, '--out', join(dir, 'one'), '--workers', '1', '--no-progress']);
  const two = run(['train', config, '--out', join(dir, 'two'), '--workers', '1', '--no-progress', '--nproc', '2']);
  const [r1, r2] = await Promise.all([one.done, two.done]);
  assert.equal(r1.status, 0, r1.stderr);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stderr, /data-parallel training: 2 processes/);
  const a = weights(join(dir, 'one', 'checkpoints', 'last.safetensors'));
  const b = weights(join(dir, 'two', 'checkpoints', 'last.safetensors'));
  for (const [name, values] of a) {
    const other = b.get(name)!;
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
    assert.ok(worst < 1e-5, `${name} differs by ${worst}`);
  }
  const logA = readLog(join(dir, 'one')),
    logB = readLog(join(dir, 'two'));
  assert.equal(logB.length, 2);
  for (const [i, e] of logA.entries())
    assert.ok(Math.abs((e.train_loss as number) - (logB[i]!.train_loss as number)) < 1e-5);
});

test('a killed rank makes the other exit with a clear error instead of hanging', async () => {
  const { dir, config } = await dataset(1000);
  const port = await freePort();
  const env = (rank: number) => ({
    RANK: String(rank),
    WORLD_SIZE: '2',
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
  });
  const args = ['train', config, '--out', join(dir, 'run'), '--workers', '1', '--no-progress'];
  const rank0 = run(args, env(0));
  const rank1 = run(args, env(1));
  // wait until they train, then kill rank 1
  for (let waited = 0; !/epoch 1\/1000/.test(rank0.stderr()); waited += 250) {
    if (waited > 120_000) throw new Error(`the ranks never started training: ${rank0.stderr()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  rank1.child.kill('SIGKILL');
  const started = performance.now();
  const r0 = await rank0.done;
  assert.equal(r0.status, 1, r0.stderr);
  assert.match(
    r0.stderr,
    /distributed training: rank 0 of 2 failed during (the gradient all-reduce|an all-reduce|a broadcast)/,
  );
  assert.ok(performance.now() - started < 60_000, 'rank 0 exited promptly');
});
