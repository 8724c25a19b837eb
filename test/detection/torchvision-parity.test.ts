// The detector against torchvision's RetinaNet and FCOS (Debian python3-torchvision 0.14): the same
// weights load by name (strict), and anchors, head outputs, training losses and eval detections agree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as ve from '../../src/engine/index.js';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors.js';
import type { BoxSet } from '../../src/detection/boxes.js';
import { Detector } from '../../src/detection/detector.js';
import { buildTargets, detectionLoss } from '../../src/detection/loss.js';
import { postprocessDetections } from '../../src/detection/postprocess.js';
import { repoRoot } from '../helpers/data.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

const targets = [
  {
    boxes: [
      [4, 6, 30, 28],
      [40, 10, 70, 50],
      [10, 40, 26, 60],
    ],
    labels: [0, 2, 1],
  },
  { boxes: [[50, 5, 90, 35]], labels: [1] },
];

function run(kind: 'retinanet' | 'fcos') {
  const sizes = [
    [16, 20],
    [32, 40],
    [64, 80],
    [128, 160],
    [256, 320],
  ];
  const ratios = [0.5, 1, 2];
  ve.manualSeed(3);
  const det = new Detector({
    dims: 2,
    inChannels: 3,
    numClasses: 3,
    head: kind,
    fpnChannels: 32,
    extra: 'p6p7',
    anchors: { sizes, aspectRatios: ratios },
  });
  det.to('float64').eval();
  // give BatchNorm non-trivial statistics
  ve.noGrad(() => {
    for (const [name, b] of det.namedBuffers()) {
      if (name.endsWith('running_mean')) b.copy_(ve.randn(b.shape, { dtype: 'float64' }).mul(0.1));
      if (name.endsWith('running_var')) b.copy_(ve.rand(b.shape, { dtype: 'float64' }).add(0.5));
    }
  });
  const input = ve.randn([2, 3, 64, 96], { dtype: 'float64' });
  const dir = tempDir('vesalius-tv-det-');
  const config = {
    kind,
    num_classes: 3,
    fpn_channels: 32,
    sizes,
    ratios,
    targets,
    score_thresh: 0.05,
    nms_thresh: 0.5,
  };
  writeSafetensors(join(dir, 'in.safetensors'), { ...det.stateDict(), input }, { config: JSON.stringify(config) });
  const r = spawnSync(
    SYSTEM_PYTHON,
    [
      join(repoRoot, 'test/helpers/torchvision_detection.py'),
      join(dir, 'in.safetensors'),
      join(dir, 'out.safetensors'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const ref = readSafetensors(join(dir, 'out.safetensors'));
  const out = ve.noGrad(() => det.forward(input));
  const anchors = det.anchorsFor([64, 96]);
  const diff = (a: ve.Tensor, b: ve.Tensor) => a.sub(b).abs().max().item();
  assert.deepEqual(ref.anchors!.shape, [anchors.boxes.length / 4, 4]);
  assert.ok(diff(ve.Tensor.from(anchors.boxes, [anchors.boxes.length / 4, 4]), ref.anchors!) === 0, 'anchors');
  assert.ok(diff(out.cls, ref.cls!) < 1e-9, `cls logits ${diff(out.cls, ref.cls!)}`);
  assert.ok(diff(out.reg, ref.reg!) < 1e-9, 'box regression');
  const gts: BoxSet[] = targets.map((t) => ({
    dims: 2,
    boxes: Float64Array.from(t.boxes.flat()),
    labels: Int32Array.from(t.labels),
  }));
  const options = { kind, numClasses: 3 } as const;
  const loss = ve.noGrad(() => detectionLoss(out, buildTargets(gts, anchors, options), anchors, options));
  const near = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  near(loss.classification.item(), ref.loss_classification!.item(), 'classification loss');
  near(loss.boxRegression.item(), ref.loss_bbox_regression!.item(), 'box loss');
  if (kind === 'fcos') near(loss.centreness!.item(), ref.loss_bbox_ctrness!.item(), 'centre-ness loss');
  const dets = postprocessDetections(out, anchors, [64, 96], { kind, scoreThreshold: 0.05, nmsThreshold: 0.5 });
  dets.forEach((d, i) => {
    const boxes = ref[`det${i}_boxes`]!;
    assert.equal(d.labels.length, boxes.shape[0], `image ${i}: number of detections`);
    if (d.labels.length === 0) return;
    assert.ok(diff(ve.Tensor.from(d.boxes, boxes.shape), boxes) < 1e-6, `image ${i} boxes`);
    assert.ok(
      diff(ve.Tensor.from(Float64Array.from(d.scores!), [d.labels.length]), ref[`det${i}_scores`]!) < 1e-6,
      'scores',
    );
    assert.deepEqual([...d.labels], ref[`det${i}_labels`]!.toNumbers());
  });
}

referenceTest(
  'RetinaNet: weights load into torchvision by name; anchors, heads, losses and detections match',
  hasPythonModules('torchvision'),
  'python3-torchvision',
  () => run('retinanet'),
);
referenceTest(
  'FCOS: weights load into torchvision by name; heads, losses and detections match',
  hasPythonModules('torchvision'),
  'python3-torchvision',
  () => run('fcos'),
);
