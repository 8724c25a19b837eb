"""torchvision's classification networks as the reference for Vesalius's: builds the model named in the
input file's metadata, loads the state dict from it strictly (so every name must match), runs the
stored input and writes the logits (and, for ResNets, the outputs of layer1..layer4).

3D: torchvision has 2D models only; the 3D reference is the same model with every 2D layer swapped for
its 3D counterpart (Conv2d -> Conv3d, BatchNorm2d -> BatchNorm3d, pools likewise), names unchanged.

Usage: python3 torchvision_classifier.py IN.safetensors OUT.safetensors
metadata: {"arch": "resnet18"|"resnet50"|"densenet121"|"vgg16_bn"|"vit", "dims": "2"|"3",
           "in_channels", "num_classes", "stem": "imagenet"|"small", "mode": "eval"|"train", "vit": json}
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from torch_safetensors import load, save  # noqa: E402


def to_3d(module):
    for name, child in list(module.named_children()):
        new = None
        if isinstance(child, torch.nn.Conv2d):
            new = torch.nn.Conv3d(child.in_channels, child.out_channels, child.kernel_size[0], child.stride[0],
                                  child.padding[0], bias=child.bias is not None)
        elif isinstance(child, torch.nn.BatchNorm2d):
            new = torch.nn.BatchNorm3d(child.num_features)
        elif isinstance(child, torch.nn.MaxPool2d):
            new = torch.nn.MaxPool3d(child.kernel_size, child.stride, child.padding)
        elif isinstance(child, torch.nn.AvgPool2d):
            new = torch.nn.AvgPool3d(child.kernel_size, child.stride)
        elif isinstance(child, torch.nn.AdaptiveAvgPool2d):
            size = child.output_size
            new = torch.nn.AdaptiveAvgPool3d(size if isinstance(size, int) else size[0])
        if new is not None:
            setattr(module, name, new)
        else:
            to_3d(child)
    return module


def build(meta):
    arch = meta['arch']
    classes = int(meta['num_classes'])
    channels = int(meta['in_channels'])
    if arch.startswith('resnet'):
        model = getattr(torchvision.models, arch)(num_classes=classes)
        if meta.get('stem') == 'small':
            model.conv1 = torch.nn.Conv2d(channels, model.conv1.out_channels, 3, 1, 1, bias=False)
            model.maxpool = torch.nn.Identity()
        else:
            model.conv1 = torch.nn.Conv2d(channels, model.conv1.out_channels, 7, 2, 3, bias=False)
    elif arch == 'densenet121':
        model = torchvision.models.densenet121(num_classes=classes)
        model.features.conv0 = torch.nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    elif arch == 'vgg16_bn':
        model = torchvision.models.vgg16_bn(num_classes=classes)
        model.features[0] = torch.nn.Conv2d(channels, 64, 3, 1, 1)
    elif arch == 'vit':
        v = json.loads(meta['vit'])
        model = torchvision.models.VisionTransformer(
            image_size=v['image_size'], patch_size=v['patch_size'], num_layers=v['num_layers'],
            num_heads=v['num_heads'], hidden_dim=v['hidden_dim'], mlp_dim=v['mlp_dim'], num_classes=classes)
        if channels != 3:
            model.conv_proj = torch.nn.Conv2d(channels, v['hidden_dim'], v['patch_size'], v['patch_size'])
    else:
        raise SystemExit(f'unknown arch {arch}')
    if meta.get('dims') == '3':
        to_3d(model)
    return model.double()


def main():
    tensors, meta = load(sys.argv[1])
    x = tensors.pop('input')
    model = build(meta)
    model.load_state_dict(tensors, strict=True)
    model.train(meta.get('mode') == 'train')
    out = {}
    if meta['arch'].startswith('resnet'):
        for i in range(1, 5):
            getattr(model, f'layer{i}').register_forward_hook(
                lambda m, inp, o, i=i: out.__setitem__(f'layer{i}', o.detach().clone()))
    with torch.no_grad():
        out['logits'] = model(x)
    if meta.get('mode') == 'train':
        # running statistics after one training-mode batch
        for name, t in model.state_dict().items():
            if name.endswith('running_mean') or name.endswith('running_var'):
                out[f'state.{name}'] = t
    save(sys.argv[2], out)


if __name__ == "__main__":
    main()
