"""nnU-Net's PlainConvUNet (dynamic_network_architectures) written out in PyTorch with the same module
structure and therefore the same state-dict names, for cross-checking Vesalius' UNet. Only what the
test needs: conv → instance norm (affine) → leaky ReLU blocks, strided-conv down-sampling, transposed
convolutions with kernel = stride, skip concatenation (up-sampled first), a 1×1 head per decoder level.

Usage: python3 plain_conv_unet.py IN.safetensors OUT.safetensors
IN holds the network's state dict plus an `input` tensor; its metadata `config` is Vesalius' resolved
UNetConfig (JSON). OUT receives `out0`, `out1`, ... (deep-supervision outputs, full resolution first).
"""
import json
import sys

import torch
import torch.nn as nn

from torch_safetensors import load, save


class ConvDropoutNormReLU(nn.Module):
    def __init__(self, dims, cin, cout, kernel, stride):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        norm = nn.InstanceNorm2d if dims == 2 else nn.InstanceNorm3d
        self.conv = conv(cin, cout, kernel, stride, padding=[(k - 1) // 2 for k in kernel], bias=True)
        self.norm = norm(cout, eps=1e-5, affine=True)
        self.nonlin = nn.LeakyReLU(0.01)

    def forward(self, x):
        return self.nonlin(self.norm(self.conv(x)))


class StackedConvBlocks(nn.Module):
    def __init__(self, n, dims, cin, cout, kernel, first_stride):
        super().__init__()
        self.convs = nn.Sequential(*[ConvDropoutNormReLU(dims, cin if i == 0 else cout, cout, kernel, first_stride if i == 0 else 1) for i in range(n)])

    def forward(self, x):
        return self.convs(x)


class PlainConvEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        stages, cin = [], c['inChannels']
        for s, f in enumerate(c['features']):
            stages.append(nn.Sequential(StackedConvBlocks(c['convsPerStage'][s], c['spatialDims'], cin, f, c['kernelSizes'][s], c['strides'][s])))
            cin = f
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        skips = []
        for s in self.stages:
            x = s(x)
            skips.append(x)
        return skips


class UNetDecoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        dims, f, n = c['spatialDims'], c['features'], len(c['features'])
        tconv = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        stages, transpconvs, seg_layers = [], [], []
        for s in range(1, n):
            below, skip, stride = f[-s], f[-(s + 1)], c['strides'][-s]
            transpconvs.append(tconv(below, skip, stride, stride, bias=True))
            stages.append(StackedConvBlocks(c['convsPerDecoderStage'][s - 1], dims, 2 * skip, skip, c['kernelSizes'][-(s + 1)], 1))
            seg_layers.append(conv(skip, c['numClasses'], 1, 1, 0, bias=True))
        self.stages = nn.ModuleList(stages)
        self.transpconvs = nn.ModuleList(transpconvs)
        self.seg_layers = nn.ModuleList(seg_layers)

    def forward(self, skips):
        lres, outs = skips[-1], []
        for s in range(len(self.stages)):
            x = torch.cat((self.transpconvs[s](lres), skips[-(s + 2)]), 1)
            x = self.stages[s](x)
            outs.append(self.seg_layers[s](x))
            lres = x
        return outs[::-1]


class PlainConvUNet(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.encoder = PlainConvEncoder(c)
        self.decoder = UNetDecoder(c)

    def forward(self, x):
        return self.decoder(self.encoder(x))


if __name__ == '__main__':
    torch.set_num_threads(1)
    tensors, meta = load(sys.argv[1])
    config = json.loads(meta['config'])
    x = tensors.pop('input')
    net = PlainConvUNet(config).to(x.dtype)
    net.load_state_dict(tensors, strict=True)  # the names must be exactly nnU-Net's
    with torch.no_grad():
        outs = net(x)
    save(sys.argv[2], {f'out{i}': o for i, o in enumerate(outs)})
