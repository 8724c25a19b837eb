// Networks from configuration specs: names map to the right network, unknown names/keys are errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttentionUNet, UNet, buildNetwork } from '../../src/nets/index.js';
import { OptionError } from '../../src/util/errors.js';

test('architectures by name', () => {
  const plain = buildNetwork({ architecture: 'unet', spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8] });
  assert.ok(plain instanceof UNet && !plain.config.attention);
  const att = buildNetwork({
    architecture: 'attention-unet',
    spatialDims: 3,
    inChannels: 1,
    numClasses: 2,
    features: [4, 8],
  });
  assert.ok(att instanceof AttentionUNet && att.config.attention && att.config.spatialDims === 3);
  const classic = buildNetwork({ architecture: 'classic-unet', numClasses: 3 });
  assert.deepEqual(classic.config.features, [64, 128, 256, 512, 1024]);
  assert.equal(classic.config.numClasses, 3);
});

test('unknown architectures and keys name themselves', () => {
  assert.throws(
    () => buildNetwork({ architecture: 'vnet' } as never, 'model.'),
    (e: Error) => e instanceof OptionError && /^model\.architecture: unknown architecture "vnet"/.test(e.message),
  );
  assert.throws(
    () =>
      buildNetwork(
        { architecture: 'unet', spatialDims: 2, inChannels: 1, numClasses: 2, featurs: [4, 8] } as never,
        'model.',
      ),
    /model\.featurs: unknown option/,
  );
  assert.throws(
    () => buildNetwork({ architecture: 'classic-unet', features: [4, 8] } as never),
    /features: unknown option/,
  );
});
