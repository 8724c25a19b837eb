"""PyTorch twin of bench/infer.ts: the same 3D U-Net (nnU-Net PlainConvUNet layout and parameter names,
so Vesalius's safetensors weights load by name with strict=True) and the same sliding-window inference
(the windows and Gaussian map are read from the file bench/infer.ts wrote, so both sides weight
identically): windows batched, softmax per window, mirroring TTA over every flip combination, Gaussian-
weighted accumulation into one preallocated tensor, division by the summed weights.
Prints one JSON line. Run with Debian's /usr/bin/python3 (python3-torch: the same libtorch as Vesalius).
"""
import argparse
import itertools
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'helpers'))
from torch_safetensors import load, save  # noqa: E402


class ConvNormAct(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, 3, stride=stride, padding=1)
        self.norm = nn.InstanceNorm3d(cout, eps=1e-5, affine=True)
        self.nonlin = nn.LeakyReLU(0.01, inplace=True)

    def forward(self, x):
        return self.nonlin(self.norm(self.conv(x)))


class StackedConvBlocks(nn.Module):
    def __init__(self, count, cin, cout, stride):
        super().__init__()
        self.convs = nn.Sequential(*[ConvNormAct(cin if i == 0 else cout, cout, stride if i == 0 else 1) for i in range(count)])

    def forward(self, x):
        return self.convs(x)


class Encoder(nn.Module):
    def __init__(self, cin, features):
        super().__init__()
        stages = []
        for i, f in enumerate(features):
            stages.append(nn.Sequential(StackedConvBlocks(2, cin, f, 1 if i == 0 else 2)))
            cin = f
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        skips = []
        for s in self.stages:
            x = s(x)
            skips.append(x)
        return skips


class Decoder(nn.Module):
    def __init__(self, features, classes):
        super().__init__()
        n = len(features)
        self.stages = nn.ModuleList()
        self.transpconvs = nn.ModuleList()
        self.seg_layers = nn.ModuleList()
        for level in range(1, n):
            below, skip = features[n - level], features[n - level - 1]
            self.transpconvs.append(nn.ConvTranspose3d(below, skip, 2, stride=2))
            self.stages.append(StackedConvBlocks(2, 2 * skip, skip, 1))
            self.seg_layers.append(nn.Conv3d(skip, classes, 1))

    def forward(self, skips):
        x = skips[-1]
        for level in range(len(self.stages)):
            x = self.stages[level](torch.cat([self.transpconvs[level](x), skips[-2 - level]], 1))
        return self.seg_layers[-1](x)


class UNet(nn.Module):
    def __init__(self, cin, classes, features):
        super().__init__()
        self.encoder = Encoder(cin, features)
        self.decoder = Decoder(features, classes)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def sliding_window(model, image, gaussian, windows, patch, batch, flips):
    classes = model.decoder.seg_layers[-1].out_channels
    spatial = image.shape[2:]
    sums = torch.zeros((1, classes) + tuple(spatial))
    weights = torch.zeros((1, 1) + tuple(spatial))
    g = gaussian[None, None]
    for b0 in range(0, len(windows), batch):
        starts = windows[b0:b0 + batch]
        x = torch.cat([image[:, :, s[0]:s[0] + patch[0], s[1]:s[1] + patch[1], s[2]:s[2] + patch[2]] for s in starts], 0)
        probs = None
        for axes in flips:
            xi = torch.flip(x, axes) if axes else x
            logits = model(xi)
            if axes:
                logits = torch.flip(logits, axes)
            p = torch.softmax(logits, 1)
            probs = p if probs is None else probs.add_(p)
        if len(flips) > 1:
            probs.div_(len(flips))
        probs.mul_(g)
        for n, s in enumerate(starts):
            sl = (slice(None), slice(None), slice(s[0], s[0] + patch[0]), slice(s[1], s[1] + patch[1]), slice(s[2], s[2] + patch[2]))
            sums[sl].add_(probs[n:n + 1])
            weights[sl].add_(g)
    return sums.div_(weights)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--weights', required=True)
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--repeats', type=int, default=1)
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--mirror', action='store_true')
    ap.add_argument('--features', required=True)
    ap.add_argument('--out', default='')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    features = [int(f) for f in a.features.split(',')]
    data, _ = load(a.data)
    image, gaussian, windows = data['input'], data['gaussian'], data['windows'].tolist()
    patch = list(gaussian.shape)
    model = UNet(image.shape[1], 2, features)
    model.load_state_dict(load(a.weights)[0], strict=True)
    model.eval()
    flips = [list(c) for r in range(4) for c in itertools.combinations([2, 3, 4], r)] if a.mirror else [[]]
    times = []
    out = None
    with torch.no_grad():
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            out = sliding_window(model, image, gaussian, windows, patch, a.batch, flips)
            times.append(time.perf_counter() - t0)
    if a.out:
        save(a.out, {'probabilities': out.contiguous()})
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'times': times, 'peakRssMiB': rss, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
