/**
 * Feature-level fusion: one encoder per modality (e.g. a ResNet body each, its own weights), their
 * pooled feature vectors concatenated, then one head. The input is the modalities stacked as channels
 * (N, C₁ + C₂ + …, spatial…), as input-level fusion has it, so the data pipeline is the same for both;
 * the network splits the channels again, modality by modality.
 *
 * Names: `encoders.<i>.<the encoder's names>` (a ResNet's conv1, layer1 …, without its head) and `fc`.
 * A body whose head sits inside a container (VGG's classifier.6, the ViT's heads.head) keeps that unused
 * one-output head in the state dict, untrained (no gradient reaches it); the tests use ResNet bodies.
 */
import { Dropout, Linear } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { Classifier, classifierBasics } from './classifier.js';
import type { SpatialDims } from './factories.js';

/** A modality: its name (a CSV column, a file or channel index) and its channels. */
export interface Modality {
  name: string;
  channels: number;
}

/** A classifier's body without its head: `embed` as the forward pass; the head's modules left out. */
export class ModalityEncoder extends Module {
  /** Registers `body`'s modules but its head (whose weights are freed) and dropout. */
  constructor(readonly body: Classifier) {
    super();
    for (const [name, m] of body.namedChildren()) {
      // the body's own head is never run: its weights are freed, not carried in the state dict
      if (name === body.headName) m.dispose();
      else if (name !== 'dropout') this.registerModule(name, m);
    }
  }
  /** The body's pooled features (N, body.numFeatures). */
  forward(x: Tensor): Tensor {
    return this.body.embed(x);
  }
}

class EncoderList extends Module<[Tensor], Tensor> {
  forward(): Tensor {
    throw new Error('EncoderList holds the encoders; FusionClassifier runs them');
  }
}

export interface FusionOptions {
  modalities: readonly Modality[];
  numClasses: number;
  spatialDims: SpatialDims;
  dropout?: number;
  /** A classifier for one modality of `inChannels` channels; its body becomes that modality's encoder. */
  encoder: (inChannels: number) => Classifier;
}

/** One encoder per modality, features concatenated, one linear head (this file's comment). */
export class FusionClassifier extends Classifier {
  readonly spatialDims: SpatialDims;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly headName = 'fc';
  readonly camLayer: string;
  readonly modalities: readonly Modality[];
  readonly encoders: ModalityEncoder[];
  readonly dropout: Dropout | null;
  readonly fc: Linear;

  /**
   * @throws OptionError naming `modalities` for fewer than two modalities or a channel count below one
   * @example
   * ```ts
   * const net = new FusionClassifier({
   *   modalities: [{ name: 't1', channels: 1 }, { name: 't2', channels: 1 }],
   *   numClasses: 2,
   *   spatialDims: 3,
   *   encoder: (c) => new ResNet({ depth: 18, spatialDims: 3, inChannels: c, numClasses: 1 }),
   * });
   * ```
   */
  constructor(o: FusionOptions) {
    super();
    if (o.modalities.length < 2)
      throw new OptionError(
        'modalities',
        `feature-level fusion needs two or more modalities, got ${o.modalities.length}`,
      );
    for (const m of o.modalities)
      if (!(Number.isInteger(m.channels) && m.channels >= 1))
        throw new OptionError('modalities', `${m.name} has ${m.channels} channels`);
    const b = classifierBasics({
      spatialDims: o.spatialDims,
      numClasses: o.numClasses,
      dropout: o.dropout,
      inChannels: o.modalities.reduce((n, m) => n + m.channels, 0),
    });
    this.spatialDims = b.spatialDims;
    this.inChannels = b.inChannels;
    this.numClasses = b.numClasses;
    this.modalities = o.modalities.map((m) => ({ ...m }));
    const list = this.registerModule('encoders', new EncoderList());
    this.encoders = o.modalities.map((m, i) =>
      list.registerModule(String(i), new ModalityEncoder(o.encoder(m.channels))),
    );
    this.numFeatures = this.encoders.reduce((n, e) => n + e.body.numFeatures, 0);
    this.camLayer = `encoders.0.${this.encoders[0]!.body.camLayer}`;
    this.dropout = b.dropout > 0 ? this.registerModule('dropout', new Dropout(b.dropout)) : null;
    this.fc = this.registerModule('fc', new Linear(this.numFeatures, b.numClasses));
  }

  /** Each modality's channels through its encoder; the features side by side. */
  embed(x: Tensor): Tensor {
    this.checkInput(x);
    let start = 0;
    const features = this.encoders.map((e, i) => {
      const c = this.modalities[i]!.channels;
      const part = x.narrow(1, start, c);
      start += c;
      const f = e.forward(part);
      part.dispose();
      return f;
    });
    const out = ve.cat(features, 1);
    for (const f of features) f.dispose();
    return out;
  }

  logitsFrom(embedding: Tensor): Tensor {
    return this.applyHead(embedding, this.dropout, this.fc);
  }
}
