"""torchvision's RetinaNet / FCOS as the reference for Vesalius's detector: builds the model described
in the input file's metadata (ResNet-18 body, FPN over layer2..layer4 with P6/P7, the given anchors),
loads the state dict strictly by name, and writes for the stored input: the anchors, the head outputs,
the training losses for the stored targets, and the eval-mode detections.

Usage: python3 torchvision_detection.py IN.safetensors OUT.safetensors
metadata: {"kind": "retinanet"|"fcos", "num_classes", "fpn_channels", "sizes": [[..]], "ratios": [..],
           "targets": [{"boxes": [[x1,y1,x2,y2]..], "labels": [..]}], "score_thresh", "nms_thresh"}
"""
import json
import os
import sys
from collections import OrderedDict

import torch
import torchvision
from torchvision.models.detection import FCOS, RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.image_list import ImageList
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

sys.path.insert(0, os.path.dirname(__file__))
from torch_safetensors import load, save  # noqa: E402

tensors, meta = load(sys.argv[1])
m = json.loads(meta['config'])
x = tensors.pop('input')
ch = m['fpn_channels']
backbone = BackboneWithFPN(torchvision.models.resnet18(), {'layer2': '0', 'layer3': '1', 'layer4': '2'},
                           [128, 256, 512], ch, extra_blocks=LastLevelP6P7(ch, ch))
if m['kind'] == 'fcos':
    anchors = AnchorGenerator(((8,), (16,), (32,), (64,), (128,)), ((1.0,),) * 5)
    model = FCOS(backbone, m['num_classes'], anchor_generator=anchors, score_thresh=m['score_thresh'],
                 nms_thresh=m['nms_thresh'])
else:
    anchors = AnchorGenerator(tuple(tuple(s) for s in m['sizes']), (tuple(m['ratios']),) * len(m['sizes']))
    model = RetinaNet(backbone, m['num_classes'], anchor_generator=anchors, score_thresh=m['score_thresh'],
                      nms_thresh=m['nms_thresh'])
model = model.double()
model.load_state_dict(tensors, strict=True)
model.eval()
sizes = [tuple(x.shape[-2:])] * x.shape[0]
images = ImageList(x, sizes)
with torch.no_grad():
    features = list(model.backbone(x).values())
    head = model.head(features)
    anchor_list = model.anchor_generator(images, features)
    targets = [{'boxes': torch.tensor(t['boxes'], dtype=torch.float64).view(-1, 4),
                'labels': torch.tensor(t['labels'], dtype=torch.int64)} for t in m['targets']]
    losses = model.compute_loss(targets, head, anchor_list) if m['kind'] == 'retinanet' else \
        model.compute_loss(targets, head, anchor_list, [f.size(2) * f.size(3) for f in features])
    split = [f.size(2) * f.size(3) * (anchors.num_anchors_per_location()[0]) for f in features]
    per_level = {k: list(v.split(split, dim=1)) for k, v in head.items()}
    anchors_per_level = [list(a.split(split)) for a in anchor_list]
    dets = model.postprocess_detections(per_level, anchors_per_level, sizes)
out = {'anchors': anchor_list[0], 'cls': head['cls_logits'], 'reg': head['bbox_regression']}
for k, v in losses.items():
    out['loss_' + k] = v.reshape(1)
for i, d in enumerate(dets):
    out[f'det{i}_boxes'] = d['boxes']
    out[f'det{i}_scores'] = d['scores']
    out[f'det{i}_labels'] = d['labels']
save(sys.argv[2], {k: v.contiguous() for k, v in out.items()})
