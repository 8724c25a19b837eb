"""PyTorch side of bench/classify.ts: training images per second of torchvision's ResNet-18 (2D, with
the small 3×3/1 stem for 28×28 inputs when asked) or the same network with 3D layers, Adam, cross-entropy,
on a fixed random batch. Prints one JSON line.

Usage: python3 classify_torch.py DIMS SIZE BATCH STEPS WARMUP THREADS STEM
"""
import json
import sys
import time

import torch
import torchvision

sys.path.insert(0, __file__.rsplit('/', 2)[0] + '/test/helpers')
from torchvision_classifier import to_3d  # noqa: E402

dims, size, batch, steps, warmup, threads = map(int, sys.argv[1:7])
stem = sys.argv[7]
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=2)
if stem == 'small':
    model.conv1 = torch.nn.Conv2d(1, 64, 3, 1, 1, bias=False)
    model.maxpool = torch.nn.Identity()
else:
    model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
if dims == 3:
    to_3d(model)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(batch, 1, *([size] * dims))
y = torch.randint(0, 2, (batch,))
model.train()
times = []
for i in range(warmup + steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    if i >= warmup:
        times.append(time.perf_counter() - t0)
times.sort()
median = times[len(times) // 2]
print(json.dumps({'images_per_second': batch / median, 'ms_per_step': median * 1000}))
