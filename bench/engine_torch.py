"""PyTorch twin of bench/engine.ts: the same reference U-Net, loss, optimizer and batch, timed the same way.
Prints one JSON line. Run with Debian's /usr/bin/python3 (python3-torch, the same libtorch as Vesalius)."""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU())


class ReferenceUNet2d(nn.Module):
    def __init__(self, cin=1, cout=1, f=(16, 32, 64)):
        super().__init__()
        self.enc1 = double_conv(cin, f[0])
        self.enc2 = double_conv(f[0], f[1])
        self.bottleneck = double_conv(f[1], f[2])
        self.up2 = nn.ConvTranspose2d(f[2], f[1], 2, stride=2)
        self.dec2 = double_conv(2 * f[1], f[1])
        self.up1 = nn.ConvTranspose2d(f[1], f[0], 2, stride=2)
        self.dec1 = double_conv(2 * f[0], f[0])
        self.head = nn.Conv2d(f[0], cout, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        s1 = self.enc1(x)
        s2 = self.enc2(self.pool(s1))
        b = self.bottleneck(self.pool(s2))
        d2 = self.dec2(torch.cat([self.up2(b), s2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), s1], 1))
        return self.head(d1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--channels-last', action='store_true')
    ap.add_argument('--bf16', action='store_true')
    ap.add_argument('--infer-steps', type=int, default=None, help='inference repetitions (default: warmup + steps)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = ReferenceUNet2d().to(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.randn(a.batch, 1, a.size, a.size).contiguous(memory_format=fmt)
    y = (torch.rand(a.batch, 1, a.size, a.size) > 0.5).float()

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=a.bf16):
            out = model(x)
        loss = loss_fn(out.float(), y)
        loss.backward()
        opt.step()
        return loss.item()

    times = []
    cpu_times = []
    losses = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        losses.append(step())
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu_times.append((time.process_time() - c0) * 1000)
    model.eval()
    infer = []
    with torch.no_grad():
        n_infer = a.warmup + a.steps if a.infer_steps is None else a.infer_steps
        for i in range(n_infer):
            t0 = time.perf_counter()
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=a.bf16):
                out = model(x)
            out.float().sum().item()
            if i >= a.warmup or a.infer_steps is not None:
                infer.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        'stepMs': statistics.median(times), 'stepCpuMs': statistics.median(cpu_times), 'inferMs': statistics.median(infer),
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'firstLoss': losses[0], 'lastLoss': losses[-1], 'threads': torch.get_num_threads(),
        'params': sum(p.numel() for p in model.parameters()),
        'losses': losses, 'stateDictKeys': list(model.state_dict().keys()),
    }))


if __name__ == '__main__':
    main()
