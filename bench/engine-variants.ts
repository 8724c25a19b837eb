/**
 * Benchmark variants of the same model: plain fp32 (NCHW), channels-last memory format, and
 * bf16 autocast. A variant the engine cannot do throws, and the benchmark prints "—" for it.
 */
import type { Tensor } from '../src/engine/tensor.js';
import type { ReferenceUNet2d } from '../src/nets/reference-unet.js';

export interface Variant {
  prepareInput(x: Tensor): Tensor;
  forward(x: Tensor): Tensor;
}

export function withVariant(name: string, model: ReferenceUNet2d): Variant {
  switch (name) {
    case 'fp32':
      return { prepareInput: (x) => x, forward: (x) => model.forward(x) };
    default:
      throw new Error(`variant ${name} is not supported by this engine build`);
  }
}
