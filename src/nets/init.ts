/**
 * nnU-Net's weight initialisation (InitWeights_He(1e-2)): every convolution and transposed
 * convolution weight Kaiming-normal with a = 0.01 (fan in, leaky-ReLU gain), every such bias zero.
 * Normalisation layers keep their defaults (weight 1, bias 0).
 */
import { noGrad } from '../engine/autograd.js';
import { Conv, ConvTranspose } from '../engine/nn/index.js';
import { kaimingNormal_, zeros_ } from '../engine/nn/init.js';
import type { AnyModule } from '../engine/nn/module.js';

/** Applies nnU-Net's initialisation (this file's comment) to every convolution of `module`. */
export function initHe(module: AnyModule, negativeSlope = 1e-2): void {
  noGrad(() => {
    for (const m of module.modules()) {
      if (!(m instanceof Conv || m instanceof ConvTranspose)) continue;
      kaimingNormal_(m.weight, { a: negativeSlope });
      if (m.bias !== null) zeros_(m.bias);
    }
  });
}
