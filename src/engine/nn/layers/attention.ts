import { zeros } from '../../creation.js';
import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { xavierUniform_, zeros_ } from '../init.js';
import { Module } from '../module.js';
import { Linear } from './linear.js';

/** Options of `scaledDotProductAttention`. */
export interface AttentionOptions {
  /** Dropout on the attention weights (applied only when `training`). */
  dropout?: number;
  training?: boolean;
}

/**
 * softmax(q·kᵀ/√d)·v over the last two dimensions (…, L, d), as torch's math path computes it (the query
 * is scaled before the product). Intermediates are disposed; the inputs are not.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions = {}): Tensor {
  const d = q.shape[q.ndim - 1]!;
  const scaled = F.div(q, Math.sqrt(d));
  const kt = F.transpose(k, -2, -1);
  const scores = F.matmul(scaled, kt);
  scaled.dispose();
  kt.dispose();
  let weights = F.softmax(scores, -1);
  scores.dispose();
  const p = o.dropout ?? 0;
  if (p > 0 && o.training) {
    const dropped = F.dropout(weights, p, true);
    weights.dispose();
    weights = dropped;
  }
  const out = F.matmul(weights, v);
  weights.dispose();
  return out;
}

/**
 * Multi-head self-attention on (N, L, E) inputs (torch.nn.MultiheadAttention with batch_first=True,
 * query = key = value, no mask), with torch's parameter names: `in_proj_weight` (3E, E),
 * `in_proj_bias` (3E), `out_proj.weight`, `out_proj.bias`; and torch's initialisation (Xavier-uniform
 * projection, zero biases).
 */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  /** Dropout probability on the attention weights. */
  readonly dropout: number;
  readonly out_proj: Linear;

  /**
   * Creates the layer (torch.nn.MultiheadAttention's arguments, self-attention only).
   * @param embedDim E, the width of the tokens
   * @param numHeads heads (E must be a multiple)
   * @param options dropout on the attention weights (default 0), bias (default true)
   * @throws RangeError when E is not a multiple of the number of heads
   */
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: { dropout?: number; bias?: boolean } = {},
  ) {
    super();
    if (!(Number.isInteger(numHeads) && numHeads >= 1 && embedDim % numHeads === 0))
      throw new RangeError(`embedDim ${embedDim} must be a multiple of numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    const bias = options.bias ?? true;
    xavierUniform_(this.registerParameter('in_proj_weight', zeros([3 * embedDim, embedDim]))!);
    this.registerParameter('in_proj_bias', bias ? zeros([3 * embedDim]) : null);
    this.out_proj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias }));
    if (this.out_proj.bias) zeros_(this.out_proj.bias);
  }

  get in_proj_weight(): Tensor {
    return this.param('in_proj_weight')!;
  }

  get in_proj_bias(): Tensor | null {
    return this.param('in_proj_bias');
  }

  /** Self-attention of the tokens x (N, L, E) → (N, L, E). */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim)
      throw new RangeError(`MultiheadAttention expects (N, L, ${this.embedDim}), got [${x.shape.join(', ')}]`);
    const [n, l] = [x.shape[0]!, x.shape[1]!];
    const qkv = F.linear(x, this.in_proj_weight, this.in_proj_bias);
    // (N, L, 3, H, d) → (3, N, H, L, d)
    const split = F.reshape(qkv, [n, l, 3, this.numHeads, this.headDim]);
    qkv.dispose();
    const heads = F.permute(split, [2, 0, 3, 1, 4]);
    split.dispose();
    const [q, k, v] = F.unbind(heads, 0) as [Tensor, Tensor, Tensor];
    heads.dispose();
    const attended = scaledDotProductAttention(q, k, v, { dropout: this.dropout, training: this.training });
    for (const t of [q, k, v]) t.dispose();
    const swapped = F.transpose(attended, 1, 2);
    attended.dispose();
    const merged = F.reshape(swapped, [n, l, this.embedDim]);
    swapped.dispose();
    const out = this.out_proj.forward(merged);
    merged.dispose();
    return out;
  }
}
