#!/usr/bin/python3
"""PyTorch's side of the ONNX ViT attention tests (test/engine/onnx-vit-attention.test.ts) and of the ViT speed rows.

    /usr/bin/python3 scripts/onnx-vit-reference.py OUT_DIR [--images N]

Builds a small torchvision VisionTransformer with seeded weights (class token, position embedding and head drawn
non-zero), exports it to OUT_DIR/model.onnx (opset 17, dynamic batch) and writes, computed in float64 from the same
float32 weights, for N seeded images (image i's target = its top-1 class):

  input.npy                 [N, 3, 32, 32] preprocessed inputs (NCHW)
  logits.npy                [N, K]
  attention_<b>.npy         [N, heads, T, T] post-softmax attention of block b (torch.nn.functional.softmax's output
                            inside nn.MultiheadAttention, captured by wrapping that function)
  rollout.npy, gae.npy, dix1.npy  [N, 32, 32] maps, as defined below (written here, not taken from the workbench)
  reference.json            targets, heads, tokens, grid, steps

Definitions (docs/methods.md §2): per block, Abar = mean over heads of A (rollout) or of relu(A * dA) (GAE, GR),
dA = d logit_k / d A.  Rollout: R = prod over blocks (later on the left) of (Abar + I) / rowsum.  GAE: R = I,
R <- R + Abar R per block in order.  DIX1 (ViT form): the last block's attention replaced by t A, t = n/N, n = 1..N,
the Gradient Rollout of each such pass (all blocks, rows normalized) averaged.  Every map: R[0, 1:] on the patch grid,
bilinearly resized (align_corners=False).
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.models.vision_transformer import VisionTransformer

ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('--images', type=int, default=2)
ap.add_argument('--steps', type=int, default=10)
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)
torch.set_num_threads(1)

SIZE, PATCH, HEADS = 32, 8, 2
torch.manual_seed(3)
model = VisionTransformer(image_size=SIZE, patch_size=PATCH, num_layers=2, num_heads=HEADS, hidden_dim=32, mlp_dim=64, num_classes=10).eval()
with torch.no_grad():
    g = torch.Generator().manual_seed(4)
    model.class_token.copy_(torch.randn(model.class_token.shape, generator=g) * 0.5)
    model.encoder.pos_embedding.copy_(torch.randn(model.encoder.pos_embedding.shape, generator=g) * 0.5)
    head = model.heads.head
    head.weight.copy_(torch.randn(head.weight.shape, generator=g) * 0.3)
    head.bias.copy_(torch.randn(head.bias.shape, generator=g) * 0.1)
torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), os.path.join(args.out, 'model.onnx'), opset_version=17,
                  input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})

model = model.double()
x_all = torch.randn(args.images, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(5)).double()
grid = SIZE // PATCH
tokens = grid * grid + 1

# nn.MultiheadAttention computes its attention with torch.nn.functional.softmax (looked up at call time): wrapping it
# captures each block's post-softmax attention [B * heads, T, T] and lets a block's attention be replaced.
original_softmax = F.softmax
captured = []
replace = {}


def softmax_hook(inp, dim=None, *a, **kw):
    out = original_softmax(inp, dim, *a, **kw)
    b = len(captured)
    if b in replace:
        out = replace[b](out)
    out.retain_grad()
    captured.append(out)
    return out


def run(x, target=None, replace_with=None):
    """Logits, per-block attention [B, heads, T, T] and, with a target, d logit / d attention."""
    captured.clear()
    replace.clear()
    replace.update(replace_with or {})
    F.softmax = softmax_hook
    try:
        logits = model(x)
    finally:
        F.softmax = original_softmax
    atts = list(captured)
    grads = None
    if target is not None:
        logits[:, target].sum().backward()
        grads = [a.grad.reshape(x.shape[0], HEADS, tokens, tokens) for a in atts]
    return logits, [a.detach().reshape(x.shape[0], HEADS, tokens, tokens) for a in atts], grads


def to_map(row):
    """R[0, 1:] [tokens - 1] -> [SIZE, SIZE]."""
    m = row.reshape(1, 1, grid, grid)
    return F.interpolate(m, size=(SIZE, SIZE), mode='bilinear', align_corners=False)[0, 0]


eye = torch.eye(tokens, dtype=torch.float64)


def rollout_product(mats, normalize):
    r = None
    for m in mats:
        h = m + eye
        if normalize:
            h = h / h.sum(-1, keepdim=True)
        r = h if r is None else h @ r
    return r


out = {'input': x_all.numpy(), 'logits': [], 'rollout': [], 'gae': [], 'dix1': []}
atts_all = None
targets = []
for i in range(args.images):
    x = x_all[i:i + 1]
    with torch.enable_grad():
        logits, atts, _ = run(x)
        k = int(logits[0].argmax())
        targets.append(k)
        _, _, grads = run(x, target=k)
    out['logits'].append(logits.detach()[0].numpy())
    if atts_all is None:
        atts_all = [[] for _ in atts]
    for b, a in enumerate(atts):
        atts_all[b].append(a[0].numpy())
    out['rollout'].append(to_map(rollout_product([a[0].mean(0) for a in atts], True)[0, 1:]).numpy())
    r = eye.clone()
    for a, g_ in zip(atts, grads):
        r = r + (a[0] * g_[0]).clamp(min=0).mean(0) @ r
    out['gae'].append(to_map(r[0, 1:]).numpy())
    # DIX1: the last block's attention scaled by t = n/N, the N interpolants as one batch.
    n = args.steps
    last = len(atts) - 1
    t = torch.arange(1, n + 1, dtype=torch.float64).reshape(n, 1, 1) / n
    scaled = (t.repeat_interleave(HEADS, 0) * atts[last][0].repeat(n, 1, 1)).requires_grad_(False)
    with torch.enable_grad():
        _, a_used, g_used = run(x.repeat(n, 1, 1, 1), target=k, replace_with={last: lambda computed: scaled.clone().requires_grad_(True)})
    gr = 0
    for j in range(n):
        mats = [(a[j] * g_[j]).clamp(min=0).mean(0) for a, g_ in zip(a_used, g_used)]
        gr = gr + rollout_product(mats, True)[0, 1:]
    out['dix1'].append(to_map(gr / n).numpy())

np.save(os.path.join(args.out, 'input.npy'), out['input'].astype(np.float32))
for key in ['logits', 'rollout', 'gae', 'dix1']:
    np.save(os.path.join(args.out, key + '.npy'), np.stack(out[key]).astype(np.float32))
for b, a in enumerate(atts_all):
    np.save(os.path.join(args.out, f'attention_{b}.npy'), np.stack(a).astype(np.float32))
json.dump({'targets': targets, 'heads': HEADS, 'tokens': tokens, 'grid': [grid, grid], 'blocks': len(atts_all), 'steps': args.steps},
          open(os.path.join(args.out, 'reference.json'), 'w'))

# A CNN with a Softmax that is not attention (a channel gate): its export must be refused by the attention methods
# with the pattern they expected.


class SoftmaxGate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        h = self.conv(x)
        h = h * torch.softmax(h, dim=1)
        return self.fc(h.mean((2, 3)))


torch.manual_seed(6)
torch.onnx.export(SoftmaxGate().eval(), torch.zeros(1, 3, SIZE, SIZE), os.path.join(args.out, 'softmax-gate.onnx'), opset_version=17,
                  input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
