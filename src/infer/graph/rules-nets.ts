/**
 * Lowering rules for the networks' own blocks (src/nets): what their forward methods do, as graph
 * nodes. Kept beside those forwards' semantics: conv → dropout → norm → activation; residual sums;
 * additive attention gates; the U-Net decoder's up-sampling, skip concatenation and full-resolution
 * head (eval mode: no deep-supervision heads).
 */
import { AttentionGate } from '../../nets/attention.js';
import { ConvNormAct, ResidualBlock, StackedConvBlocks, StackedResidualBlocks } from '../../nets/blocks.js';
import { UNetDecoder } from '../../nets/decoder.js';
import { UNetEncoder } from '../../nets/encoder.js';
import { UNet } from '../../nets/unet.js';
import type { LoweringContext, RuleEntry } from './lower.js';

const at = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

function convNormAct(m: ConvNormAct, ctx: LoweringContext, inputs: string[], path: string): string[] {
  let v = ctx.lower(m.conv, at(path, 'conv'), inputs);
  if (m.dropout) v = ctx.lower(m.dropout, at(path, 'dropout'), v);
  if (m.norm) v = ctx.lower(m.norm, at(path, 'norm'), v);
  if (m.nonlin) v = ctx.lower(m.nonlin, at(path, 'nonlin'), v);
  return v;
}

function residual(m: ResidualBlock, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const hidden = ctx.lower(m.conv1, at(path, 'conv1'), [x!]);
  const [res] = ctx.lower(m.conv2, at(path, 'conv2'), hidden);
  const [shortcut] = m.skip === null ? [x!] : ctx.lower(m.skip, at(path, 'skip'), [x!]);
  const sum = ctx.node('Add', [res!, shortcut!], {}, path);
  return ctx.lower(m.nonlin2, at(path, 'nonlin2'), [sum]);
}

function attentionGate(m: AttentionGate, ctx: LoweringContext, [x, g]: string[], path: string): string[] {
  const [wx] = ctx.lower(m.wX, at(path, 'W_x'), [x!]);
  const [wg] = ctx.lower(m.wG, at(path, 'W_g'), [g!]);
  const relu = ctx.node('Relu', [ctx.node('Add', [wx!, wg!], {}, path)], {}, path);
  const [psi] = ctx.lower(m.psi, at(path, 'psi'), [relu]);
  const alpha = ctx.node('Sigmoid', [psi!], {}, path);
  return [ctx.node('Mul', [x!, alpha], {}, path)];
}

function encoder(m: UNetEncoder, ctx: LoweringContext, [x]: string[], path: string): string[] {
  let input = m.stem === null ? x! : ctx.lower(m.stem, at(path, 'stem'), [x!])[0]!;
  const skips: string[] = [];
  for (const [name, stage] of m.stages.namedChildren()) {
    input = ctx.lower(stage, at(path, `stages.${name}`), [input])[0]!;
    skips.push(input);
  }
  return skips;
}

function decoder(m: UNetDecoder, ctx: LoweringContext, skips: string[], path: string): string[] {
  const levels = m.stages.length;
  let below = skips[skips.length - 1]!;
  let head = '';
  for (let l = 0; l < levels; l++) {
    const [up] = ctx.lower(m.transpconvs.at(l), at(path, `transpconvs.${l}`), [below]);
    let skip = skips[skips.length - 2 - l]!;
    if (m.attentionGates !== null)
      skip = ctx.lower(m.attentionGates.at(l), at(path, `attention_gates.${l}`), [skip, up!])[0]!;
    const joined = ctx.node('Concat', [up!, skip], { axis: 1 }, at(path, `stages.${l}`));
    below = ctx.lower(m.stages.at(l), at(path, `stages.${l}`), [joined])[0]!;
    if (l === levels - 1) head = ctx.lower(m.segLayers.at(l), at(path, `seg_layers.${l}`), [below])[0]!;
  }
  return [head];
}

function unet(m: UNet, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const skips = ctx.lower(m.encoder, at(path, 'encoder'), [x!]);
  return ctx.lower(m.decoder, at(path, 'decoder'), skips);
}

export const netRules: RuleEntry[] = [
  { type: UNet, lower: unet },
  { type: UNetEncoder, lower: encoder },
  { type: UNetDecoder, lower: decoder },
  { type: ConvNormAct, lower: convNormAct },
  {
    type: StackedConvBlocks,
    lower: (m: StackedConvBlocks, ctx, inputs, path) => ctx.lower(m.convs, at(path, 'convs'), inputs),
  },
  {
    type: StackedResidualBlocks,
    lower: (m: StackedResidualBlocks, ctx, inputs, path) => ctx.lower(m.blocks, at(path, 'blocks'), inputs),
  },
  { type: ResidualBlock, lower: residual },
  { type: AttentionGate, lower: attentionGate },
];
