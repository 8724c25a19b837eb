"""torchvision's classification networks as the reference for Vesalius's: builds the model named in the
input file's metadata, loads the state dict from it strictly (so every name must match), runs the
stored input and writes the logits (and, for ResNets, the outputs of layer1..layer4).

3D: torchvision has 2D models only; the 3D reference is the same model with every 2D layer swapped for
its 3D counterpart (Conv2d -> Conv3d, BatchNorm2d -> BatchNorm3d, pools likewise), names unchanged.

DenseNet's forward pools with adaptive_avg_pool2d and the ViT's patch embedding reshapes to 2D, so
in 3D those two run their own forward here (the same steps in 3D); VGG's 3D pool size is "pool".
The 'small' stem: ResNet/DenseNet get a 3x3/1 first convolution and no max-pool, VGG loses its last
max-pool. With "cam_layer", Grad-CAM of class "cam_class" at that module is computed with torch's
autograd (transformer tokens laid on the patch grid) and written as "cam".

Usage: python3 torchvision_classifier.py IN.safetensors OUT.safetensors
metadata: {"arch": "resnet18"|"resnet50"|"densenet121"|"vgg16_bn"|"vit", "dims": "2"|"3",
           "in_channels", "num_classes", "stem": "imagenet"|"small", "mode": "eval"|"train", "vit": json,
           "pool", "hidden", "dtype": "float64"|"float32", "cam_layer", "cam_class"}
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
        if meta.get('stem') == 'small':
            model.features.conv0 = torch.nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
            model.features.pool0 = torch.nn.Identity()
        else:
            model.features.conv0 = torch.nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    elif arch == 'vgg16_bn':
        model = torchvision.models.vgg16_bn(num_classes=classes)
        model.features[0] = torch.nn.Conv2d(channels, 64, 3, 1, 1)
        if meta.get('stem') == 'small':
            model.features = model.features[:-1]
        if 'hidden' in meta:  # narrower hidden layers (torchvision's are 4096 wide)
            h = int(meta['hidden'])
            model.classifier[0] = torch.nn.Linear(model.classifier[0].in_features, h)
            model.classifier[3] = torch.nn.Linear(h, h)
            model.classifier[6] = torch.nn.Linear(h, classes)
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
        three_d_forward(model, meta)
    return model.to(torch.float32 if meta.get('dtype') == 'float32' else torch.float64)


def three_d_forward(model, meta):
    """The steps of DenseNet's and the ViT's forward that torchvision writes for 2D only, in 3D."""
    arch = meta['arch']
    if arch == 'densenet121':
        def forward(x):
            out = torch.nn.functional.relu(model.features(x))
            return model.classifier(torch.flatten(torch.nn.functional.adaptive_avg_pool3d(out, 1), 1))
        model.forward = forward
    elif arch == 'vgg16_bn':
        pool = int(meta.get('pool', '1'))
        model.avgpool = torch.nn.AdaptiveAvgPool3d(pool)
        model.classifier[0] = torch.nn.Linear(512 * pool ** 3, model.classifier[0].out_features)
    elif arch == 'vit':
        v = json.loads(meta['vit'])
        grid = v['image_size'] // v['patch_size']
        model.seq_length = grid ** 3 + 1
        model.encoder.pos_embedding = torch.nn.Parameter(torch.zeros(1, grid ** 3 + 1, v['hidden_dim']))
        model._process_input = lambda x: model.conv_proj(x).flatten(2).permute(0, 2, 1)


def grad_cam(model, x, meta):
    """Grad-CAM at meta['cam_layer'] for class meta['cam_class'] with torch's autograd."""
    store = {}

    def hook(module, inputs, output):
        # the layer's own output, kept apart from what follows: torchvision's DenseNet applies an in-place
        # ReLU to features.norm5's output, which would otherwise overwrite it (and redirect its gradient)
        output.retain_grad()
        store['a'] = output
        return output.clone()

    handle = model.get_submodule(meta['cam_layer']).register_forward_hook(hook)
    with torch.enable_grad():
        logits = model(x)
        logits[0, int(meta['cam_class'])].backward()
    handle.remove()
    a, g = store['a'].detach(), store['a'].grad
    if a.dim() == 3:  # tokens (N, 1 + L, E) -> (N, E, grid...)
        side = round((a.shape[1] - 1) ** (1 / (int(meta['dims']))))
        shape = (a.shape[0], a.shape[2]) + (side,) * int(meta['dims'])
        a, g = (t[:, 1:, :].permute(0, 2, 1).reshape(shape) for t in (a, g))
    weights = g.mean(dim=tuple(range(2, a.dim())), keepdim=True)
    return torch.relu((weights * a).sum(dim=1))


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
    if 'cam_layer' in meta:
        out['cam'] = grad_cam(model, x, meta)
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
