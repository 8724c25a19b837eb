// Each classification network beyond ResNet trains through the one trainer from a config (tiny sizes:
// one step; ViT-Small differs from ViT-Tiny only in its sizes, which the registry test checks), reopens from its run folder, and is explained at its default Grad-CAM layer (the ViT through
// the CLI with --layer, its map on the patch grid resampled to the input); a state dict whose names do
// not match lists the missing and unexpected names.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { explainImages } from '../../src/explain/explain.js';
import { readImage } from '../../src/io/read.js';
import { buildClassifier } from '../../src/nets/classifiers.js';
import { loadClassificationRun } from '../../src/train/classification/run.js';
import { parseClassificationConfig } from '../../src/train/classification/config.js';
import { loadPretrained } from '../../src/train/classification/model.js';
import { train } from '../../src/train/trainer.js';
import { FileFormatError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { classFolders } from '../helpers/class-folders.js';
import { tempDir } from '../helpers/tmp.js';

ve.setNumThreads(2);

const NETWORKS: Record<string, string> = {
  densenet121: '{ architecture: densenet121 }',
  vgg16_bn: '{ architecture: vgg16_bn, hidden_features: 32 }',
  vit_tiny: '{ architecture: vit_tiny, patch_size: 8 }',
};

test('DenseNet-121, VGG-16-BN and ViT-Tiny train a step from a config, reopen and explain', async () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  const [image] = await classFolders(data, 3, 32, 9);
  for (const [name, network] of Object.entries(NETWORKS)) {
    const config = join(dir, `${name}.yaml`);
    writeFileSync(
      config,
      `task: classification
dataset: { format: folders, path: data }
input: { size: [32, 32], mean: [0.5], std: [0.5] }
network: ${network}
epochs: 1
iterations_per_epoch: 1
batch_size: 2
validation: { folds: 2, fold: 0 }
threads: 2
output: run-${name}
`,
    );
    const result = await train(config, { progress: false, workers: 1 });
    assert.equal(result.epochsDone, 1, name);
    assert.equal(result.iterations, 1, name);
    assert.ok(Number.isFinite(result.log[0]!.train_loss), `${name}: train loss ${result.log[0]!.train_loss}`);
    const run = loadClassificationRun(result.runDir);
    assert.equal(
      run.model.constructor.name,
      name.startsWith('vit') ? 'VisionTransformer' : name === 'vgg16_bn' ? 'VGG' : 'DenseNet',
    );
    const [explained] = await explainImages(run, [image!], { method: 'gradcam', output: join(dir, `cam-${name}`) });
    const heat = await readImage(explained!.heatmap);
    assert.deepEqual(heat.shape.slice(0, 2), [32, 32], name);
    run.model.dispose();
  }
  // the CLI with --layer: the ViT's first block, its tokens laid on the 4×4 patch grid
  const cli = runCli([
    'explain',
    join(dir, 'run-vit_tiny'),
    image!,
    '--layer',
    'encoder.layers.encoder_layer_0.ln_1',
    '-o',
    join(dir, 'cam-cli'),
    '--json',
  ]);
  assert.equal(cli.status, 0, cli.stderr);
  const [written] = JSON.parse(cli.stdout);
  assert.ok(existsSync(written.heatmap) && existsSync(written.overlay));
  const bad = runCli(['explain', join(dir, 'run-vit_tiny'), image!, '--layer', 'heads.head', '-o', join(dir, 'x')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /'heads\.head' outputs shape \[1, 2\], not a 2D feature map/);
});

test('the registry builds each named network with its sizes', () => {
  const spec = { inChannels: 1, numClasses: 2, imageSize: [32, 32], patchSize: 16, hiddenFeatures: 8 };
  const widths = Object.fromEntries(
    ['densenet121', 'vgg16_bn', 'vit_tiny', 'vit_small'].map((name) => {
      const net = buildClassifier(name, spec);
      const out = [net.constructor.name, net.numFeatures];
      net.dispose();
      return [name, out];
    }),
  );
  assert.deepEqual(widths, {
    densenet121: ['DenseNet', 1024],
    vgg16_bn: ['VGG', 8],
    vit_tiny: ['VisionTransformer', 192],
    vit_small: ['VisionTransformer', 384],
  });
  assert.throws(() => buildClassifier('vit_small', { numClasses: 2 }), /imageSize: is required/);
  assert.throws(() => buildClassifier('vgg19', spec), /network\.architecture: unknown classifier "vgg19"/);
});

test('a ViT config whose input size is not a multiple of the patch size is refused naming network.patch_size', () => {
  const config = {
    task: 'classification',
    dataset: { format: 'folders', path: 'data' },
    input: { size: [28, 28] },
    network: { architecture: 'vit_tiny' },
  };
  assert.throws(
    () => parseClassificationConfig(config, 'c.yaml'),
    /c\.yaml: network\.patch_size: input\.size \[28, 28\] is not a multiple of the ViT's patch size 16/,
  );
  assert.equal(
    parseClassificationConfig({ ...config, network: { architecture: 'vit_tiny', patch_size: 4 } }).network.patch_size,
    4,
  );
});

test('a state dict of another architecture: the missing and unexpected names are listed', () => {
  const dir = tempDir();
  const resnetNames = join(dir, 'resnet.safetensors');
  ve.writeSafetensors(resnetNames, { 'conv1.weight': ve.zeros([64, 1, 7, 7]), 'fc.weight': ve.zeros([2, 512]) });
  const expected: Record<string, RegExp> = {
    densenet121: /DenseNet: missing features\.conv0\.weight, .*\(727 in all\); unexpected conv1\.weight, fc\.weight/,
    vgg16_bn: /VGG: missing features\.0\.weight, .*; unexpected conv1\.weight, fc\.weight/,
    vit_tiny: /VisionTransformer: missing class_token, conv_proj\.weight, .*; unexpected conv1\.weight, fc\.weight/,
  };
  for (const [name, pattern] of Object.entries(expected)) {
    const net = buildClassifier(name, { inChannels: 1, numClasses: 2, imageSize: [32, 32], hiddenFeatures: 8 });
    assert.throws(
      () => loadPretrained(net, resnetNames, {}),
      (e: unknown) => e instanceof FileFormatError && pattern.test(e.message) && !e.message.includes('\n'),
      name,
    );
    net.dispose();
  }
});
