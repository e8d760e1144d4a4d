#!/usr/bin/python3
"""Exports the fixtures of the ViT method tests (issue 11): a small seeded ViT saved by DIX Workbench, and what an
independent PyTorch implementation computes on it.

Run with Debian's python (python3-torch), from the repository root:

    /usr/bin/python3 scripts/make-vit-fixtures.py --out test/fixtures/vit

1. `node --import tsx` builds the model with the workbench's own code (test/engine/vit-reference.ts makeTestVit:
   16x16x3 input, 4x4 patches, 3 blocks of width 32 with 4 heads, 5 classes, weights drawn wide so that the attention
   is far from uniform) and saves it as a dixw-vit folder in <out>/model.
2. This script reads that folder (model.json + weights.bin) into its own PyTorch ViT, written here from the
   definitions (patch embedding as a Conv2d, timm-style pre-norm blocks, exact GELU, LayerNorm eps from the config),
   and computes in float64, on a seeded input and for the model's top-1 class k:

   logits              f(x)                                                                  [K]
   attention, grad     per block the post-softmax attention A_b and d f_k / d A_b            [B, heads, T, T]
   relevance           per block T-Attr's LRP relevance of the attention (after halving)    [B, heads, T, T]
   rollout             Abnar & Zuidema: mean_h A_b + I, rows normalized, R = Â_B..Â_1       [H, W]
   gae                 R = I; R += mean_h relu(dA_b * A_b) @ R                               [H, W]
   tattr               mean_h relu(dA_b * R_A,b) + I, not normalized, product from block 1  [H, W]
   dix1, dix3          docs/methods.md §2: A_l -> t A_l (t = n/10, n = 1..10) in block l, GR of that pass over every
                       block (mean_h relu(A_b * dA_b) + I, rows normalized, product), mean over t; dix3 = mean over
                       the last three blocks                                                  [H, W]

   Maps are the [CLS] row without its first element on the 4x4 grid, resized by F.interpolate(mode='bilinear',
   align_corners=False) to 16x16. The LRP rules are applied the way Chefer et al.'s layers do it, with autograd
   giving the products' gradients (alpha = 1, beta = 0 for Linear; z-rule halved for both matrix products; the
   residual Add rescaled by its two parts' relevance sums; LayerNorm, GELU and softmax pass relevance on).
3. Writes <out>/expected.json (arrays as nested lists) and <out>/input.json.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

MAKE_MODEL = """
import { makeTestVit } from './test/engine/vit-reference.ts';
import { saveVit } from './main/engine/model/vit/vit-io.ts';
import { initBackend } from './main/engine/backend/select-backend.ts';
await initBackend('cpu');
const vm = makeTestVit({ seed: 31, input: [16, 16, 3], patch: 4, dim: 32, depth: 3, heads: 4, classes: 5 });
saveVit(vm, process.argv[1]);
vm.dispose();
"""


def read_model(folder):
    with open(os.path.join(folder, 'model.json')) as f:
        meta = json.load(f)
    assert meta['format'] == 'dixw-vit'
    data = np.fromfile(os.path.join(folder, meta['weightsFile']), dtype='<f4')
    weights, offset = {}, 0
    for w in meta['weights']:
        n = int(np.prod(w['shape']))
        weights[w['name']] = torch.tensor(data[offset:offset + n].astype(np.float64).reshape(w['shape']))
        offset += n
    assert offset == data.size
    return meta['config'], weights


def safe_divide(a, b):
    den = b + 1e-9
    den = den + (den == 0).to(den.dtype) * 1e-9
    return a / den * (b != 0).to(b.dtype)


class ViT:
    """Forward pass from the workbench's weights; Linear weights there are [in, out]."""

    def __init__(self, config, w):
        self.c, self.w = config, w

    def linear(self, x, name):
        return x @ self.w[name + '.weight'] + self.w[name + '.bias']

    def norm(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.w[name + '.weight'], self.w[name + '.bias'], self.c['layerNormEps'])

    def embed(self, x_nhwc):
        c, w = self.c, self.w
        p, ch, d = c['patch'], c['inputShape'][2], c['dim']
        # Rows of the workbench's patch kernel are (patch row, patch column, channel): back to Conv2d's [D, C, p, p].
        conv = w['patch_embed.proj.weight'].reshape(p, p, ch, d).permute(3, 2, 0, 1)
        y = F.conv2d(x_nhwc.permute(0, 3, 1, 2), conv, w['patch_embed.proj.bias'], stride=p)
        tokens = y.flatten(2).transpose(1, 2)
        return torch.cat([w['cls_token'].expand(x_nhwc.shape[0], -1, -1), tokens], 1) + w['pos_embed']

    def block(self, x, b, replace=None, keep=None):
        """keep: a dict that receives every intermediate the LRP rules need."""
        m, h = f'blocks.{b}', self.c['heads']
        n1 = self.norm(x, m + '.norm1')
        qkv = self.linear(n1, m + '.attn.qkv')
        bsz, t, _ = qkv.shape
        q, k, v = qkv.reshape(bsz, t, 3, h, -1).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, -1) if replace is None else replace
        merged = (a @ v).transpose(1, 2).reshape(bsz, t, -1)
        proj = self.linear(merged, m + '.attn.proj')
        mid = x + proj
        n2 = self.norm(mid, m + '.norm2')
        fc1 = self.linear(n2, m + '.mlp.fc1')
        g = F.gelu(fc1)
        fc2 = self.linear(g, m + '.mlp.fc2')
        if keep is not None:
            keep.update(x=x, n1=n1, q=q, k=k, v=v, a=a, merged=merged, proj=proj, mid=mid, n2=n2, g=g, fc2=fc2)
        return mid + fc2, a

    def forward(self, x_nhwc, replace=None, keeps=None):
        """replace: block -> attention; returns logits and the attention each block used (with grad)."""
        x = self.embed(x_nhwc)
        used = []
        for b in range(self.c['depth']):
            keep = {} if keeps is not None else None
            r = None if replace is None else replace.get(b)
            x, a = self.block(x, b, r, keep)
            if keeps is not None:
                keeps.append(keep)
            used.append(a)
        cls = self.norm(x[:, 0], 'norm')
        return self.linear(cls, 'head'), used, x, cls


# ---- LRP rules (Chefer et al.'s, with autograd for the products' gradients) ---------------------------------------

def lrp_linear(r, x, weight):
    """alpha = 1, beta = 0; weight [in, out]; the bias is left out of Z."""
    x = x.detach()
    pw, nw = weight.clamp(min=0), weight.clamp(max=0)
    px = x.clamp(min=0).requires_grad_(True)
    nx = x.clamp(max=0).requires_grad_(True)
    z1, z2 = px @ pw, nx @ nw
    s = safe_divide(r, z1 + z2)
    g1, = torch.autograd.grad(z1, px, s)
    g2, = torch.autograd.grad(z2, nx, s)
    return px.detach() * g1 + nx.detach() * g2


def lrp_product(r, a, b, equation):
    a = a.detach().requires_grad_(True)
    b = b.detach().requires_grad_(True)
    z = torch.einsum(equation, a, b)
    ga, gb = torch.autograd.grad(z, [a, b], safe_divide(r, z))
    return (a * ga).detach() / 2, (b * gb).detach() / 2


def lrp_add(r, x, y):
    x = x.detach().requires_grad_(True)
    y = y.detach().requires_grad_(True)
    z = x + y
    gx, gy = torch.autograd.grad(z, [x, y], safe_divide(r, z))
    a, b = (x * gx).detach(), (y * gy).detach()
    total = a.sum().abs() + b.sum().abs()
    a = a * safe_divide(safe_divide(a.sum().abs(), total) * r.sum(), a.sum())
    b = b * safe_divide(safe_divide(b.sum().abs(), total) * r.sum(), b.sum())
    return a, b


def lrp_clone(r1, r2, x):
    x = x.detach()
    return x * (safe_divide(r1, x) + safe_divide(r2, x))


def attention_relevance(vit, x_nhwc, k):
    keeps = []
    logits, _, x, cls = vit.forward(x_nhwc, keeps=keeps)
    w, h = vit.w, vit.c['heads']
    one_hot = torch.zeros_like(logits)
    one_hot[0, k] = 1
    r_cls = lrp_linear(one_hot, cls, w['head.weight'])
    normed = vit.norm(x, 'norm').detach()
    r = torch.zeros_like(x)
    r[:, 0] = normed[:, 0] * safe_divide(r_cls, normed[:, 0])
    out = [None] * vit.c['depth']
    for b in reversed(range(vit.c['depth'])):
        s, m = keeps[b], f'blocks.{b}'
        skip2, mlp = lrp_add(r, s['mid'], s['fc2'])
        r_n2 = lrp_linear(lrp_linear(mlp, s['g'], w[m + '.mlp.fc2.weight']), s['n2'], w[m + '.mlp.fc1.weight'])
        r_mid = lrp_clone(skip2, r_n2, s['mid'])
        skip1, attn = lrp_add(r_mid, s['x'], s['proj'])
        r_merged = lrp_linear(attn, s['merged'], w[m + '.attn.proj.weight'])
        bsz, t, _ = r_merged.shape
        r_heads = r_merged.reshape(bsz, t, h, -1).transpose(1, 2)
        r_a, r_v = lrp_product(r_heads, s['a'], s['v'], 'bhij,bhjd->bhid')
        r_q, r_k = lrp_product(r_a, s['q'], s['k'], 'bhid,bhjd->bhij')
        r_qkv = torch.stack([r_q, r_k, r_v]).permute(1, 3, 0, 2, 4).reshape(bsz, t, -1)
        r_n1 = lrp_linear(r_qkv, s['n1'], w[m + '.attn.qkv.weight'])
        r = lrp_clone(skip1, r_n1, s['x'])
        out[b] = r_a[0]
    return torch.stack(out), r


# ---- maps -------------------------------------------------------------------------------------------------------

def attention_and_grad(vit, x, k, replace=None):
    logits, used, _, _ = vit.forward(x.clone().requires_grad_(True), replace)
    for a in used:
        a.retain_grad()
    logits[0, k].backward()
    return [a.detach()[0] for a in used], [a.grad.detach()[0] for a in used]


def product(mats, normalize, start):
    joint = None
    for m in mats[start:]:
        hat = m + torch.eye(m.shape[-1])
        if normalize:
            hat = hat / hat.sum(-1, keepdim=True)
        joint = hat if joint is None else hat @ joint
    return joint


def to_map(row, grid, size):
    return F.interpolate(row.reshape(1, 1, *grid), size=size, mode='bilinear', align_corners=False)[0, 0]


def gradient_rollout(attns, grads):
    return product([torch.relu(a * g).mean(0) for a, g in zip(attns, grads)], True, 0)[0, 1:]


def dix_layer(vit, x, k, l, steps=10):
    a_l = vit.forward(x)[1][l].detach()
    total = 0
    for n in range(1, steps + 1):
        rep = (n / steps * a_l).requires_grad_(True)
        attns, grads = attention_and_grad(vit, x, k, {l: rep})
        total = total + gradient_rollout(attns, grads)
    return total / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/fixtures/vit')
    args = ap.parse_args()
    model_dir = os.path.join(args.out, 'model')
    os.makedirs(model_dir, exist_ok=True)
    subprocess.run(['node', '--import', 'tsx', '--input-type=module', '-e', MAKE_MODEL, model_dir], check=True)
    config, w = read_model(model_dir)
    vit = ViT(config, w)
    h_in, w_in, ch = config['inputShape']
    grid = (h_in // config['patch'], w_in // config['patch'])
    rng = np.random.default_rng(7)
    image = rng.uniform(-1, 1, size=(1, h_in, w_in, ch)).astype(np.float32)
    x = torch.tensor(image.astype(np.float64))
    with torch.no_grad():
        logits = vit.forward(x)[0][0]
    k = int(logits.argmax())
    attns, grads = attention_and_grad(vit, x, k)
    relevance, r_input = attention_relevance(vit, x, k)
    size = (h_in, w_in)
    rollout = product([a.mean(0) for a in attns], True, 0)[0, 1:]
    r = torch.eye(attns[0].shape[-1])
    for a, g in zip(attns, grads):
        r = r + torch.relu(g * a).mean(0) @ r
    gae = r[0, 1:]
    tattr = product([torch.relu(g * ra).mean(0) for g, ra in zip(grads, relevance)], False, 1)[0, 1:]
    depth = config['depth']
    dix = [dix_layer(vit, x, k, l) for l in range(depth)]
    maps = {
        'rollout': rollout, 'gae': gae, 'tattr': tattr, 'dix1': dix[-1],
        'dix3': sum(to_map(d, grid, size) for d in dix[-3:]) / 3,
    }
    expected = {
        'about': 'scripts/make-vit-fixtures.py: PyTorch float64 values on the model in model/ for input.json',
        'targetClass': k,
        'logits': logits.tolist(),
        'attention': torch.stack(attns).tolist(),
        'grad': torch.stack(grads).tolist(),
        'relevance': relevance.tolist(),
        'relevanceInputSum': float(r_input.sum()),
        'maps': {name: (m if m.dim() == 2 else to_map(m, grid, size)).tolist() for name, m in maps.items()},
    }
    with open(os.path.join(args.out, 'input.json'), 'w') as f:
        json.dump({'shape': list(image.shape), 'data': image.reshape(-1).tolist()}, f)
    with open(os.path.join(args.out, 'expected.json'), 'w') as f:
        json.dump(expected, f)
    print(f'class {k}, logits {np.round(logits.numpy(), 4).tolist()}, relevance at the input {float(r_input.sum()):.6f}', file=sys.stderr)


if __name__ == '__main__':
    main()
