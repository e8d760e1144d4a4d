#!/usr/bin/python3
# Per-op fixtures for the ONNX importer (test/engine/onnx/onnx-ops.test.ts): tiny PyTorch modules, each exercising one
# op or one form of it, exported with torch.onnx.export (opset 13 or 17, batch dynamic or fixed), with PyTorch's
# logits for a seeded input batch and the input gradient of sum(logits * w) for a seeded w. Every fixture is an image
# classifier ([B, C, H, W] -> [B, K]) so it goes through the real loader.
#
# Run with Debian's python3-torch:   /usr/bin/python3 scripts/onnx-op-fixtures.py
# Writes test/fixtures/onnx-ops/<name>.onnx and <name>.json (float32 arrays as base64, little-endian).
import base64
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.onnx import TrainingMode

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx-ops')


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode('ascii')


class Flat(nn.Module):
    """body, then torch.flatten(x, 1): the NCHW element order the importer must reproduce."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return torch.flatten(self.body(x), 1)


class Lambda(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


class Tokens(nn.Module):
    """[B, C, H, W] -> [B, HW, D] tokens (a 1x1 conv to D channels, flatten, transpose), body, mean over tokens -> [B, D]."""

    def __init__(self, body, c=3, d=8):
        super().__init__()
        self.embed = nn.Conv2d(c, d, 1)
        self.body = body

    def forward(self, x):
        t = self.embed(x).flatten(2).transpose(1, 2)
        return self.body(t).mean(dim=1)


class Residual(nn.Module):
    """A small ResNet: stem, a basic block with identity skip, a downsampling block with a 1x1 projection."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.block1 = Basic(4, 4, 1)
        self.block2 = Basic(4, 6, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 5)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.block2(self.block1(self.stem(x)))), 1))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + (x if self.down is None else self.down(x)))


class Dense(nn.Module):
    """A DenseNet-like block: each layer's output concatenated to its input, then a transition with average pooling."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.layer1 = nn.Sequential(nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 2, 3, padding=1))
        self.layer2 = nn.Sequential(nn.BatchNorm2d(6), nn.ReLU(), nn.Conv2d(6, 2, 3, padding=1))
        self.transition = nn.Sequential(nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 1), nn.AvgPool2d(2, 2))
        self.head = nn.Linear(4 * 4 * 4, 5)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([x, self.layer1(x)], 1)
        x = torch.cat([x, self.layer2(x)], 1)
        return self.head(torch.flatten(self.transition(x), 1))


class SqueezeExcite(nn.Module):
    def __init__(self, c=6):
        super().__init__()
        self.conv = nn.Conv2d(3, c, 3, padding=1)
        self.fc1 = nn.Conv2d(c, 2, 1)
        self.fc2 = nn.Conv2d(2, c, 1)

    def forward(self, x):
        x = self.conv(x)
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return torch.flatten(x * s, 1)


class ConvNeXtBlock(nn.Module):
    """ConvNeXt's block: depthwise 7x7, permute to channels-last, LayerNorm, Linear, GELU, Linear, layer scale, permute back."""

    def __init__(self, c=6):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 2, stride=2)
        self.dw = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = nn.LayerNorm(c, eps=1e-6)
        self.pw1 = nn.Linear(c, 4 * c)
        self.pw2 = nn.Linear(4 * c, c)
        self.gamma = nn.Parameter(torch.rand(c, 1, 1) + 0.5)

    def forward(self, x):
        x = self.stem(x)
        y = self.dw(x).permute(0, 2, 3, 1)
        y = self.pw2(F.gelu(self.pw1(self.norm(y)))).permute(0, 3, 1, 2)
        return torch.flatten(x + self.gamma * y, 1)


class Attention(nn.Module):
    """ViT's encoder block on a few tokens: class token, position embedding, MultiheadAttention, MLP, x[:, 0]."""

    def __init__(self, d=8, heads=2):
        super().__init__()
        self.patch = nn.Conv2d(3, d, 4, stride=4)
        self.cls = nn.Parameter(torch.randn(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1, 5, d) * 0.1)
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.head = nn.Linear(d, 4)

    def forward(self, x):
        n = x.shape[0]
        t = self.patch(x).reshape(n, self.cls.shape[-1], -1).permute(0, 2, 1)
        t = torch.cat([self.cls.expand(n, -1, -1), t], dim=1) + self.pos
        y = self.ln1(t)
        y, _ = self.attn(y, y, y, need_weights=False)
        t = t + y
        t = t + self.mlp(self.ln2(t))
        return self.head(t[:, 0])


class PermuteNorm(nn.Module):
    """LayerNorm over channels the ConvNeXt way: to channels-last, normalize, back."""

    def __init__(self, c=3):
        super().__init__()
        self.norm = nn.LayerNorm(c)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2) * 2


def conv(*a, **k):
    return nn.Conv2d(*a, **k)


# name: (module factory, input shape [C, H, W], opset, export mode, dynamic batch)
FIXTURES = {
    'conv-relu': (lambda: Flat(nn.Sequential(conv(3, 4, 3, padding=1), nn.ReLU())), [3, 8, 8], 13, 'eval', True),
    'conv-stride-nobias': (lambda: Flat(conv(3, 5, 3, stride=2, padding=1, bias=False)), [3, 9, 9], 17, 'eval', True),
    'conv-asymmetric': (lambda: Flat(conv(3, 4, (3, 2), stride=(2, 1), padding=(1, 0))), [3, 8, 7], 13, 'eval', False),
    'conv-dilated': (lambda: Flat(conv(3, 4, 3, dilation=2, padding=2)), [3, 8, 8], 17, 'eval', True),
    'depthwise': (lambda: Flat(nn.Sequential(conv(3, 3, 3, padding=1, groups=3), conv(3, 3, 3, stride=2, padding=1, groups=3))), [3, 9, 9], 13, 'eval', True),
    'depthwise-multiplier': (lambda: Flat(conv(3, 6, 5, stride=2, padding=2, groups=3)), [3, 8, 8], 17, 'eval', True),
    'grouped': (lambda: Flat(nn.Sequential(conv(3, 4, 1), conv(4, 6, 3, padding=1, groups=2))), [3, 6, 6], 17, 'eval', True),
    'conv-relu6': (lambda: Flat(nn.Sequential(conv(3, 4, 3, padding=1), nn.ReLU6())), [3, 6, 6], 13, 'eval', True),
    'batchnorm': (lambda: Flat(nn.Sequential(conv(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())), [3, 6, 6], 17, 'preserve', True),
    'maxpool': (lambda: Flat(nn.Sequential(conv(3, 4, 1), nn.MaxPool2d(3, 2, 1))), [3, 9, 9], 13, 'eval', True),
    'maxpool-ceil': (lambda: Flat(nn.MaxPool2d(2, 2, ceil_mode=True)), [3, 7, 7], 17, 'eval', True),
    'avgpool': (lambda: Flat(nn.AvgPool2d(2, 2)), [3, 8, 8], 13, 'eval', True),
    'avgpool-pad-include': (lambda: Flat(nn.AvgPool2d(3, 2, 1)), [3, 7, 7], 17, 'eval', True),
    'avgpool-pad-exclude-ceil': (lambda: Flat(nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)), [3, 8, 8], 13, 'eval', True),
    'gap-linear': (lambda: nn.Sequential(conv(3, 6, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 4)), [3, 6, 6], 17, 'eval', True),
    'activations': (lambda: Flat(Lambda(lambda x: torch.cat([torch.sigmoid(x), torch.tanh(x), F.leaky_relu(x, 0.1), F.elu(x), F.selu(x),
                                                                F.hardsigmoid(x), F.hardswish(x), F.silu(x), F.gelu(x), F.softplus(x), F.elu(x, 0.5)], 1))),
                    [3, 4, 4], 13, 'eval', True),
    'activations-17': (lambda: Flat(Lambda(lambda x: torch.cat([F.hardsigmoid(x), F.hardswish(x), F.mish(x), F.relu6(x * 4), torch.clamp(x, -0.5, 0.7)], 1))),
                       [3, 4, 4], 17, 'eval', True),
    'arithmetic': (lambda: Flat(Lambda(lambda x: torch.cat([x * 2 + 1, x / 3 - x, x.pow(2), torch.sqrt(x.abs() + 1), torch.exp(x * 0.5),
                                                            torch.log(x.abs() + 1), -x, 1 / (x.abs() + 1), torch.maximum(x, x * 0.5), torch.minimum(x, -x)], 1))),
                   [3, 4, 4], 17, 'eval', True),
    'concat-split-slice': (lambda: Flat(Lambda(lambda x: torch.cat(torch.split(x, [1, 2], 1)[::-1], 1)[:, :, 1:6, ::2])), [3, 7, 8], 13, 'eval', True),
    'strided-slices': (lambda: Flat(Lambda(lambda x: torch.cat([x[:, :, ::3, 1::2], x[:, :, -3:, -5:-1:2]], 3))), [3, 7, 8], 17, 'eval', True),
    'flip': (lambda: Flat(Lambda(lambda x: x.flip(2) * x)), [3, 5, 4], 13, 'eval', True),
    'reshape-view': (lambda: nn.Sequential(conv(3, 4, 3, padding=1), Lambda(lambda x: x.view(x.shape[0], -1)), nn.Linear(4 * 5 * 5, 3)), [3, 5, 5], 13, 'eval', True),
    'reshape-fixed': (lambda: nn.Sequential(conv(3, 4, 3, padding=1), Lambda(lambda x: x.reshape(1, -1)), nn.Linear(4 * 5 * 5, 3)), [3, 5, 5], 17, 'eval', False),
    'permute-layernorm': (lambda: Flat(PermuteNorm()), [3, 4, 5], 17, 'eval', True),
    'layernorm-13': (lambda: Tokens(nn.LayerNorm(8)), [3, 4, 4], 13, 'eval', True),
    'layernorm-17': (lambda: Tokens(nn.LayerNorm(8)), [3, 4, 4], 17, 'eval', True),
    'softmax-channels': (lambda: Flat(nn.Sequential(conv(3, 4, 1), nn.Softmax(dim=1))), [3, 4, 4], 13, 'eval', True),
    'softmax-tokens': (lambda: Tokens(nn.Softmax(dim=-1)), [3, 4, 4], 17, 'eval', True),
    'reduce': (lambda: Lambda(lambda x: torch.cat([x.mean(dim=(2, 3)), x.sum(1).flatten(1), x.amax(dim=(2, 3)), x.amin(dim=2).flatten(1)], 1)), [3, 4, 4], 13, 'eval', True),
    'pad': (lambda: Flat(Lambda(lambda x: torch.cat([F.pad(x, (1, 2, 0, 1)), F.pad(x, (1, 2, 0, 1), mode='reflect'), F.pad(x, (1, 2, 0, 1), value=0.5)], 1))),
            [3, 5, 5], 13, 'eval', True),
    'gather-index': (lambda: Tokens(Lambda(lambda t: torch.stack([t[:, 0], t[:, 3], t[:, -1]], 1))), [3, 4, 4], 17, 'eval', True),
    'gather-nonconsecutive': (lambda: Tokens(Lambda(lambda t: t[:, [5, 0, 2]])), [3, 4, 4], 13, 'eval', True),
    'squeeze-unsqueeze': (lambda: Lambda(lambda x: (x.mean(dim=(2, 3)).unsqueeze(-1).unsqueeze(-1) * x).mean(dim=(2, 3)).unsqueeze(1).squeeze(1)), [3, 4, 4], 13, 'eval', True),
    'linear-tokens': (lambda: Tokens(nn.Sequential(nn.Linear(8, 6), nn.GELU(), nn.Linear(6, 8))), [3, 4, 4], 13, 'eval', True),
    'gemm-notrans': (lambda: Lambda(lambda x: torch.addmm(torch.ones(4), x.mean(dim=(2, 3)), torch.linspace(-1, 1, 12).reshape(3, 4))), [3, 4, 4], 17, 'eval', True),
    'residual': (Residual, [3, 8, 8], 17, 'preserve', True),
    'residual-13-eval': (Residual, [3, 8, 8], 13, 'eval', False),
    'dense': (Dense, [3, 8, 8], 13, 'preserve', True),
    'squeeze-excite': (SqueezeExcite, [3, 6, 6], 17, 'eval', True),
    'convnext-block': (ConvNeXtBlock, [3, 8, 8], 17, 'eval', True),
    'convnext-block-13': (ConvNeXtBlock, [3, 8, 8], 13, 'preserve', True),
    'attention': (Attention, [3, 8, 8], 17, 'eval', True),
    'attention-13': (Attention, [3, 8, 8], 13, 'eval', False),
    'grayscale': (lambda: Flat(nn.Sequential(conv(1, 3, 3), nn.ReLU())), [1, 6, 6], 17, 'eval', True),
}


def randomize_batchnorm(m):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.2, 0.2)


def make(name, factory, chw, opset, mode, dynamic, seed):
    torch.manual_seed(seed)
    model = factory()
    randomize_batchnorm(model)
    model.eval()
    batch = 2 if dynamic else 1
    x = torch.randn(batch, *chw, generator=torch.Generator().manual_seed(seed + 1))
    path = os.path.join(OUT, name + '.onnx')
    torch.onnx.export(model, x, path, opset_version=opset, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}} if dynamic else None,
                      training=TrainingMode.PRESERVE if mode == 'preserve' else TrainingMode.EVAL)
    xg = x.clone().requires_grad_(True)
    logits = model(xg)
    w = torch.randn(logits.shape, generator=torch.Generator().manual_seed(seed + 2))
    (logits * w).sum().backward()
    record = {
        'name': name, 'opset': opset, 'mode': mode, 'dynamicBatch': dynamic,
        'inputShape': list(x.shape), 'input': b64(x.numpy()),
        'logitsShape': list(logits.shape), 'logits': b64(logits.detach().numpy()),
        'weights': b64(w.numpy()), 'inputGradient': b64(xg.grad.numpy()),
    }
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(record, f, indent=1)
        f.write('\n')


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    for i, (name, spec) in enumerate(FIXTURES.items()):
        if only and name not in only:
            continue
        make(name, *spec, seed=1000 + 10 * i)
        print(name)


if __name__ == '__main__':
    torch.set_num_threads(1)
    main()
