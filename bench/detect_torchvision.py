"""torchvision's RetinaNet training step, the reference of bench/detect.ts: ResNet-18 body, FPN over
layer2..layer4 (no P6/P7), RetinaNet head with `head_convs` conv blocks, the same anchors, SGD with
momentum; random images (B, 3, S, S) with the same fixed boxes. The model's transform is set so that
it neither resizes nor changes the images (mean 0, std 1). Prints JSON {images_per_second, ms_per_step}.

Usage: python3 detect_torchvision.py SIZE BATCH STEPS WARMUP THREADS FPN_CHANNELS HEAD_CONVS
"""
import json
import sys
import time

import torch
import torchvision
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops.feature_pyramid_network import ExtraFPNBlock


class NoExtraLevels(ExtraFPNBlock):
    # BackboneWithFPN adds a max-pooled level when given None; Vesalius's extra_levels 'none' has none
    def forward(self, results, x, names):
        return results, names


size, batch, steps, warmup, threads, ch, convs = map(int, sys.argv[1:8])
torch.set_num_threads(threads)
torch.manual_seed(0)
backbone = BackboneWithFPN(torchvision.models.resnet18(), {'layer2': '0', 'layer3': '1', 'layer4': '2'},
                           [128, 256, 512], ch, extra_blocks=NoExtraLevels())
anchors = AnchorGenerator(((16, 23), (32, 45), (64, 90)), ((0.75, 1.0, 1.33),) * 3)
head = RetinaNetHead(ch, anchors.num_anchors_per_location()[0], 3)
for i in range(4 - convs):
    del head.classification_head.conv[len(head.classification_head.conv) - 1]
    del head.regression_head.conv[len(head.regression_head.conv) - 1]
model = RetinaNet(backbone, 3, anchor_generator=anchors, head=head, min_size=size, max_size=size,
                  image_mean=[0.0, 0.0, 0.0], image_std=[1.0, 1.0, 1.0])
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
boxes = json.loads(sys.stdin.read())
images = [torch.randn(3, size, size) for _ in range(batch)]
targets = [{'boxes': torch.tensor(b['boxes'], dtype=torch.float32).view(-1, 4), 'labels': torch.tensor(b['labels'])} for b in boxes]
times = []
for s in range(warmup + steps):
    t0 = time.perf_counter()
    losses = model(images, targets)
    loss = sum(losses.values())
    opt.zero_grad()
    loss.backward()
    opt.step()
    if s >= warmup:
        times.append(time.perf_counter() - t0)
times.sort()
median = times[len(times) // 2]
print(json.dumps({'images_per_second': batch / median, 'ms_per_step': median * 1000}))
