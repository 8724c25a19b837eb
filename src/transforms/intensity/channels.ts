/** Helpers shared by the intensity transforms: per-channel application and per-channel draws. */
import * as ve from '../../engine/index.js';
import type { Tensor } from '../../engine/index.js';
import type { Random } from '../../util/random.js';
import { coin } from '../transform.js';

/** Applies fn to each channel (1, ...spatial) whose parameter is not null; other channels are copied unchanged. */
export function mapChannels<P>(
  image: Tensor,
  params: readonly (P | null)[],
  fn: (channel: Tensor, p: P) => Tensor,
): Tensor {
  if (params.length !== image.shape[0])
    throw new RangeError(`expected ${image.shape[0]} channel parameters, got ${params.length}`);
  return ve.tidy(() => {
    const float = image.dtype === 'float32' || image.dtype === 'float64' ? image : image.to({ dtype: 'float32' });
    const channels = ve.split(float, 1, 0).map((c, i) => (params[i] === null ? c : fn(c, params[i] as P)));
    return ve.cat(channels, 0);
  });
}

/**
 * For each of `channels` channels: with probability pPerChannel a drawn parameter, else null;
 * null overall when no channel was chosen (the transform is then skipped, not recorded).
 */
export function drawPerChannel<P>(
  rng: Random,
  channels: number,
  pPerChannel: number,
  draw: () => P,
): (P | null)[] | null {
  const drawn = Array.from({ length: channels }, () => (coin(rng, pPerChannel) ? draw() : null));
  return drawn.some((d) => d !== null) ? drawn : null;
}
