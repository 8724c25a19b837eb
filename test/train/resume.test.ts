import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSafetensorsFile } from '../../src/engine/safetensors.js';
import { quietProgress } from '../../src/train/progress.js';
import { loadRun, readLog, runPaths } from '../../src/train/run-folder.js';
import { train } from '../../src/train/trainer.js';
import { diskFixture } from './fixture.js';

const quiet = { progress: quietProgress(), workers: 1 };

function weights(path: string): Map<string, Float32Array> {
  const { tensors } = readSafetensorsFile(path);
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(tensors)) {
    out.set(name, Float32Array.from(t.toArray() as Float32Array));
    t.dispose();
  }
  return out;
}

test('an interrupted and resumed run ends with the weights, optimizer state and log of an uninterrupted one', async () => {
  await assertResumesExactly(await diskFixture());
});

test('with dropout too: the resumed run draws the same dropout masks (libtorch generator state is saved)', async () => {
  const f = await diskFixture();
  writeFileSync(
    f.config,
    readFileSync(f.config, 'utf8').replace(
      'network: { deep_supervision: true }',
      'network: { deep_supervision: true, dropout: 0.5 }',
    ),
  );
  await assertResumesExactly(f);
  // the masks matter: the same run without dropout ends elsewhere
  const plain = await diskFixture();
  await train(plain.config, { ...quiet, out: join(plain.dir, 'plain') });
  const a = weights(join(f.dir, 'whole', 'checkpoints', 'last.safetensors'));
  const b = weights(join(plain.dir, 'plain', 'checkpoints', 'last.safetensors'));
  assert.notDeepEqual([...a.values()], [...b.values()]);
});

test('with a weight average: validation and checkpoints use it, and a resumed run continues it exactly', async () => {
  const f = await diskFixture();
  writeFileSync(
    f.config,
    readFileSync(f.config, 'utf8').replace(
      'optimizer: { name: adam, lr: 0.01 }',
      'optimizer: { name: adam, lr: 0.01, ema_decay: 0.9 }',
    ),
  );
  await assertResumesExactly(f);
  // last.safetensors holds the average, the optimizer file the trained weights: they differ
  const last = weights(join(f.dir, 'whole', 'checkpoints', 'last.safetensors'));
  const optim = weights(join(f.dir, 'whole', 'checkpoints', 'last.optim.safetensors'));
  const name = [...last.keys()].find((n) => n.startsWith('encoder') && n.endsWith('conv.weight'))!;
  assert.ok(optim.has(`raw.${name}`));
  assert.notDeepEqual(last.get(name), optim.get(`raw.${name}`));
  const state = JSON.parse(readFileSync(runPaths(join(f.dir, 'whole')).lastState, 'utf8'));
  assert.equal(state.averageUpdates, 6);
  // the run cannot be resumed without the average it was saved with
  writeFileSync(f.config, readFileSync(f.config, 'utf8').replace('ema_decay: 0.9', 'ema_decay: 0'));
  await assert.rejects(
    train(f.config, { ...quiet, out: join(f.dir, 'parted'), resume: true }),
    /differs from the config the run/,
  );
});

test('clip_grad_norm bounds every step: with plain SGD no weight moves more than lr · max_norm per step', async () => {
  const f = await diskFixture();
  const source = readFileSync(f.config, 'utf8');
  const runWith = async (optimizer: string, out: string) => {
    writeFileSync(f.config, source.replace('optimizer: { name: adam, lr: 0.01 }', `optimizer: ${optimizer}`));
    await train(f.config, { ...quiet, out: join(f.dir, out) });
    return weights(join(f.dir, out, 'checkpoints', 'last.safetensors'));
  };
  const sgd = 'name: sgd, momentum: 0, weight_decay: 0';
  // a rate of 1e-30 leaves float32 weights exactly where they started
  const start = await runWith(`{ ${sgd}, lr: 1e-30 }`, 'start');
  const clipped = await runWith(`{ ${sgd}, lr: 0.1, clip_grad_norm: 1e-6 }`, 'clipped');
  const free = await runWith(`{ ${sgd}, lr: 0.1 }`, 'free');
  const largestMove = (w: Map<string, Float32Array>) => {
    let m = 0;
    for (const [name, values] of start)
      if (name.endsWith('conv.weight')) values.forEach((v, i) => (m = Math.max(m, Math.abs(w.get(name)![i]! - v))));
    return m;
  };
  const moved = largestMove(clipped);
  assert.ok(moved > 0 && moved <= 0.1 * 1e-6 * 6 * (1 + 1e-5), `clipped: ${moved}`); // 6 steps
  assert.ok(largestMove(free) > 1e-4, `unclipped: ${largestMove(free)}`);
});

async function assertResumesExactly(f: { dir: string; config: string }): Promise<void> {
  const whole = await train(f.config, { ...quiet, out: join(f.dir, 'whole') });
  assert.equal(whole.epochsDone, 3);
  assert.equal(whole.iterations, 6);

  const parted = join(f.dir, 'parted');
  const first = await train(f.config, { ...quiet, out: parted, stopAfterEpoch: 1 });
  assert.equal(first.epochsDone, 1);
  assert.equal(readLog(parted).length, 1);
  // a second start without --resume must not overwrite the run
  await assert.rejects(
    train(f.config, { ...quiet, out: parted }),
    /already holds a training run; continue it with --resume/,
  );
  const rest = await train(f.config, { ...quiet, out: parted, resume: true });
  assert.equal(rest.epochsDone, 3);
  assert.equal(rest.iterations, 6);

  for (const file of ['last.safetensors', 'last.optim.safetensors', 'best.safetensors']) {
    const a = weights(join(f.dir, 'whole', 'checkpoints', file));
    const b = weights(join(parted, 'checkpoints', file));
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), file);
    for (const [name, values] of a) assert.deepEqual(b.get(name), values, `${file}: ${name} differs`);
  }
  const logA = readLog(join(f.dir, 'whole')),
    logB = readLog(parted);
  assert.deepEqual(
    logB.map((e) => [e.epoch, e.iteration, e.train_loss, e.lr, e.val_dice]),
    logA.map((e) => [e.epoch, e.iteration, e.train_loss, e.lr, e.val_dice]),
  );
  const state = JSON.parse(readFileSync(runPaths(parted).lastState, 'utf8'));
  assert.equal(state.epoch, 3);
  assert.equal(state.batchIndex, 6);
}

test('the run folder holds config, plan, dataset, splits, checkpoints and a JSONL log; loadRun rebuilds the model', async () => {
  const f = await diskFixture('early_stopping: { patience: 1, min_delta: 0.5 }');
  const run = join(f.dir, 'run');
  const result = await train(f.config, quiet);
  assert.equal(result.runDir, run);
  const p = runPaths(run);
  for (const path of [p.config, p.plan, p.dataset, p.splits, p.best, p.last, p.lastOptim, p.lastState, p.log])
    assert.ok(existsSync(path), path);
  // min_delta 0.5 cannot be beaten after the first validation: patience 1 stops after epoch 2
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.epochsDone, 2);
  const log = readLog(run);
  assert.equal(log.length, 2);
  for (const e of log) {
    for (const key of [
      'epoch',
      'iteration',
      'train_loss',
      'lr',
      'epoch_seconds',
      'data_wait_seconds',
      'val_dice',
      'val_mean_dice',
    ])
      assert.ok(key in e, key);
    assert.equal((e.val_dice as number[]).length, 1);
  }
  assert.equal(log[0]!.best, true);
  assert.equal(log[1]!.best, false);
  const splits = JSON.parse(readFileSync(p.splits, 'utf8'));
  assert.equal(splits.length, 2);
  assert.deepEqual([...splits[0].train, ...splits[0].val].sort(), ['case00', 'case01', 'case02', 'case03']);
  const dataset = JSON.parse(readFileSync(p.dataset, 'utf8'));
  assert.deepEqual(dataset, {
    labels: [
      { name: 'background', value: 0 },
      { name: 'disk', value: 1 },
    ],
    channels: ['image'],
    numClasses: 2,
  });
  const loaded = loadRun(run);
  assert.equal(loaded.model.training, false);
  assert.equal(loaded.config.epochs, 3);
  assert.deepEqual(loaded.plan.patch_size, [16, 16]);
  assert.match(loaded.checkpoint, /best\.safetensors$/);
  // best is epoch 1's weights (the only improvement), so it differs from last
  const best = weights(p.best),
    last = weights(p.last);
  assert.ok(
    [...best].some(([name, v]) => !last.get(name)!.every((x, i) => x === v[i])),
    'best and last checkpoints are identical',
  );
  loaded.model.dispose();
});
