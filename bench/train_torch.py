"""PyTorch side of bench/train.ts: the same training loop (2D PlainConvUNet as nnU-Net builds it,
instance norm + LeakyReLU, strided-conv down-sampling, transposed-conv up-sampling; Dice (no
background, smooth 1e-5) + CE; Adam) on random 2D cases, batches made by a DataLoader worker
process (one thread) with nnU-Net-like augmentation done in torch: grid_sample crop with rotation
p 0.2 / scaling p 0.2, noise p 0.1, blur p 0.2, brightness p 0.15, contrast p 0.15, low resolution
p 0.25, gamma p 0.3, mirroring p 0.5 per axis. Prints one JSON line.

  /usr/bin/python3 bench/train_torch.py --threads 2 --batch 8 --patch 128 --steps 20 --features 16,32,64,128
"""
import argparse, json, math, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=2)
p.add_argument('--batch', type=int, default=8)
p.add_argument('--patch', type=int, default=128)
p.add_argument('--image', type=int, default=256)
p.add_argument('--cases', type=int, default=8)
p.add_argument('--steps', type=int, default=20)
p.add_argument('--warmup', type=int, default=3)
p.add_argument('--features', default='16,32,64,128')
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
features = [int(f) for f in a.features.split(',')]


def block(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.InstanceNorm2d(cout, eps=1e-5, affine=True), nn.LeakyReLU(0.01, inplace=True))


class UNet(nn.Module):
    def __init__(self, cin, classes, feats):
        super().__init__()
        self.enc = nn.ModuleList()
        c = cin
        for s, f in enumerate(feats):
            self.enc.append(nn.Sequential(block(c, f, 1 if s == 0 else 2), block(f, f, 1)))
            c = f
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for s in range(len(feats) - 1, 0, -1):
            self.up.append(nn.ConvTranspose2d(feats[s], feats[s - 1], 2, 2))
            self.dec.append(nn.Sequential(block(2 * feats[s - 1], feats[s - 1], 1), block(feats[s - 1], feats[s - 1], 1)))
        self.head = nn.Conv2d(feats[0], classes, 1)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
        x = skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([up(x), skips.pop()], 1))
        return self.head(x)


def dice_ce(logits, target):
    ce = F.cross_entropy(logits, target[:, 0].long())
    probs = logits.softmax(1)
    onehot = F.one_hot(target[:, 0].long(), logits.shape[1]).permute(0, 3, 1, 2).float()
    dims = (2, 3)
    inter = (probs * onehot).sum(dims)
    denom = probs.sum(dims) + onehot.sum(dims)
    dice = (2 * inter + 1e-5) / (denom + 1e-5)
    return ce + (1 - dice[:, 1:].mean())


class Patches(torch.utils.data.IterableDataset):
    def __init__(self):
        g = torch.Generator().manual_seed(1)
        self.images = torch.randn(a.cases, 1, a.image, a.image, generator=g)
        self.labels = torch.randint(0, 2, (a.cases, 1, a.image, a.image), generator=g).float()

    def sample(self, r):
        c = int(torch.randint(a.cases, (1,)))
        ang = (torch.rand(1).item() * 2 - 1) * math.pi if torch.rand(1).item() < 0.2 else 0.0
        sc = 0.7 + 0.7 * torch.rand(1).item() if torch.rand(1).item() < 0.2 else 1.0
        centre = (torch.rand(2) * 2 - 1) * (1 - a.patch / a.image)
        ratio = a.patch / a.image * sc
        theta = torch.tensor([[math.cos(ang) * ratio, -math.sin(ang) * ratio, centre[0]], [math.sin(ang) * ratio, math.cos(ang) * ratio, centre[1]]]).unsqueeze(0)
        grid = F.affine_grid(theta, [1, 1, a.patch, a.patch], align_corners=False)
        img = F.grid_sample(self.images[c:c + 1], grid, 'bilinear', 'zeros', align_corners=False)[0]
        lab = F.grid_sample(self.labels[c:c + 1], grid, 'nearest', 'zeros', align_corners=False)[0]
        if torch.rand(1).item() < 0.1:
            img = img + torch.randn_like(img) * math.sqrt(torch.rand(1).item() * 0.1)
        if torch.rand(1).item() < 0.2:
            s = 0.5 + 0.5 * torch.rand(1).item()
            k = torch.exp(-0.5 * (torch.arange(-3, 4).float() / s) ** 2)
            k = k / k.sum()
            img = F.conv2d(F.conv2d(img[None], k.view(1, 1, 1, 7), padding=(0, 3)), k.view(1, 1, 7, 1), padding=(3, 0))[0]
        if torch.rand(1).item() < 0.15:
            img = img * (0.75 + 0.5 * torch.rand(1).item())
        if torch.rand(1).item() < 0.15:
            m = img.mean()
            img = (img - m) * (0.75 + 0.5 * torch.rand(1).item()) + m
        if torch.rand(1).item() < 0.25:
            z = 0.5 + 0.5 * torch.rand(1).item()
            small = F.interpolate(img[None], scale_factor=z, mode='nearest')
            img = F.interpolate(small, size=(a.patch, a.patch), mode='bicubic', align_corners=False)[0]
        if torch.rand(1).item() < 0.3:
            mn, rng, m, sd = img.min(), img.max() - img.min(), img.mean(), img.std()
            img = ((img - mn) / (rng + 1e-7)) ** (0.7 + 0.8 * torch.rand(1).item()) * rng + mn
            img = (img - img.mean()) / (img.std() + 1e-8) * sd + m
        for ax in (1, 2):
            if torch.rand(1).item() < 0.5:
                img, lab = img.flip(ax), lab.flip(ax)
        return img, lab

    def __iter__(self):
        torch.set_num_threads(1)
        while True:
            s = [self.sample(i) for i in range(a.batch)]
            yield torch.stack([x for x, _ in s]), torch.stack([y for _, y in s])


def main():
    model = UNet(1, 2, features)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = iter(torch.utils.data.DataLoader(Patches(), batch_size=None, num_workers=1, prefetch_factor=4, persistent_workers=True))
    wait = 0.0
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            t0 = time.perf_counter()
            wait = 0.0
        w0 = time.perf_counter()
        x, y = next(loader)
        wait += time.perf_counter() - w0
        opt.zero_grad()
        loss = dice_ce(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
    seconds = time.perf_counter() - t0
    print(json.dumps({'images_per_second': a.steps * a.batch / seconds, 'ms_per_step': 1000 * seconds / a.steps, 'data_wait_seconds': wait, 'seconds': seconds, 'torch': torch.__version__, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
