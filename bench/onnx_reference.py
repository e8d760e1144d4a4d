"""PyTorch side of `npm run bench -- --onnx` (bench/onnx-speed.ts): exports a torchvision model with random weights to
ONNX, then times, on the workbench's own input and thread count, the forward pass, Grad-CAM (gradient at the named
module's output), IG (N interpolants from a black image in one batch) and, given three stage modules, DIX3 (prefix
once, then the N interpolants of each stage through the rest of the network). Timing only; weights are random.

/usr/bin/python3 bench/onnx_reference.py --model resnet18 --size 224 --out m.onnx --input x.bin --threads 1 --reps 3 \
    --cam layer4 --stages layer2,layer3,layer4
Prints one JSON object: {"torch": version, "ms": {forward, gradcam, ig, dix3}}.
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
import torchvision


def timed(f, reps):
    f()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def module_output(model, name, x):
    """The output of module `name` and the logits, in one forward pass."""
    box = {}
    handle = dict(model.named_modules())[name].register_forward_hook(lambda m, i, o: box.__setitem__('a', o))
    try:
        logits = model(x)
    finally:
        handle.remove()
    return box['a'], logits


def tail_from(model, name, a_batch, x):
    """f^l(a): the logits with module `name`'s output replaced by a_batch. The prefix runs once on the batch-1 input
    (its cost is counted, like the workbench's prefix forward); everything after the module runs on the batch."""
    def swap(m, i, o):
        return a_batch
    handle = dict(model.named_modules())[name].register_forward_hook(swap)
    try:
        return model(x)
    finally:
        handle.remove()


def main():
    p = argparse.ArgumentParser()
    for a in ['--model', '--out', '--input', '--cam']:
        p.add_argument(a, required=True)
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--stages', default='')
    o = p.parse_args()
    torch.set_num_threads(o.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, o.model)(weights=None).eval()
    torch.onnx.export(model, torch.zeros(1, 3, o.size, o.size), o.out, opset_version=17, input_names=['input'],
                      dynamic_axes={'input': {0: 'batch'}})
    x = torch.from_numpy(np.fromfile(o.input, dtype=np.float32).reshape(1, o.size, o.size, 3)).permute(0, 3, 1, 2).contiguous()
    n = o.steps
    k = int(model(x).argmax())
    ms = {}
    with torch.no_grad():
        ms['forward'] = timed(lambda: model(x), o.reps)

    def gradcam():
        a, logits = module_output(model, o.cam, x)
        g, = torch.autograd.grad(logits[0, k], a)
        return torch.relu((g.mean((2, 3), keepdim=True) * a).sum(1))
    ms['gradcam'] = timed(gradcam, o.reps)

    def ig():
        black = torch.zeros_like(x)
        t = (torch.arange(1, n + 1, dtype=torch.float32) / n).view(n, 1, 1, 1)
        r = (black + t * (x - black)).requires_grad_(True)
        g, = torch.autograd.grad(model(r)[:, k].sum(), r)
        return ((x - black) / n * g.sum(0, keepdim=True)).sum(1)
    ms['ig'] = timed(ig, o.reps)

    if o.stages:
        stages = o.stages.split(',')

        def dix3():
            maps = []
            for s in stages:
                with torch.no_grad():
                    a, _ = module_output(model, s, x)
                z = a.amin((2, 3), keepdim=True)
                t = (torch.arange(1, n + 1, dtype=torch.float32) / n).view(n, 1, 1, 1)
                r = (z + t * (a - z)).requires_grad_(True)
                g, = torch.autograd.grad(tail_from(model, s, r, x)[:, k].sum(), r)
                maps.append(((a - z) / n * (r * g).sum(0, keepdim=True)).mean(1))
            return maps
        ms['dix3'] = timed(dix3, o.reps)
    print(json.dumps({'torch': torch.__version__, 'ms': ms}))


if __name__ == '__main__':
    main()
