// The task key: segmentation by default, a named task picks its schema, an unknown one is a one-line
// error; the step schedule (MedMNIST's ×0.1 at milestone epochs) that tasks share.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { parseConfig } from '../../src/train/config.js';
import { buildOptimizer, buildScheduler } from '../../src/train/optimization.js';
import { loadTaskConfig, taskOf } from '../../src/train/tasks.js';
import { OptionError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/tmp.js';

test('no task key is segmentation; task: segmentation is accepted; an unknown task names the key', () => {
  assert.equal(taskOf({ dataset: {} }).name, 'segmentation');
  assert.equal(taskOf({ task: 'segmentation' }).name, 'segmentation');
  const dir = tempDir();
  const path = join(dir, 'c.yaml');
  writeFileSync(path, 'task: segmentation\ndataset: { layout: msd, root: data }\noutput: runs\n');
  const { task, config } = loadTaskConfig(path);
  assert.equal(task.name, 'segmentation');
  assert.equal(config.output, join(dir, 'runs'));
  assert.equal((config as unknown as { dataset: { root: string } }).dataset.root, join(dir, 'data'));
  writeFileSync(path, 'task: regression\n');
  assert.throws(
    () => loadTaskConfig(path),
    (e: Error) =>
      e instanceof OptionError && /c\.yaml: task: expected one of segmentation.*got "regression"/.test(e.message),
  );
});

test('step schedule: lr × gamma after each milestone epoch (torch MultiStepLR), after a warm-up', () => {
  const p = ve.zeros([1], { requiresGrad: true });
  const lrs = (schedule: object) => {
    const c = parseConfig({
      dataset: { layout: 'msd', root: 'x' },
      epochs: 4,
      iterations_per_epoch: 5,
      optimizer: { name: 'adam', lr: 0.1 },
      schedule,
    });
    const s = buildScheduler(c, buildOptimizer(c, [p]));
    const out = [s.getLr()[0]!];
    for (let t = 0; t < 20; t++) {
      s.step();
      out.push(s.getLr()[0]!);
    }
    return out;
  };
  const step = lrs({ name: 'step', milestones: [2, 3], gamma: 0.5 });
  assert.deepEqual(step.slice(0, 10), new Array(10).fill(0.1));
  assert.deepEqual(step.slice(10, 15), new Array(5).fill(0.05));
  assert.deepEqual(step.slice(15), new Array(6).fill(0.025));
  const warm = lrs({ name: 'step', milestones: [2], warmup_epochs: 1 });
  assert.ok(Math.abs(warm[0]! - 0.1 / 5) < 1e-12);
  assert.deepEqual(
    [warm[5], warm[9], warm[10], warm[20]],
    [0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1].map((v) => v),
  );
  assert.deepEqual(new Set(lrs({ name: 'step' })), new Set([0.1]));
  p.dispose();
});
