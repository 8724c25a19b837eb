// Vision Transformer against torchvision's VisionTransformer run live: the same weights, loaded strictly
// by torchvision's names, give the same logits (ViT-Tiny and ViT-Small in 2D; 3D with cubic patches against
// the same model with a Conv3d patch embedding) and the same Grad-CAM map at the last block's ln_1, laid on
// the patch grid. A torchvision checkpoint of another input size loads through the fine-tuning path with
// its position embedding interpolated exactly as torchvision's interpolate_embeddings does.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { gradCam } from '../../src/explain/gradcam.js';
import { VisionTransformer, type ViTOptions } from '../../src/nets/vit.js';
import { loadPretrained } from '../../src/train/classification/model.js';
import { repoRoot } from '../helpers/data.js';
import { assertEveryParameterLearns, perturbNorms } from '../helpers/net-checks.js';
import { referenceTest, runPythonFile } from '../helpers/reference.js';
import { assertMatchesTorchvision, hasTorchvision, maxDiff } from '../helpers/torchvision.js';
import { tempDir } from '../helpers/tmp.js';

ve.setNumThreads(2);

/** Layer norms, the class token and the zero-initialised head made random, so each one shows. */
function perturb(net: VisionTransformer): void {
  const norms = Object.keys(net.stateDict()).filter((n) => /\.ln(_\d)?\.(weight|bias)$/.test(n));
  perturbNorms(net, ['heads.head', 'class_token', ...norms]);
}

function vitMeta(net: VisionTransformer) {
  return {
    image_size: net.imageSize[0]!,
    patch_size: net.patchSize,
    num_layers: net.numLayers,
    num_heads: net.numHeads,
    hidden_dim: net.numFeatures,
    mlp_dim: net.mlpDim,
  };
}

/** Compares with torchvision; with batch 1, Grad-CAM at the default layer for the predicted class too. */
function compare(options: ViTOptions, input: number[]): void {
  ve.manualSeed(7);
  const net = new VisionTransformer(options).to('float64');
  perturb(net);
  const x = ve.randn(input, { dtype: 'float64' });
  const cam = input[0] === 1;
  assertMatchesTorchvision(net, x, {
    arch: 'vit',
    dims: options.spatialDims ?? 2,
    inChannels: options.inChannels ?? 3,
    numClasses: options.numClasses ?? 1000,
    vit: vitMeta(net),
    ...(cam ? { camLayer: net.camLayer, camClass: ve.noGrad(() => ve.argmax(net.eval().forward(x)).item()) } : {}),
  });
  net.dispose();
}

const torchvision = hasTorchvision();

referenceTest(
  'ViT-Tiny (patch 4, one channel, 28×28) = torchvision VisionTransformer: logits, and Grad-CAM on the 7×7 patch grid',
  torchvision,
  'python3-torchvision',
  () => compare({ variant: 'tiny', imageSize: 28, patchSize: 4, inChannels: 1, numClasses: 3 }, [1, 1, 28, 28]),
);

referenceTest(
  'ViT-Small (patch 8, three channels, 32×32, batch of two) = torchvision VisionTransformer',
  torchvision,
  'python3-torchvision',
  () => compare({ variant: 'small', imageSize: 32, patchSize: 8, inChannels: 3, numClasses: 2 }, [2, 3, 32, 32]),
);

referenceTest(
  '3D ViT-Tiny (cubic patches of 4, 12³) = torchvision VisionTransformer with a Conv3d patch embedding: logits and Grad-CAM on the 3×3×3 grid',
  torchvision,
  'python3-torchvision',
  () =>
    compare(
      { variant: 'tiny', spatialDims: 3, imageSize: 12, patchSize: 4, inChannels: 1, numClasses: 2, numLayers: 4 },
      [1, 1, 12, 12, 12],
    ),
);

referenceTest(
  'a torchvision ViT checkpoint for 28×28 loads into a ViT for 32×32 by name, its position embedding interpolated as torchvision does',
  torchvision,
  'python3-torchvision',
  () => {
    const dir = tempDir('vesalius-vit-');
    const [checkpoint, reference] = [join(dir, 'tv28.safetensors'), join(dir, 'tv32.safetensors')];
    runPythonFile(
      join(repoRoot, 'test', 'helpers', 'torch_safetensors.py'),
      [checkpoint, reference],
      `
import torchvision
from torchvision.models.vision_transformer import interpolate_embeddings
torch.manual_seed(0)
kw = dict(patch_size=4, num_layers=2, num_heads=3, hidden_dim=24, mlp_dim=48, num_classes=2)
small = torchvision.models.VisionTransformer(image_size=28, **kw).double()
for p in small.parameters():
    torch.nn.init.normal_(p, std=0.2)
state = small.state_dict()
save(argv[0], state)
big = torchvision.models.VisionTransformer(image_size=32, **kw).double().eval()
resized = interpolate_embeddings(32, 4, dict(state))
big.load_state_dict(resized, strict=True)
x = torch.randn(1, 3, 32, 32, dtype=torch.float64)
with torch.no_grad():
    save(argv[1], {'pos': resized['encoder.pos_embedding'], 'input': x, 'logits': big(x)})
`,
    );
    const net = new VisionTransformer({
      imageSize: 32,
      patchSize: 4,
      numLayers: 2,
      numHeads: 3,
      hiddenDim: 24,
      mlpDim: 48,
      numClasses: 2,
    }).to('float64');
    assert.deepEqual(loadPretrained(net, checkpoint, {}), []);
    const ref = ve.readSafetensors(reference);
    const pos = net.stateDict()['encoder.pos_embedding']!;
    assert.deepEqual(pos.shape, [1, 65, 24]);
    assert.ok(maxDiff(pos, ref.pos!) < 1e-12, `position embedding: max diff ${maxDiff(pos, ref.pos!)}`);
    const logits = ve.noGrad(() => net.eval().forward(ref.input!));
    assert.ok(maxDiff(logits, ref.logits!) < 1e-9, `logits: max diff ${maxDiff(logits, ref.logits!)}`);
  },
);

/** Parameters of a ViT counted from its definition (patch embedding, tokens, blocks, final norm, head). */
function handCount(o: {
  dims: number;
  c: number;
  p: number;
  tokens: number;
  e: number;
  layers: number;
  m: number;
  k: number;
}) {
  const block =
    2 * o.e + (3 * o.e * o.e + 3 * o.e) + (o.e * o.e + o.e) + 2 * o.e + (o.e * o.m + o.m) + (o.m * o.e + o.e);
  return o.c * o.p ** o.dims * o.e + o.e + o.e + (o.tokens + 1) * o.e + o.layers * block + 2 * o.e + o.e * o.k + o.k;
}

test('ViT: torchvision’s names and parameter counts (Tiny, Small, Base; 2D and 3D, by the hand formula)', () => {
  const base = new VisionTransformer({ variant: 'base', imageSize: 224 });
  const names = Object.keys(base.stateDict());
  for (const n of [
    'class_token',
    'conv_proj.weight',
    'encoder.pos_embedding',
    'encoder.layers.encoder_layer_0.ln_1.weight',
    'encoder.layers.encoder_layer_0.self_attention.in_proj_weight',
    'encoder.layers.encoder_layer_0.self_attention.in_proj_bias',
    'encoder.layers.encoder_layer_11.self_attention.out_proj.weight',
    'encoder.layers.encoder_layer_11.mlp.0.weight',
    'encoder.layers.encoder_layer_11.mlp.3.bias',
    'encoder.ln.weight',
    'heads.head.weight',
  ])
    assert.ok(names.includes(n), n);
  assert.equal(names.length, 152); // torchvision vit_b_16().state_dict()
  assert.equal(base.numParameters(), 86_567_656); // torchvision vit_b_16
  base.dispose();
  const tiny = new VisionTransformer({ variant: 'tiny', imageSize: 224 });
  assert.equal(tiny.numParameters(), 5_717_416); // ViT-Ti/16 at 224², 1000 classes
  assert.equal(
    tiny.numParameters(),
    handCount({ dims: 2, c: 3, p: 16, tokens: 196, e: 192, layers: 12, m: 768, k: 1000 }),
  );
  tiny.dispose();
  const small = new VisionTransformer({ variant: 'small', imageSize: 224 });
  assert.equal(small.numParameters(), 22_050_664); // ViT-S/16 at 224², 1000 classes
  small.dispose();
  const small3d = new VisionTransformer({
    variant: 'small',
    spatialDims: 3,
    imageSize: [16, 32, 32],
    patchSize: 8,
    inChannels: 2,
    numClasses: 4,
  });
  assert.deepEqual(small3d.grid, [2, 4, 4]);
  assert.equal(small3d.camLayer, 'encoder.layers.encoder_layer_11.ln_1');
  assert.equal(
    small3d.numParameters(),
    handCount({ dims: 3, c: 2, p: 8, tokens: 32, e: 384, layers: 12, m: 1536, k: 4 }),
  );
  small3d.dispose();
});

test('3D ViT: forward and backward on a batch of two; every parameter gets a gradient; Grad-CAM has the patch-grid geometry', () => {
  ve.manualSeed(3);
  const net = new VisionTransformer({
    variant: 'tiny',
    spatialDims: 3,
    imageSize: [8, 16, 16],
    patchSize: 4,
    inChannels: 1,
    numClasses: 2,
    numLayers: 2,
    dropout: 0.1,
  });
  // the head starts at zero (torchvision's), which would leave every other gradient zero in the first step
  perturbNorms(net, ['heads.head']);
  const x = ve.randn([2, 1, 8, 16, 16]);
  assertEveryParameterLearns(net, x, [0, 1]);
  const cam = gradCam(net, x.narrow(0, 0, 1), { layer: net.camLayer, classIndex: 1 });
  assert.deepEqual(cam.rawShape, [2, 4, 4]);
  assert.deepEqual(cam.shape, [8, 16, 16]);
  assert.throws(
    () => gradCam(net, x.narrow(0, 0, 1), { layer: 'heads.head' }),
    /layer: 'heads\.head' outputs shape \[1, 2\], not a 3D feature map/,
  );
  net.dispose();
});

test('ViT: bad inputs and options are one-line errors', () => {
  const net = new VisionTransformer({ imageSize: 28, patchSize: 4, inChannels: 1, numClasses: 2, numLayers: 1 });
  assert.throws(
    () => net.forward(ve.randn([1, 1, 32, 32])),
    /VisionTransformer was built for 28×28 inputs \(7×7 patches of 4\), got 32×32/,
  );
  assert.throws(() => net.forward(ve.randn([1, 3, 28, 28])), /expects 1 input channel\(s\), got 3/);
  assert.throws(
    () => new VisionTransformer({ imageSize: 30, patchSize: 4 }),
    /patchSize: the input size \[30, 30\] is not a multiple of the patch size 4/,
  );
  assert.throws(
    () => new VisionTransformer({ imageSize: 32, numHeads: 5 }),
    /numHeads: 5 heads do not divide the width 192/,
  );
  assert.throws(() => new VisionTransformer({} as ViTOptions), /imageSize: is required/);
  // a state dict of another architecture: torchvision's strict load names what is missing and unexpected
  assert.throws(
    () => net.loadStateDict({ 'conv1.weight': ve.zeros([1]) }),
    /missing.*class_token.*unexpected.*conv1\.weight|unexpected.*conv1\.weight.*missing.*class_token/,
  );
});
