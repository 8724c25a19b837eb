/**
 * The reference 2D U-Net of the engine benchmark (bench/engine.ts) and the demo: features 16-32-64, two
 * 3×3 convolutions (padding 1) + ReLU per level, 2×2 max-pooling down, 2×2 stride-2 transposed
 * convolution up, skip concatenation, 1×1 head. About 117k parameters for one input channel. Names
 * match the PyTorch twin in bench/engine_torch.py, so weights move between the two by name.
 */
import { cat } from '../engine/ops.js';
import { Conv2d, ConvTranspose2d, MaxPool2d, ReLU, Sequential } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';

function doubleConv(inChannels: number, outChannels: number): Sequential {
  return new Sequential(
    new Conv2d(inChannels, outChannels, 3, { padding: 1 }),
    new ReLU(),
    new Conv2d(outChannels, outChannels, 3, { padding: 1 }),
    new ReLU(),
  );
}

export class ReferenceUNet2d extends Module {
  readonly enc1: Sequential;
  readonly enc2: Sequential;
  readonly bottleneck: Sequential;
  readonly up2: ConvTranspose2d;
  readonly dec2: Sequential;
  readonly up1: ConvTranspose2d;
  readonly dec1: Sequential;
  readonly head: Conv2d;
  readonly pool = new MaxPool2d(2);

  constructor(inChannels = 1, outChannels = 1, features: [number, number, number] = [16, 32, 64]) {
    super();
    const [f1, f2, f3] = features;
    this.enc1 = this.registerModule('enc1', doubleConv(inChannels, f1));
    this.enc2 = this.registerModule('enc2', doubleConv(f1, f2));
    this.bottleneck = this.registerModule('bottleneck', doubleConv(f2, f3));
    this.up2 = this.registerModule('up2', new ConvTranspose2d(f3, f2, 2, { stride: 2 }));
    this.dec2 = this.registerModule('dec2', doubleConv(2 * f2, f2));
    this.up1 = this.registerModule('up1', new ConvTranspose2d(f2, f1, 2, { stride: 2 }));
    this.dec1 = this.registerModule('dec1', doubleConv(2 * f1, f1));
    this.head = this.registerModule('head', new Conv2d(f1, outChannels, 1));
  }

  /** Logits (N, outChannels, H, W); H and W must be divisible by 4. Intermediates are freed on the way. */
  forward(x: Tensor): Tensor {
    const s1 = this.enc1.forward(x);
    const p1 = this.pool.forward(s1);
    const s2 = this.enc2.forward(p1);
    p1.dispose();
    const p2 = this.pool.forward(s2);
    const b = this.bottleneck.forward(p2);
    p2.dispose();
    const d2 = this.decode(this.up2, this.dec2, b, s2);
    b.dispose();
    s2.dispose();
    const d1 = this.decode(this.up1, this.dec1, d2, s1);
    d2.dispose();
    s1.dispose();
    const out = this.head.forward(d1);
    d1.dispose();
    return out;
  }

  private decode(up: ConvTranspose2d, block: Sequential, below: Tensor, skip: Tensor): Tensor {
    const u = up.forward(below);
    const joined = cat([u, skip], 1);
    u.dispose();
    const out = block.forward(joined);
    joined.dispose();
    return out;
  }
}
