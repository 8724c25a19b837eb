/**
 * Runs a Vesalius classifier's weights and input through torchvision's model of the same architecture
 * (test/helpers/torchvision_classifier.py, Debian's python3-torchvision): the state dict loads there
 * strictly by name, and the logits (and ResNet stage outputs) come back for comparison.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { AnyModule } from '../../src/engine/nn/module.js';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors.js';
import type { Tensor } from '../../src/engine/tensor.js';
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
}

/** torchvision's outputs for `net`'s state dict and `input` (float64 both). */
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
