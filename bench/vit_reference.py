"""PyTorch side of `npm run bench -- --vit` (bench/vit-speed.ts): exports a torchvision ViT with random weights to ONNX,
then times, on the workbench's own input and thread count, the ViT methods written here the way the workbench
computes them (docs/methods.md §2): forward; rollout (one pass, attention captured); GAE (one forward and backward,
attention and its gradient); DIX1/2/3 (per explained block l: the N interpolants t A^l, t = n/N, in one batch with
block l's attention replaced, one backward for the attention gradients of every block, Gradient Rollout averaged);
Grad-CAM at the last block's input patch tokens; IG (N interpolants from a black image in one batch). T-Attr is not timed
here (its LRP pass is the workbench's own). Timing only; weights are random.

/usr/bin/python3 bench/vit_reference.py --model vit_b_16 --out m.onnx --input x.bin --threads 1 --reps 1 --warmup 0
/usr/bin/python3 bench/vit_reference.py --model tiny --out m.onnx --input x.bin --threads 1 --reps 3
Prints one JSON object: {"torch": version, "ms": {forward, rollout, gae, dix1, dix2, dix3, gradcam, ig}}.
With --serve: prints {"torch": version, "ready": true}, then for each method named on a stdin line {"what", "ms"}.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.vision_transformer import VisionTransformer


def timed(f, reps, warmup):
    for _ in range(warmup):
        f()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


class AttentionTap:
    """Wraps torch.nn.functional.softmax (what nn.MultiheadAttention calls): records each block's attention
    [B * heads, T, T] in call order and replaces block `replace_block`'s by `replacement` when given."""

    def __init__(self):
        self.captured = []
        self.replace_block = None
        self.replacement = None
        self.original = F.softmax

    def __call__(self, x, dim=None, *a, **kw):
        out = self.original(x, dim, *a, **kw)
        if len(self.captured) == self.replace_block:
            out = self.replacement
        out.retain_grad()
        self.captured.append(out)
        return out

    def run(self, model, x, replace_block=None, replacement=None):
        self.captured = []
        self.replace_block = replace_block
        self.replacement = replacement
        F.softmax = self
        try:
            return model(x)
        finally:
            F.softmax = self.original


def main():
    p = argparse.ArgumentParser()
    for a in ['--model', '--out', '--input']:
        p.add_argument(a, required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--serve', action='store_true', help='time one method per stdin line, printing one JSON line each')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.model == 'vit_b_16':
        model, size, heads = torchvision.models.vit_b_16(weights=None), 224, 12
    else:
        model, size, heads = VisionTransformer(image_size=32, patch_size=4, num_layers=4, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=4), 32, 4
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, size, size), a.out, opset_version=17, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    # The workbench's input is channels-last [1, H, W, 3].
    x = torch.from_numpy(np.fromfile(a.input, dtype=np.float32).reshape(1, size, size, 3)).permute(0, 3, 1, 2).contiguous()
    n = a.steps
    tap = AttentionTap()
    with torch.no_grad():
        k = int(model(x)[0].argmax())

    def forward():
        with torch.no_grad():
            model(x)

    def rollout():
        with torch.enable_grad():  # parameters that need gradients keep nn.MultiheadAttention off its fused path
            tap.run(model, x)
        r = None
        for att in tap.captured:
            m = att.detach().reshape(1, heads, *att.shape[1:]).mean(1)[0]
            m = m + torch.eye(m.shape[0])
            m = m / m.sum(-1, keepdim=True)
            r = m if r is None else m @ r
        return r[0, 1:]

    def gae():
        logits = tap.run(model, x)
        logits[0, k].backward()
        r = None
        for att in tap.captured:
            m = (att * att.grad).clamp(min=0).reshape(1, heads, *att.shape[1:]).mean(1)[0]
            r = torch.eye(m.shape[0]) if r is None else r
            r = r + m @ r
        model.zero_grad(set_to_none=True)
        return r[0, 1:]

    def dix(layers):
        blocks = len(model.encoder.layers)
        total = 0
        for l in range(blocks - layers, blocks):
            tap.run(model, x)  # with gradients recorded: the fused path would bypass softmax
            base = tap.captured[l].detach()
            t = (torch.arange(1, n + 1, dtype=torch.float32) / n).repeat_interleave(heads).reshape(-1, 1, 1)
            scaled = (t * base.repeat(n, 1, 1)).requires_grad_(True)
            with torch.enable_grad():
                logits = tap.run(model, x.expand(n, -1, -1, -1), l, scaled)
                logits[:, k].sum().backward()
            gr = None
            for att in tap.captured:
                m = (att * att.grad).clamp(min=0).reshape(n, heads, *att.shape[1:]).mean(1)
                m = m + torch.eye(m.shape[-1])
                m = m / m.sum(-1, keepdim=True)
                gr = m if gr is None else m @ gr
            total = total + gr[:, 0, 1:].detach().mean(0)
            model.zero_grad(set_to_none=True)
        return total / layers

    def gradcam():
        box = {}
        last = model.encoder.layers[-2]  # the last block's input, as the workbench's default cut on a ViT
        def keep(m, i, o):
            o.retain_grad()
            box['a'] = o
        handle = last.register_forward_hook(keep)
        try:
            logits = model(x)
        finally:
            handle.remove()
        logits[0, k].backward()
        act, grad = box['a'][0, 1:], box['a'].grad[0, 1:]
        cam = torch.relu((act * grad.mean(0)).sum(-1))
        model.zero_grad(set_to_none=True)
        return cam

    def ig():
        base = torch.zeros_like(x)
        t = (torch.arange(1, n + 1, dtype=torch.float32) / n).reshape(n, 1, 1, 1)
        path = (base + t * (x - base)).requires_grad_(True)
        model(path)[:, k].sum().backward()
        model.zero_grad(set_to_none=True)
        return ((x - base) * path.grad.mean(0, keepdim=True)).sum(1)

    w = a.warmup
    methods = {'rollout': rollout, 'gae': gae, 'dix1': lambda: dix(1), 'dix2': lambda: dix(2), 'dix3': lambda: dix(3),
               'gradcam': gradcam, 'ig': ig}
    if a.serve:
        # Interleaved timing: the caller names one method per line and times its own right after, so that a change of
        # load on a shared machine falls on both sides alike.
        timed(forward, 3, 1)
        print(json.dumps({'torch': torch.__version__, 'ready': True}), flush=True)
        for line in sys.stdin:
            what = line.strip()
            if not what:
                break
            f = forward if what == 'forward' else methods[what]
            print(json.dumps({'what': what, 'ms': timed(f, a.reps, w)}), flush=True)
        return
    ms = {'forward': timed(forward, max(a.reps, 3), 1), **{name: timed(f, a.reps, w) for name, f in methods.items()}}
    print(json.dumps({'torch': torch.__version__, 'ms': ms}))


if __name__ == '__main__':
    main()
