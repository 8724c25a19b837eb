// Losses from configuration specs: names map to the right loss with its options, unknown names/keys are errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  DeepSupervisionLoss,
  DiceCELoss,
  DiceLoss,
  FocalLoss,
  GeneralizedDiceLoss,
  TverskyLoss,
  buildLoss,
} from '../../src/losses/index.js';
import { OptionError } from '../../src/util/errors.js';

test('losses by name carry their options', () => {
  const logits = ve.randn([2, 3, 4, 4]);
  const labels = ve.randint(0, 3, [2, 1, 4, 4]);
  const built = buildLoss({ name: 'dice', batch: true, includeBackground: false });
  assert.ok(built instanceof DiceLoss);
  assert.equal(
    built.forward(logits, labels).item(),
    new DiceLoss({ batch: true, includeBackground: false }).forward(logits, labels).item(),
  );
  assert.ok(buildLoss({ name: 'dice-ce' }) instanceof DiceCELoss);
  assert.ok(buildLoss({ name: 'focal', gamma: 1 }) instanceof FocalLoss);
  assert.ok(buildLoss({ name: 'tversky', alpha: 0.3, beta: 0.7 }) instanceof TverskyLoss);
  assert.ok(buildLoss({ name: 'generalized-dice' }) instanceof GeneralizedDiceLoss);
  const ds = buildLoss({ name: 'dice-ce', deepSupervision: true, deepSupervisionWeights: [0.5, 0.5] });
  assert.ok(ds instanceof DeepSupervisionLoss && ds.loss instanceof DiceCELoss);
  assert.deepEqual(ds.weights, [0.5, 0.5]);
});

test('unknown names and keys name themselves', () => {
  assert.throws(
    () => buildLoss({ name: 'lovasz' as never }, 'loss.'),
    (e: Error) => e instanceof OptionError && /^loss\.name: unknown loss "lovasz"/.test(e.message),
  );
  assert.throws(() => buildLoss({ name: 'focal', smooth: 1 }, 'loss.'), /loss\.smooth: unknown option of loss focal/);
  assert.throws(
    () => buildLoss({ name: 'dice', deepSupervisionWeights: [1] }),
    /deepSupervisionWeights: given without/,
  );
  assert.throws(() => buildLoss({ name: 'dice', gamma: 2 }), /gamma/);
});
