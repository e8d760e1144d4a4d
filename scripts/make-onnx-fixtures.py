#!/usr/bin/python3
"""Exports the tiny ONNX fixtures of the PyTorch-import tests (issue 10) with PyTorch's own values to compare with.

Run with Debian's python (python3-torch, python3-torchvision; the onnx package is not needed):

    /usr/bin/python3 scripts/make-onnx-fixtures.py --out test/fixtures/onnx

Every fixture is a small network with seeded random weights (batch norm statistics and affine parameters, layer
norms and layer scales included, so that nothing is an identity), exported with torch.onnx.export, in a folder

    <out>/<name>/model.onnx      the exported graph
    <out>/<name>/model.preprocessing.json   the preprocessing it assumes, as `dixw model add --preprocessing` stores it
    <out>/<name>/expected.json   what the export is, the preprocessing it assumes, the module paths used, and per array
                                 its file, shape and layout
    <out>/<name>/*.npy           float32 arrays, NCHW as PyTorch has them (the tests convert to channels-last)

and <out>/index.json lists the fixtures. The expected values are computed in float64 from the same float32 weights,
on a fixed seeded input (batch of 2; image 0 is explained):

  logits          f(x) for both images                                            [2, K]
  input_grad      d f_k / d x for image 0, k = top-1 of image 0                   [1, C, H, W]
  probe_act       the output of the probe module (one named module)              [1, c, h, w] or [1, T, D]
  probe_grad      d f_k / d probe_act                                             same
  gradcam         Grad-CAM at the CAM module: w_c = spatial mean of the gradient, relu(sum_c w_c A_c), bilinear resize
                  to H x W with align_corners=False                               [H, W]
  ig              Integrated Gradients in input space: baseline = a black image (0 in [0, 1] pixel space) through the
                  preprocessing, x'_c = (0 - mean_c) / std_c; N = 10 points t = n/N, n = 1..N;
                  map = sum over colour channels of (x - x')/N * sum_n grad(x' + t_n (x - x'))   [H, W]
  dix3, dix3_l<i> DIX (docs/methods.md §1.2) over the three named block outputs: z = per-channel spatial minimum,
                  r_n = z + n/N (x - z), phi = r * d f_k^l / d r, m^l = channel mean of (x - z)/N * sum_n phi,
                  bilinear resize to H x W; dix3 = mean of the three                [H, W]

f_k^l (the network from the module's output on) is evaluated by a forward hook that replaces the module's output,
which is exact for modules whose output the rest of the network depends on alone (valid cut points).
"""
import argparse
import hashlib
import io
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.convnext import CNBlockConfig, ConvNeXt
from torchvision.models.densenet import DenseNet
from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3
from torchvision.models.resnet import BasicBlock
from torchvision.models.vision_transformer import VisionTransformer

IG_STEPS = 10
DIX_STEPS = 10


# ---------------------------------------------------------------------------------------------------------------------
# The networks


class TinyResNet(nn.Module):
    """torchvision's ResNet layout and module names, two stages: conv1, bn1, relu, maxpool, layer1, layer2, avgpool, fc."""

    def __init__(self, num_classes=5, width=8):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(width, width))
        down = nn.Sequential(nn.Conv2d(width, 2 * width, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(2 * width))
        self.layer2 = nn.Sequential(BasicBlock(width, 2 * width, stride=2, downsample=down))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def tiny_resnet():
    return TinyResNet(num_classes=5, width=8)


def tiny_densenet():
    # 64x64 input: conv0 (stride 2) 32x32, pool0 16x16, denseblock1 16x16, transition1 8x8, denseblock2 8x8.
    return DenseNet(growth_rate=8, block_config=(2, 2), num_init_features=16, bn_size=2, num_classes=4)


def tiny_mobilenet():
    # mobilenet_v3's blocks (depthwise convolutions of stride 1 and 2, squeeze-excitation, Hardswish/Hardsigmoid);
    # the stem has stride 1 here, so that there are three resolutions (32, 16, 8) for DIX3.
    c = lambda *a: InvertedResidualConfig(*a, dilation=1, width_mult=1.0)  # noqa: E731
    setting = [
        c(16, 3, 16, 16, True, 'RE', 1),   # features.1: no expansion, SE, residual, 32x32
        c(16, 3, 32, 24, False, 'HS', 2),  # features.2: 16x16
        c(24, 5, 48, 24, True, 'HS', 1),   # features.3: SE, residual
        c(24, 3, 48, 32, True, 'HS', 2),   # features.4: 8x8
    ]
    m = MobileNetV3(setting, last_channel=64, num_classes=5)
    m.features[0][0].stride = (1, 1)
    return m


def tiny_convnext():
    # convnext's blocks (depthwise 7x7, permute to channels-last, LayerNorm, Linear, GELU, Linear, permute back, layer
    # scale, residual); the stem is 2x2 stride 2 here (not 4x4 stride 4) so that 32x32 gives 16, 8 and 4.
    setting = [CNBlockConfig(16, 24, 1), CNBlockConfig(24, 32, 1), CNBlockConfig(32, None, 1)]
    m = ConvNeXt(setting, stochastic_depth_prob=0.0, layer_scale=1.0, num_classes=4)
    m.features[0][0] = nn.Conv2d(3, 16, kernel_size=2, stride=2, bias=True)
    return m


def tiny_vit():
    return VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=4)


def randomize(model, seed):
    """Seeded weights with nothing left at an identity: convolutions He-normal, linears 1/sqrt(fan_in), batch norm
    statistics and affine parameters, layer norms, layer scales, the ViT's class token and position embedding."""
    g = torch.Generator().manual_seed(seed)

    def u(t, lo, hi):
        with torch.no_grad():
            t.copy_(torch.rand(t.shape, generator=g) * (hi - lo) + lo)

    def n(t, std):
        with torch.no_grad():
            t.copy_(torch.randn(t.shape, generator=g) * std)

    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            fan_in = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
            n(m.weight, (2.0 / fan_in) ** 0.5)
            if m.bias is not None:
                u(m.bias, -0.1, 0.1)
        elif isinstance(m, nn.Linear) or isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            n(m.weight, (1.0 / m.weight.shape[1]) ** 0.5)
            if m.bias is not None:
                u(m.bias, -0.1, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            u(m.weight, 0.6, 1.4)
            u(m.bias, -0.2, 0.2)
            u(m.running_mean, -0.2, 0.2)
            u(m.running_var, 0.6, 1.4)
        elif isinstance(m, nn.LayerNorm):
            u(m.weight, 0.6, 1.4)
            u(m.bias, -0.2, 0.2)
        elif isinstance(m, nn.MultiheadAttention):
            n(m.in_proj_weight, (1.0 / m.in_proj_weight.shape[1]) ** 0.5)
            u(m.in_proj_bias, -0.1, 0.1)
        for pname, p in m.named_parameters(recurse=False):
            if pname == 'layer_scale':
                u(p, 0.2, 1.0)
            elif pname == 'class_token':
                n(p, 0.5)
            elif pname == 'pos_embedding':
                n(p, 0.2)
    return model


# ---------------------------------------------------------------------------------------------------------------------
# What the fixtures are

IMAGENET = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])

FIXTURES = [
    dict(name='tiny-resnet', make=tiny_resnet, seed=11, size=32, opset=13, dynamic=True, training='eval', norm=IMAGENET,
         probe='layer1', cam='layer2', dix=['relu', 'layer1', 'layer2'],
         about='conv+BN+ReLU stem, maxpool, two residual stages (the second with a downsample shortcut), GAP, fc; '
               'eval-mode export: batch norms folded into the convolutions'),
    dict(name='tiny-resnet-bn', make=tiny_resnet, seed=11, size=32, opset=13, dynamic=True, training='preserve',
         norm=IMAGENET, probe='layer1', cam='layer2', dix=['relu', 'layer1', 'layer2'],
         about='the same network and weights as tiny-resnet, exported with training=TrainingMode.PRESERVE (eval mode '
               'kept): BatchNormalization nodes stay in the graph'),
    dict(name='tiny-densenet', make=tiny_densenet, seed=12, size=64, opset=17, dynamic=False, training='eval',
         norm=dict(mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25]),
         probe='features.denseblock1', cam='features', dix=['features.denseblock1', 'features.transition1', 'features'],
         about="torchvision DenseNet (growth 8, blocks (2, 2)): dense blocks with Concat, transition with avgpool, "
               "norm5 then F.relu; fixed batch 1; 'features' is the output of features.norm5 (before the ReLU)"),
    dict(name='tiny-mobilenet', make=tiny_mobilenet, seed=13, size=32, opset=14, dynamic=True, training='eval',
         norm=dict(mean=[0.0], std=[1.0]),
         probe='features.3', cam='features.5', dix=['features.1', 'features.3', 'features.5'],
         about='torchvision MobileNetV3 blocks: depthwise convolutions of stride 1 and 2, squeeze-excitation, '
               'Hardswish/Hardsigmoid, residuals; stem stride 1'),
    dict(name='tiny-convnext', make=tiny_convnext, seed=14, size=32, opset=17, dynamic=False, training='eval',
         norm=IMAGENET, probe='features.3', cam='features.5', dix=['features.1', 'features.3', 'features.5'],
         about='torchvision ConvNeXt blocks (depthwise 7x7, permute, LayerNorm, Linear, GELU, Linear, permute back, '
               'layer scale, residual) and LayerNorm2d downsampling; stem 2x2 stride 2; fixed batch 1'),
    dict(name='tiny-vit', make=tiny_vit, seed=15, size=32, opset=17, dynamic=True, training='eval',
         norm=dict(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]), probe='encoder.layers.encoder_layer_0', cam=None, dix=None,
         about='torchvision VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, '
               'mlp_dim=64, num_classes=4), head re-initialized; opset 17 (LayerNormalization)'),
    dict(name='tiny-vit-op14', make=tiny_vit, seed=15, size=32, opset=14, dynamic=False, training='eval',
         norm=dict(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]), probe='encoder.layers.encoder_layer_0', cam=None, dix=None,
         about='the same ViT and weights as tiny-vit, exported at opset 14 (LayerNorm decomposed) with a fixed batch of 1'),
]


# ---------------------------------------------------------------------------------------------------------------------
# PyTorch's values


def module(model, path):
    return dict(model.named_modules())[path]


def forward_capture(model, path, x):
    """Logits and the module's output, which stays in the autograd graph (a clone goes on, since later in-place ops,
    e.g. DenseNet's F.relu(inplace=True), would otherwise change it)."""
    box = {}

    def hook(_m, _i, out):
        box['a'] = out
        return out.clone()

    h = module(model, path).register_forward_hook(hook)
    try:
        logits = model(x)
    finally:
        h.remove()
    return logits, box['a']


def tail_gradient(model, path, x1, r, k):
    """d f_k^l / d r for a batch of values r of the module's output: the module's output is replaced by r."""
    r = r.detach().requires_grad_(True)

    def hook(_m, _i, _out):
        return r.clone()

    h = module(model, path).register_forward_hook(hook)
    try:
        logits = model(x1.expand(r.shape[0], *x1.shape[1:]))
    finally:
        h.remove()
    return torch.autograd.grad(logits[:, k].sum(), r)[0]


def resize(m, size):
    """[1, 1, h, w] -> [H, W], bilinear, align_corners=False (the workbench skips it when the size already matches)."""
    if m.shape[2:] != (size, size):
        m = F.interpolate(m, size=(size, size), mode='bilinear', align_corners=False)
    return m[0, 0]


def expected_values(model, x, k, spec, baseline):
    size = spec['size']
    out = {}
    x1 = x[:1]
    xg = x1.clone().requires_grad_(True)
    out['input_grad'] = torch.autograd.grad(model(xg)[0, k], xg)[0]

    logits, a = forward_capture(model, spec['probe'], x1)
    out['probe_act'] = a.detach()
    out['probe_grad'] = torch.autograd.grad(logits[0, k], a)[0]

    if spec['cam']:
        logits, a = forward_capture(model, spec['cam'], x1)
        g = torch.autograd.grad(logits[0, k], a)[0]
        w = g.mean(dim=(2, 3), keepdim=True)
        out['gradcam'] = resize(F.relu((w * a.detach()).sum(dim=1, keepdim=True)), size)

    t = (torch.arange(1, IG_STEPS + 1, dtype=x.dtype) / IG_STEPS).view(-1, 1, 1, 1)
    xs = (baseline + t * (x1 - baseline)).requires_grad_(True)
    grads = torch.autograd.grad(model(xs)[:, k].sum(), xs)[0]
    out['ig'] = ((x1 - baseline) / IG_STEPS * grads.sum(dim=0, keepdim=True)).sum(dim=1)[0]

    if spec['dix']:
        maps = []
        for i, path in enumerate(spec['dix']):
            _, a = forward_capture(model, path, x1)
            a = a.detach()
            z = a.amin(dim=(2, 3), keepdim=True)
            t = (torch.arange(1, DIX_STEPS + 1, dtype=x.dtype) / DIX_STEPS).view(-1, 1, 1, 1)
            r = z + t * (a - z)
            g = tail_gradient(model, path, x1, r, k)
            attribution = (a - z) / DIX_STEPS * (r * g).sum(dim=0, keepdim=True)
            m = resize(attribution.mean(dim=1, keepdim=True), size)
            out[f'dix3_l{i}'] = m
            maps.append(m)
        out['dix3'] = sum(maps) / len(maps)
    return out


def make_input(seed, size, norm, batch=2):
    """Seeded smooth-ish images in [0, 1] (a coarse random pattern upsampled, plus fine noise), then (v - mean) / std."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand((batch, 3, size // 8, size // 8), generator=g, dtype=torch.float64)
    img = F.interpolate(coarse, size=(size, size), mode='bilinear', align_corners=False)
    img = (0.8 * img + 0.2 * torch.rand((batch, 3, size, size), generator=g, dtype=torch.float64)).clamp(0, 1)
    img = img.float().double()  # the values the float32 graph sees
    mean = torch.tensor(norm['mean'] * (3 // len(norm['mean'])), dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor(norm['std'] * (3 // len(norm['std'])), dtype=torch.float64).view(1, 3, 1, 1)
    x = ((img - mean) / std).float().double()
    baseline = ((0.0 - mean) / std).float().double().expand(1, 3, size, size).contiguous()
    return x, baseline


# ---------------------------------------------------------------------------------------------------------------------
# Writing


def export(model, spec, x1):
    kwargs = dict(opset_version=spec['opset'], input_names=['input'], output_names=['logits'], do_constant_folding=True)
    if spec['dynamic']:
        kwargs['dynamic_axes'] = {'input': {0: 'batch'}, 'logits': {0: 'batch'}}
    kwargs['training'] = torch.onnx.TrainingMode.PRESERVE if spec['training'] == 'preserve' else torch.onnx.TrainingMode.EVAL
    buf = io.BytesIO()
    torch.onnx.export(model, (x1,), buf, **kwargs)
    return buf.getvalue()


def write_npy(folder, name, t):
    a = np.ascontiguousarray(t.detach().cpu().numpy().astype('<f4'))
    np.save(os.path.join(folder, name + '.npy'), a, allow_pickle=False)
    return {'file': name + '.npy', 'shape': list(a.shape)}


def build(spec, out_dir):
    torch.manual_seed(spec['seed'])
    model = randomize(spec['make'](), spec['seed']).eval()
    size = spec['size']
    x, _ = make_input(1000 + spec['seed'], size, spec['norm'])
    onnx_bytes = export(model, spec, x[:1].float())
    has_bn = b'BatchNormalization' in onnx_bytes
    model64 = model.double().eval()
    # The first input (in a fixed sequence of seeds) whose top-1 class is clear: a near-tie could flip under float32.
    for attempt in range(50):
        x, baseline = make_input(1000 * (attempt + 1) + spec['seed'], size, spec['norm'])
        with torch.no_grad():
            logits = model64(x)
        top = torch.topk(logits[0], 2).values
        margin = float(top[0] - top[1])
        if margin >= 0.05 * float(logits[0].abs().max()):
            break
    else:
        raise SystemExit(f"{spec['name']}: no input with a clear top-1 class; change the seed")
    k = int(logits[0].argmax())
    values = expected_values(model64, x, k, spec, baseline)

    folder = os.path.join(out_dir, spec['name'])
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    with open(os.path.join(folder, 'model.onnx'), 'wb') as fh:
        fh.write(onnx_bytes)

    arrays = {'input': write_npy(folder, 'input', x), 'logits': write_npy(folder, 'logits', logits),
              'ig_baseline': write_npy(folder, 'ig_baseline', baseline)}
    for name, t in values.items():
        arrays[name] = write_npy(folder, name, t)
    layouts = {'input': 'NCHW', 'ig_baseline': 'NCHW', 'input_grad': 'NCHW', 'logits': 'BK'}
    for name, a in arrays.items():
        if name in layouts:
            a['layout'] = layouts[name]
        elif name.startswith('probe_'):
            a['layout'] = 'NCHW' if len(a['shape']) == 4 else 'BTD'
        else:
            a['layout'] = 'HW'

    norm = spec['norm']
    manifest = {
        'name': spec['name'],
        'about': spec['about'],
        'model': 'model.onnx',
        'modelSha256': hashlib.sha256(onnx_bytes).hexdigest(),
        'opset': spec['opset'],
        'dynamicBatch': spec['dynamic'],
        'exportTraining': spec['training'],
        'batchNormalizationInGraph': has_bn,
        'seed': spec['seed'],
        'preprocessing': {'height': size, 'width': size, 'channels': 3, 'scale': 255, 'mean': norm['mean'], 'std': norm['std']},
        'numClasses': int(logits.shape[1]),
        'explainedImage': 0,
        'targetClass': k,
        'targetMargin': margin,
        'probeModule': spec['probe'],
        'camModule': spec['cam'],
        'camMethod': 'gradcam' if spec['cam'] else None,
        'ig': {'steps': IG_STEPS, 'points': 't = n/N, n = 1..N', 'baseline': 'black: (0 - mean) / std per channel',
               'baselineValues': [float(v) for v in baseline[0, :, 0, 0]], 'channelReduction': 'sum'},
        'dix3': {'modules': spec['dix'], 'steps': DIX_STEPS, 'baseline': 'channel-min', 'integrand': 'activation-times-gradient',
                 'psi': 'channel mean, bilinear resize (align_corners=False)', 'aggregate': 'mean'} if spec['dix'] else None,
        'arrays': arrays,
        'computedIn': 'float64 from the float32 weights',
    }
    # The sidecar `dixw model add --preprocessing FILE.json` writes (load-model.ts), so that the folder loads as a model.
    with open(os.path.join(folder, 'model.preprocessing.json'), 'w') as fh:
        json.dump(manifest['preprocessing'], fh, indent=2)
        fh.write('\n')
    with open(os.path.join(folder, 'expected.json'), 'w') as fh:
        json.dump(manifest, fh, indent=2)
        fh.write('\n')
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='test/fixtures/onnx')
    ap.add_argument('--only', nargs='*', help='fixture names (default: all)')
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    chosen = [f for f in FIXTURES if not args.only or f['name'] in args.only]
    for spec in chosen:
        m = build(spec, args.out)
        folder = os.path.join(args.out, spec['name'])
        total = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print(f"{spec['name']:16s} opset {spec['opset']} target {m['targetClass']} bn-in-graph {m['batchNormalizationInGraph']} "
              f"{total / 1024:.0f} KiB", file=sys.stderr)
    index = {'fixtures': [f['name'] for f in FIXTURES],
             'generator': 'scripts/make-onnx-fixtures.py',
             'torch': torch.__version__.split('+')[0], 'torchvision': torchvision.__version__.split('+')[0]}
    with open(os.path.join(args.out, 'index.json'), 'w') as fh:
        json.dump(index, fh, indent=2)
        fh.write('\n')


if __name__ == '__main__':
    main()
