/**
 * Benchmark variants of the same model: plain fp32 (NCHW), channels-last memory format (NHWC, the
 * layout oneDNN prefers), and bf16 autocast (convolutions in bfloat16 where the CPU supports it).
 */
import { autocast } from '../src/engine/autograd.js';
import type { Tensor } from '../src/engine/tensor.js';
import type { ReferenceUNet2d } from '../src/nets/reference-unet.js';

export interface Variant {
  prepareInput(x: Tensor): Tensor;
  /** float32 logits */
  forward(x: Tensor): Tensor;
}

export function withVariant(name: string, model: ReferenceUNet2d): Variant {
  switch (name) {
    case 'fp32':
      return { prepareInput: (x) => x, forward: (x) => model.forward(x) };
    case 'channels-last':
      model.toMemoryFormat('channelsLast');
      return {
        prepareInput: (x) => {
          const out = x.contiguous('channelsLast');
          x.dispose();
          return out;
        },
        forward: (x) => model.forward(x),
      };
    case 'bf16':
      return {
        prepareInput: (x) => x,
        forward: (x) => {
          const low = autocast(() => model.forward(x), { dtype: 'bfloat16' });
          const out = low.to('float32');
          low.dispose();
          return out;
        },
      };
    default:
      throw new Error(`unknown variant ${name}`);
  }
}
