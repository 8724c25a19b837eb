import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../src/train/config.js';
import { openDataset } from '../../src/data/layout/open.js';
import { OptionError, VesaliusError } from '../../src/util/errors.js';
import { tempTree } from '../helpers/tmp.js';

test('a minimal config gets nnU-Net defaults', () => {
  const c = parseConfig({ dataset: { layout: 'msd', root: 'Task04' } });
  assert.deepEqual(c.optimizer, {
    name: 'sgd',
    lr: 0.01,
    momentum: 0.99,
    nesterov: true,
    weight_decay: 3e-5,
    betas: [0.9, 0.999],
    eps: 1e-8,
    // off unless asked for (nnU-Net clips at 12; the measured results here were trained without)
    clip_grad_norm: 0,
    ema_decay: 0,
  });
  assert.deepEqual([c.schedule.name, c.schedule.power], ['poly', 0.9]);
  assert.deepEqual(
    [c.loss.name, c.loss.include_background, c.loss.smooth, c.loss.dice_weight, c.loss.ce_weight],
    ['dice_ce', false, 1e-5, 1, 1],
  );
  assert.deepEqual([c.epochs, c.iterations_per_epoch, c.sampling.foreground_fraction], [1000, 250, 0.33]);
  assert.deepEqual([c.network.norm, c.network.activation, c.network.deep_supervision], ['instance', 'leakyrelu', true]);
  const a = c.augmentation;
  assert.deepEqual(
    [
      a.rotation.p,
      a.scaling.p,
      a.scaling.range,
      a.gaussian_noise.p,
      a.gaussian_blur.p,
      a.brightness.p,
      a.brightness.range,
      a.contrast.p,
      a.low_resolution.p,
      a.gamma_inverted.p,
      a.gamma.p,
      a.gamma.range,
      a.mirror.p,
    ],
    [0.2, 0.2, [0.7, 1.4], 0.1, 0.2, 0.15, [0.75, 1.25], 0.15, 0.25, 0.1, 0.3, [0.7, 1.5], 0.5],
  );
  assert.deepEqual([c.inference.overlap, c.inference.gaussian, c.inference.mirror], [0.5, true, true]);
  assert.deepEqual([c.validation.folds, c.validation.split_seed], [5, 12345]);
  assert.equal(c.plan.memory_budget_gb, 8);
  assert.equal(c.batch_size, null);
});

test('user values override defaults, nested defaults stay', () => {
  const c = parseConfig({
    dataset: { layout: 'msd', root: 'x' },
    optimizer: { name: 'adamw', lr: 3e-4 },
    augmentation: { gamma: { p: 0 } },
    plan: { patch_size: [256, 256] },
  });
  assert.equal(c.optimizer.name, 'adamw');
  assert.equal(c.optimizer.lr, 3e-4);
  assert.equal(c.optimizer.weight_decay, 3e-5);
  assert.deepEqual(c.augmentation.gamma, { p: 0, range: [0.7, 1.5] });
  assert.deepEqual(c.plan.patch_size, [256, 256]);
});

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OptionError, `an OptionError, got ${String(err)}`);
    return (err as Error).message;
  }
  assert.fail('no error');
};

test('unknown keys, wrong types and bad enums name the key path', () => {
  const base = { dataset: { layout: 'msd', root: 'x' } };
  assert.match(
    messageOf(() => parseConfig({ ...base, optimizer: { momentum: 'high' } }, 'run.yaml')),
    /^run\.yaml: optimizer\.momentum: expected number, got string$/,
  );
  assert.match(
    messageOf(() => parseConfig({ ...base, optimizer: { nesterof: true } })),
    /optimizer\.nesterof: unknown key/,
  );
  assert.match(
    messageOf(() => parseConfig({ ...base, lossx: {} })),
    /lossx: unknown key/,
  );
  assert.match(
    messageOf(() => parseConfig({ ...base, loss: { name: 'diec' } })),
    /loss\.name: expected one of "dice_ce", .*got "diec"/,
  );
  assert.match(
    messageOf(() => parseConfig({ ...base, augmentation: { scaling: { range: [1.4, 0.7] } } })),
    /augmentation\.scaling\.range: lower bound above upper bound/,
  );
  assert.match(
    messageOf(() => parseConfig({ ...base, plan: { patch_size: [128, 0] } })),
    /plan\.patch_size\[1\]: /,
  );
  assert.match(
    messageOf(() => parseConfig({})),
    /dataset: required/,
  );
  assert.match(
    messageOf(() => parseConfig({ dataset: { layout: 'folders', root: 'x' } })),
    /dataset\.images: required when layout is 'folders'/,
  );
  assert.match(
    messageOf(() => parseConfig({ ...base, device: 'gpu' })),
    /device: must be 'auto', 'cpu', 'cuda' or 'cuda:N'/,
  );
});

test('loadConfig reads YAML and JSON, resolves paths against the file, names the file in errors', () => {
  const dir = tempTree({
    'cfg/run.yaml': [
      'dataset:',
      '  layout: folders',
      '  root: ../data',
      '  images: { dir: img, pattern: "^(\\\\d+)_training\\\\.tif$" }',
      '  labels: { dir: gt, pattern: "^(\\\\d+)_manual1\\\\.gif$" }',
      '  classes: { background: 0, vessel: 1 }',
      'optimizer:',
      '  name: adam',
      '  lr: 0.001',
      'epochs: 10',
    ].join('\n'),
    'data/img/21_training.tif': '',
    'data/gt/21_manual1.gif': '',
    'cfg/bad.yaml': 'optimizer:\n  momentum: [1\n',
    'cfg/typo.json': JSON.stringify({ dataset: { layout: 'msd', root: '.' }, schedule: { name: 'cosine', warmup: 5 } }),
    'cfg/list.yaml': '- a\n- b\n',
  });
  const c = loadConfig(join(dir, 'cfg/run.yaml'));
  assert.equal(c.dataset.root, join(dir, 'data'));
  assert.equal(c.output, join(dir, 'cfg/runs'));
  assert.equal(c.epochs, 10);
  const ds = openDataset(c.dataset);
  assert.deepEqual(
    ds.cases.map((x) => x.id),
    ['21'],
  );
  assert.deepEqual(ds.labels, [
    { name: 'background', value: 0 },
    { name: 'vessel', value: 1 },
  ]);
  assert.throws(
    () => loadConfig(join(dir, 'cfg/bad.yaml')),
    (e: Error) => e instanceof VesaliusError && /bad\.yaml: not valid YAML/.test(e.message),
  );
  assert.throws(() => loadConfig(join(dir, 'cfg/typo.json')), /typo\.json: schedule\.warmup: unknown key/);
  assert.throws(() => loadConfig(join(dir, 'cfg/list.yaml')), /list\.yaml: the config must be a mapping/);
  assert.throws(() => loadConfig(join(dir, 'cfg/missing.yaml')), /missing\.yaml: cannot read the config \(ENOENT\)/);
});
