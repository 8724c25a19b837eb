/**
 * Networks by name, for configuration files: `{ "architecture": "unet", "spatialDims": 2, ... }`.
 * Unknown architectures and unknown option keys are OptionErrors naming them.
 */
import { OptionError } from '../util/errors.js';
import type { UNetOptions } from './config.js';
import { AttentionUNet, classicUNet, type ClassicUNetOptions } from './presets.js';
import { UNet } from './unet.js';

export const ARCHITECTURES = ['unet', 'attention-unet', 'classic-unet'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export type NetworkSpec =
  | ({ architecture: 'unet' } & UNetOptions)
  | ({ architecture: 'attention-unet' } & Omit<UNetOptions, 'attention'>)
  | ({ architecture: 'classic-unet' } & ClassicUNetOptions);

const UNET_KEYS: ReadonlyArray<keyof UNetOptions> = [
  'spatialDims',
  'inChannels',
  'numClasses',
  'features',
  'nStages',
  'kernelSizes',
  'strides',
  'downsampling',
  'convsPerStage',
  'convsPerDecoderStage',
  'norm',
  'normGroups',
  'activation',
  'negativeSlope',
  'convBias',
  'dropout',
  'residual',
  'blocksPerStage',
  'deepSupervision',
  'attention',
  'upsampling',
  'init',
];
const CLASSIC_KEYS: ReadonlyArray<keyof ClassicUNetOptions> = ['spatialDims', 'inChannels', 'numClasses'];

function checkKeys(spec: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(spec)) {
    if (key !== 'architecture' && !allowed.includes(key))
      throw new OptionError(`${prefix}${key}`, `unknown option; expected one of ${allowed.join(', ')}`);
  }
}

/** The network a spec describes. `prefix` is prepended to option names in errors (e.g. "model."). */
export function buildNetwork(spec: NetworkSpec, prefix = ''): UNet {
  const { architecture, ...options } = spec as NetworkSpec & Record<string, unknown>;
  switch (architecture) {
    case 'unet':
      checkKeys(spec as Record<string, unknown>, UNET_KEYS as string[], prefix);
      return new UNet(options as UNetOptions);
    case 'attention-unet':
      checkKeys(spec as Record<string, unknown>, UNET_KEYS.filter((k) => k !== 'attention') as string[], prefix);
      return new AttentionUNet(options as UNetOptions);
    case 'classic-unet':
      checkKeys(spec as Record<string, unknown>, CLASSIC_KEYS as string[], prefix);
      return classicUNet(options as ClassicUNetOptions);
    default:
      throw new OptionError(
        `${prefix}architecture`,
        `unknown architecture ${JSON.stringify(architecture)}; expected one of ${ARCHITECTURES.join(', ')}`,
      );
  }
}
