/**
 * The Vision Transformer's encoder with torchvision's names and initialisation: pre-norm blocks
 * (x + attention(ln_1(x)), then + mlp(ln_2(·))), the learned position embedding added to the tokens,
 * and a final layer norm. Tokens are (N, L, E), batch first.
 */
import { zeros } from '../engine/creation.js';
import {
  Dropout,
  GELU,
  LayerNorm,
  Linear,
  MultiheadAttention,
  NamedSequential,
  Sequential,
} from '../engine/nn/index.js';
import { normal_, xavierUniform_ } from '../engine/nn/init.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import type { TensorModule } from './factories.js';

/** torchvision's ViT layer norms use ε = 1e-6. */
const LN_EPS = 1e-6;

/** Sizes and dropouts of a ViT encoder. */
export interface EncoderSettings {
  hiddenDim: number;
  numHeads: number;
  mlpDim: number;
  /** Dropout after the position embedding, the attention and in the MLP (torchvision's dropout). */
  dropout: number;
  /** Dropout on the attention weights (torchvision's attention_dropout). */
  attentionDropout: number;
}

/** torchvision's MLPBlock: Linear, GELU, Dropout, Linear, Dropout (Xavier-uniform weights, biases N(0, 1e-12)). */
function mlpBlock(s: EncoderSettings): Sequential {
  const fc1 = new Linear(s.hiddenDim, s.mlpDim);
  const fc2 = new Linear(s.mlpDim, s.hiddenDim);
  for (const fc of [fc1, fc2]) {
    xavierUniform_(fc.weight);
    normal_(fc.bias!, 0, 1e-6);
  }
  return new Sequential(fc1, new GELU(), new Dropout(s.dropout), fc2, new Dropout(s.dropout));
}

/** One pre-norm transformer block (torchvision's EncoderBlock). */
export class EncoderBlock extends Module {
  readonly ln_1: TensorModule;
  readonly self_attention: MultiheadAttention;
  readonly dropout: TensorModule;
  readonly ln_2: TensorModule;
  readonly mlp: Sequential;

  /** A block of `s.hiddenDim` channels, `s.numHeads` heads and an MLP of `s.mlpDim`. */
  constructor(s: EncoderSettings) {
    super();
    this.ln_1 = this.registerModule('ln_1', new LayerNorm(s.hiddenDim, { eps: LN_EPS }));
    this.self_attention = this.registerModule(
      'self_attention',
      new MultiheadAttention(s.hiddenDim, s.numHeads, { dropout: s.attentionDropout }),
    );
    this.dropout = this.registerModule('dropout', new Dropout(s.dropout));
    this.ln_2 = this.registerModule('ln_2', new LayerNorm(s.hiddenDim, { eps: LN_EPS }));
    this.mlp = this.registerModule('mlp', mlpBlock(s));
  }

  /** x + attention(ln_1(x)), then + mlp(ln_2(·)). */
  forward(x: Tensor): Tensor {
    const h = this.ln_1.forward(x);
    const a = this.self_attention.forward(h);
    h.dispose();
    const d = this.dropout.forward(a);
    a.dispose();
    const mid = ve.add(d, x);
    d.dispose();
    const n = this.ln_2.forward(mid);
    const m = this.mlp.forward(n);
    n.dispose();
    const out = ve.add(mid, m);
    mid.dispose();
    m.dispose();
    return out;
  }
}

/** torchvision's Encoder: pos_embedding (1, L, E), dropout, layers.encoder_layer_0 …, ln. */
export class Encoder extends Module {
  readonly dropout: TensorModule;
  readonly layers: NamedSequential;
  readonly ln: TensorModule;

  /** `numLayers` blocks over sequences of `seqLength` tokens (class token included). */
  constructor(seqLength: number, numLayers: number, s: EncoderSettings) {
    super();
    normal_(this.registerParameter('pos_embedding', zeros([1, seqLength, s.hiddenDim]))!, 0, 0.02);
    this.dropout = this.registerModule('dropout', new Dropout(s.dropout));
    const layers = new NamedSequential();
    for (let i = 0; i < numLayers; i++) layers.append(`encoder_layer_${i}`, new EncoderBlock(s));
    this.layers = this.registerModule('layers', layers);
    this.ln = this.registerModule('ln', new LayerNorm(s.hiddenDim, { eps: LN_EPS }));
  }

  /** The learned position embedding (1, L, E). */
  get pos_embedding(): Tensor {
    return this.param('pos_embedding')!;
  }

  /** ln(layers(dropout(tokens + pos_embedding))). */
  forward(tokens: Tensor): Tensor {
    const placed = ve.add(tokens, this.pos_embedding);
    const d = this.dropout.forward(placed);
    placed.dispose();
    const h = this.layers.forward(d);
    d.dispose();
    const out = this.ln.forward(h);
    h.dispose();
    return out;
  }
}
