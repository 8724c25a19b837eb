"""PyTorch twin of bench/unet.ts: nnU-Net's PlainConvUNet (the same configuration as Vesalius' default
2D UNet) with Dice+CE, forward and backward timed separately. Prints one JSON line.

    /usr/bin/python3 bench/unet_torch.py --threads 2 --batch 8 --size 128 --steps 10 --warmup 2
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
for name, default in [('threads', 2), ('batch', 8), ('size', 128), ('steps', 10), ('warmup', 2), ('classes', 2), ('dims', 2), ('channels', 1)]:
    p.add_argument('--' + name, type=int, default=default)
p.add_argument('--features', default='')
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


CONV = nn.Conv2d if a.dims == 2 else nn.Conv3d
NORM = nn.InstanceNorm2d if a.dims == 2 else nn.InstanceNorm3d
TCONV = nn.ConvTranspose2d if a.dims == 2 else nn.ConvTranspose3d


def block(cin, cout, stride):
    return nn.Sequential(CONV(cin, cout, 3, stride, 1), NORM(cout, affine=True), nn.LeakyReLU(0.01))


class PlainConvUNet(nn.Module):
    def __init__(self, cin, classes, features):
        super().__init__()
        self.enc = nn.ModuleList()
        c = cin
        for i, f in enumerate(features):
            self.enc.append(nn.Sequential(block(c, f, 1 if i == 0 else 2), block(f, f, 1)))
            c = f
        self.up, self.dec = nn.ModuleList(), nn.ModuleList()
        for i in range(len(features) - 1, 0, -1):
            self.up.append(TCONV(features[i], features[i - 1], 2, 2))
            self.dec.append(nn.Sequential(block(2 * features[i - 1], features[i - 1], 1), block(features[i - 1], features[i - 1], 1)))
        self.head = CONV(features[0], classes, 1)

    def forward(self, x):
        skips = []
        for s in self.enc:
            x = s(x)
            skips.append(x)
        x = skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([up(x), skips.pop()], 1))
        return self.head(x)


def dice_ce(logits, labels):
    ce = F.cross_entropy(logits, labels[:, 0].long())
    p = logits.softmax(1)[:, 1:]
    onehot = torch.zeros_like(logits).scatter_(1, labels.long(), 1)[:, 1:]
    dims = tuple(range(2, logits.dim()))
    dice = (2 * (p * onehot).sum(dims) + 1e-5) / torch.clip(p.sum(dims) + onehot.sum(dims) + 1e-5, 1e-8)
    return ce + (1 - dice).mean()


features = [int(f) for f in a.features.split(',')] if a.features else [min(32 * 2 ** s, 512 if a.dims == 2 else 320) for s in range(5)]
net = PlainConvUNet(a.channels, a.classes, features)
spatial = (a.size,) * a.dims
x = torch.randn(a.batch, a.channels, *spatial)
y = torch.randint(0, a.classes, (a.batch, 1) + spatial)
fwd, bwd = [], []
for step in range(a.warmup + a.steps):
    net.zero_grad(set_to_none=True)
    t0 = time.perf_counter()
    loss = dice_ce(net(x), y)
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    if step >= a.warmup:
        fwd.append((t1 - t0) * 1e3)
        bwd.append((t2 - t1) * 1e3)
fwd.sort(); bwd.sort()
print(json.dumps({'impl': 'pytorch', 'threads': torch.get_num_threads(), 'params': sum(q.numel() for q in net.parameters()),
                  'forwardMs': fwd[len(fwd) // 2], 'backwardMs': bwd[len(bwd) // 2]}))
