/**
 * Additive attention gate on a skip connection (Oktay et al. 2018, "Attention U-Net"):
 *
 *   α = σ(ψᵀ·ReLU(W_xᵀ·x + W_gᵀ·g + b_g) + b_ψ),   output = α ⊙ x
 *
 * x is the skip (encoder) feature map, g the gating signal from the coarser decoder level. As in
 * MONAI's AttentionUnet, g is taken after the decoder's transposed convolution, so it already has
 * the skip's resolution and the gate needs no resampling (which also suits anisotropic strides).
 * The 1×1 projections are convolutions without normalisation, as in the paper.
 */
import { tidy } from '../engine/memory.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { convLayer, type SpatialDims } from './factories.js';

export class AttentionGate extends Module<[Tensor, Tensor], Tensor> {
  readonly wG: Module;
  readonly wX: Module;
  readonly psi: Module;

  /**
   * Creates a `AttentionGate`.
   * @param skipChannels channels of the skip connection x
   * @param gatingChannels channels of the gating signal g
   * @param interChannels channels of the 1×1 projections (default half the skip's)
   */
  constructor(
    dims: SpatialDims,
    skipChannels: number,
    gatingChannels: number,
    interChannels = Math.max(1, Math.floor(skipChannels / 2)),
  ) {
    super();
    this.wG = this.registerModule('W_g', convLayer(dims, gatingChannels, interChannels, 1, { bias: true }));
    this.wX = this.registerModule('W_x', convLayer(dims, skipChannels, interChannels, 1, { bias: false }));
    this.psi = this.registerModule('psi', convLayer(dims, interChannels, 1, 1, { bias: true }));
  }

  /** The attention coefficients α (N, 1, ...) for skip x and gating signal g of the same size. */
  coefficients(x: Tensor, g: Tensor): Tensor {
    return tidy(() => ve.sigmoid(this.psi.forward(ve.relu(ve.add(this.wX.forward(x), this.wG.forward(g))))));
  }

  forward(x: Tensor, g: Tensor): Tensor {
    const alpha = this.coefficients(x, g);
    const out = ve.mul(x, alpha);
    alpha.dispose();
    return out;
  }
}
