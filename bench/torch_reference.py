"""PyTorch reference for `npm run bench -- --torch` (bench/torch-compare.ts): the same computation as the workbench's
IG, DIX3 and Grad-CAM on the same architecture, input and thread count, timed per image (median after one warm-up).

Run with Debian's python3-torch: /usr/bin/python3 bench/torch_reference.py --model vgg16 --size 64 --threads 1 \
    --input /tmp/x.bin --reps 3 [--methods ig,dix3,gradcam] [--steps 10]
Prints one JSON object: {"torch": version, "threads": n, "ms": {method: median ms}}.

Work per image, as the workbench does it: IG integrates the input gradient over N interpolants from a black image,
all N in one batch. DIX3 runs the prefix once for the three cut activations (the last three block outputs), then for
each cut sends the N interpolants between the channel-minimum baseline and the activation through the tail in one
batch (activation times gradient). Grad-CAM takes the gradient of the class score at the last block output. Weights
are random (the timing does not depend on them); the input is the workbench's, read from --input (float32 NHWC).
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

VGG16 = [2, 2, 3, 3, 3]
CHANNELS = [64, 128, 256, 512, 512]


class Vgg16(nn.Module):
    """VGG-16 (configuration D) as main/engine/model/architectures/vgg.ts builds it: a block's pool is left out once the
    map is 1 px; fully connected layers of 4096 on the flattened map. Stages are the blocks, cut after each pool."""

    def __init__(self, size, classes=1000):
        super().__init__()
        stages, c_in, s = [], 3, size
        for convs, c in zip(VGG16, CHANNELS):
            layers = []
            for _ in range(convs):
                layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(inplace=False)]
                c_in = c
            if s >= 2:
                layers.append(nn.MaxPool2d(2, 2))
                s //= 2
            stages.append(nn.Sequential(*layers))
        self.stages = nn.ModuleList(stages)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(c_in * s * s, 4096), nn.ReLU(), nn.Dropout(0.5),
                                  nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, classes))


class ResNet18(nn.Module):
    """torchvision's resnet18 split into stages: stem, layer1..layer4, head (global pool, fc)."""

    def __init__(self, classes=1000):
        super().__init__()
        import torchvision
        r = torchvision.models.resnet18(num_classes=classes)
        self.stages = nn.ModuleList([nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool), r.layer1, r.layer2, r.layer3, r.layer4])
        self.head = nn.Sequential(r.avgpool, nn.Flatten(), r.fc)


def run_from(model, k, a):
    """The network after stage k's output (k = -1: from the input)."""
    for stage in model.stages[k + 1:]:
        a = stage(a)
    return model.head(a)


def prefix(model, x, ks):
    acts, a = {}, x
    for i, stage in enumerate(model.stages):
        a = stage(a)
        if i in ks:
            acts[i] = a
    return acts, model.head(a)


def ig(model, x, cls, n):
    baseline = torch.zeros_like(x)
    t = torch.arange(1, n + 1, dtype=x.dtype).view(-1, 1, 1, 1) / n
    r = (baseline + t * (x - baseline)).requires_grad_(True)
    g, = torch.autograd.grad(run_from(model, -1, r)[:, cls].sum(), r)
    return ((x - baseline) / n * g.sum(0, keepdim=True)).sum(1)


def dix3(model, x, cls, n, cuts):
    with torch.no_grad():
        acts, _ = prefix(model, x, cuts)
    total = torch.zeros(x.shape[2:])
    for k in cuts:
        a = acts[k]
        z = a.amin(dim=(2, 3), keepdim=True)
        t = torch.arange(1, n + 1, dtype=a.dtype).view(-1, 1, 1, 1) / n
        r = (z + t * (a - z)).requires_grad_(True)
        g, = torch.autograd.grad(run_from(model, k, r)[:, cls].sum(), r)
        m = ((a - z) / n * (r * g).sum(0, keepdim=True)).sum(1, keepdim=True)
        m = F.interpolate(m, size=x.shape[2:], mode='bilinear', align_corners=False)[0, 0]
        total += (m - m.min()) / (m.max() - m.min() + 1e-12)
    return total


def gradcam(model, x, cls, k):
    with torch.no_grad():
        acts, _ = prefix(model, x, [k])
    a = acts[k].requires_grad_(True)
    g, = torch.autograd.grad(run_from(model, k, a)[0, cls], a)
    cam = F.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(1, keepdim=True))
    return F.interpolate(cam, size=x.shape[2:], mode='bilinear', align_corners=False)[0, 0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', required=True, choices=['vgg16', 'resnet18'])
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--input', required=True)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--methods', default='ig,dix3,gradcam')
    o = p.parse_args()
    torch.set_num_threads(o.threads)
    torch.manual_seed(1)
    model = (Vgg16(o.size) if o.model == 'vgg16' else ResNet18()).eval()
    x = torch.from_numpy(np.fromfile(o.input, dtype=np.float32).reshape(1, o.size, o.size, 3)).permute(0, 3, 1, 2).contiguous()
    last = len(model.stages) - 1
    cuts = [last - 2, last - 1, last]
    with torch.no_grad():
        cls = int(run_from(model, -1, x)[0].argmax())
    runs = {'ig': lambda: ig(model, x, cls, o.steps), 'dix3': lambda: dix3(model, x, cls, o.steps, cuts),
            'gradcam': lambda: gradcam(model, x, cls, last)}
    ms = {}
    for name in o.methods.split(','):
        times = []
        for i in range(o.reps + 1):
            t0 = time.perf_counter()
            runs[name]()
            if i:
                times.append((time.perf_counter() - t0) * 1000)
        ms[name] = statistics.median(times)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': ms}))


if __name__ == '__main__':
    main()
