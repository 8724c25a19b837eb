/**
 * Generalised-IoU loss on tensors (torchvision.ops.generalized_box_iou_loss, 2D and 3D): 1 − GIoU of
 * each predicted box with its target, rows (M, 2·dims) in the corners layout; differentiable in both.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';

/** 1 − GIoU per row of predicted and target boxes (M, 2·dims). */
export function generalizedIouLoss(pred: Tensor, target: Tensor, dims: 2 | 3, eps = 1e-7): Tensor {
  return ve.tidy(() => {
    const lo = (t: Tensor) => ve.slice(t, 1, 0, dims),
      hi = (t: Tensor) => ve.slice(t, 1, dims, 2 * dims);
    const size = (l: Tensor, h: Tensor) => ve.prod(ve.clamp(ve.sub(h, l), 0), { dim: 1 });
    const inter = size(ve.maximum(lo(pred), lo(target)), ve.minimum(hi(pred), hi(target)));
    const union = ve.sub(ve.add(size(lo(pred), hi(pred)), size(lo(target), hi(target))), inter);
    const iou = ve.div(inter, ve.add(union, eps));
    const hull = size(ve.minimum(lo(pred), lo(target)), ve.maximum(hi(pred), hi(target)));
    return ve.add(ve.sub(1, iou), ve.div(ve.sub(hull, union), ve.add(hull, eps)));
  });
}
