/**
 * Runs a Vesalius classifier's weights and input through torchvision's model of the same architecture
 * (test/helpers/torchvision_classifier.py, Debian's python3-torchvision): the state dict loads there
 * strictly by name, and the logits (and ResNet stage outputs) come back for comparison.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { noGrad } from '../../src/engine/autograd.js';
import type { AnyModule } from '../../src/engine/nn/module.js';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { gradCam } from '../../src/explain/gradcam.js';
import type { Classifier } from '../../src/nets/classifier.js';
import { repoRoot } from './data.js';
import { hasPythonModules, SYSTEM_PYTHON } from './reference.js';
import { tempDir } from './tmp.js';

export const hasTorchvision = (): boolean => hasPythonModules('torch', 'torchvision');

export interface TorchvisionMeta {
  arch: string;
  dims: 2 | 3;
  inChannels: number;
  numClasses: number;
  stem?: string;
  mode?: 'eval' | 'train';
  vit?: Record<string, number>;
  /** VGG in 3D: the adaptive pool's edge. */
  pool?: number;
  /** VGG: the hidden linear layers' width (torchvision's 4096 when absent). */
  hidden?: number;
  /** Grad-CAM at this module (eval mode) for `camClass`, computed with torch's autograd: output "cam". */
  camLayer?: string;
  camClass?: number;
}

/** torchvision's outputs for `net`'s state dict and `input` (both float64, or both float32). */
export function torchvisionOutputs(net: AnyModule, input: Tensor, meta: TorchvisionMeta): Record<string, Tensor> {
  const dir = tempDir('vesalius-torchvision-');
  const metadata: Record<string, string> = {
    arch: meta.arch,
    dims: String(meta.dims),
    in_channels: String(meta.inChannels),
    num_classes: String(meta.numClasses),
    mode: meta.mode ?? 'eval',
    ...(meta.stem ? { stem: meta.stem } : {}),
    ...(meta.vit ? { vit: JSON.stringify(meta.vit) } : {}),
    ...(meta.pool ? { pool: String(meta.pool) } : {}),
    ...(meta.hidden ? { hidden: String(meta.hidden) } : {}),
    ...(meta.camLayer ? { cam_layer: meta.camLayer, cam_class: String(meta.camClass ?? 0) } : {}),
    dtype: input.dtype === 'float32' ? 'float32' : 'float64',
  };
  writeSafetensors(join(dir, 'in.safetensors'), { ...net.stateDict(), input }, metadata);
  const r = spawnSync(
    SYSTEM_PYTHON,
    [
      join(repoRoot, 'test', 'helpers', 'torchvision_classifier.py'),
      join(dir, 'in.safetensors'),
      join(dir, 'out.safetensors'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`torchvision reference failed: ${r.stderr}`);
  return readSafetensors(join(dir, 'out.safetensors'));
}

/** max |a − b| */
export function maxDiff(a: Tensor, b: Tensor): number {
  return a.sub(b).abs().max().item();
}

/**
 * Asserts that `net` gives torchvision's logits for `input` (max |Δ| below `tolerance`); in training
 * mode also its running statistics after the batch; with `meta.camLayer`, also its Grad-CAM map at
 * that layer (our `gradCam`'s raw map against torch's autograd, relative to the map's maximum).
 * @returns the largest differences, for the test's message
 */
export function assertMatchesTorchvision(
  net: Classifier,
  input: Tensor,
  meta: TorchvisionMeta,
  tolerance = 1e-9,
): { logits: number; cam?: number } {
  const theirs = torchvisionOutputs(net, input, meta);
  const mode = meta.mode ?? 'eval';
  net.train(mode === 'train');
  const logits = noGrad(() => net.forward(input));
  assert.deepEqual(logits.shape, theirs.logits!.shape);
  const out: { logits: number; cam?: number } = { logits: maxDiff(logits, theirs.logits!) };
  assert.ok(out.logits < tolerance, `logits: max diff ${out.logits}`);
  if (mode === 'train') {
    for (const [name, t] of Object.entries(theirs)) {
      if (!name.startsWith('state.')) continue;
      const ours = net.stateDict()[name.slice(6)]!;
      assert.ok(maxDiff(ours, t) < tolerance, `${name.slice(6)} after one training batch`);
    }
  }
  if (meta.camLayer) {
    const cam = gradCam(net, input, { layer: meta.camLayer, classIndex: meta.camClass ?? 0 });
    const reference = theirs.cam!;
    assert.deepEqual(cam.rawShape, reference.shape.slice(1), 'Grad-CAM map shape');
    const ref = reference.contiguous().toArray() as Float64Array | Float32Array;
    const peak = Math.max(...ref);
    assert.ok(peak > 0, 'the reference Grad-CAM map is not all zero');
    out.cam = Math.max(...Array.from(ref, (v, i) => Math.abs(v - cam.raw[i]!))) / peak;
    assert.ok(out.cam < 1e-4, `Grad-CAM: max relative diff ${out.cam}`);
  }
  return out;
}
