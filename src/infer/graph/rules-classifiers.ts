/**
 * Lowering rules for the classification networks (src/nets): what their forward methods do, as graph
 * nodes, in eval mode (dropout is the identity). ResNet: stem (conv1 → bn1 → relu → max-pool),
 * layer1…layer4 of residual units, global average pooling, flatten, fc.
 */
import { BasicBlock, Bottleneck } from '../../nets/resnet-blocks.js';
import { ResNet } from '../../nets/resnet.js';
import type { LoweringContext, RuleEntry } from './lower.js';

const at = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

function resnet(m: ResNet, ctx: LoweringContext, [x]: string[], path: string): string[] {
  let v = [x!];
  v = ctx.lower(m.conv1, at(path, 'conv1'), v);
  v = ctx.lower(m.bn1, at(path, 'bn1'), v);
  v = ctx.lower(m.relu, at(path, 'relu'), v);
  if (m.maxpool) v = ctx.lower(m.maxpool, at(path, 'maxpool'), v);
  m.layers.forEach((layer, i) => {
    v = ctx.lower(layer, at(path, `layer${i + 1}`), v);
  });
  v = ctx.lower(m.avgpool, at(path, 'avgpool'), v);
  const flat = ctx.node('Flatten', v, { axis: 1 }, path, 2);
  return ctx.lower(m.fc, at(path, 'fc'), [flat]);
}

function basic(m: BasicBlock, ctx: LoweringContext, [x]: string[], path: string): string[] {
  let r = [x!];
  for (const name of ['conv1', 'bn1', 'relu', 'conv2', 'bn2'] as const) r = ctx.lower(m[name], at(path, name), r);
  const skip = m.downsample ? ctx.lower(m.downsample, at(path, 'downsample'), [x!])[0]! : x!;
  return ctx.lower(m.relu, at(path, 'relu'), [ctx.node('Add', [r[0]!, skip], {}, path)]);
}

function bottleneck(m: Bottleneck, ctx: LoweringContext, [x]: string[], path: string): string[] {
  let r = [x!];
  for (const name of ['conv1', 'bn1', 'relu', 'conv2', 'bn2', 'relu', 'conv3', 'bn3'] as const)
    r = ctx.lower(m[name], at(path, name), r);
  const skip = m.downsample ? ctx.lower(m.downsample, at(path, 'downsample'), [x!])[0]! : x!;
  return ctx.lower(m.relu, at(path, 'relu'), [ctx.node('Add', [r[0]!, skip], {}, path)]);
}

export const classifierRules: RuleEntry[] = [
  { type: ResNet, lower: resnet },
  { type: BasicBlock, lower: basic },
  { type: Bottleneck, lower: bottleneck },
];
