#!/usr/bin/python3
"""PyTorch's side of the ONNX ViT T-Attr tests (test/engine/onnx-vit-tattr.test.ts).

    /usr/bin/python3 scripts/onnx-vit-tattr-reference.py OUT_DIR [--images N]

Exports small seeded ViTs of two layouts to OUT_DIR/<name>/model.onnx (dynamic batch) and writes, per model, for N
seeded images (image i's target = its top-1 class), computed in float64 from the same float32 weights:

  input.npy                       [N, 3, 32, 32] preprocessed inputs (NCHW)
  logits.npy                      [N, K] the module's own logits
  rollout.npy, gae.npy, tattr.npy [N, 32, 32] maps, as defined below (written here, not taken from the workbench)
  relevance_<b>.npy               [N, heads, T, T] T-Attr's LRP relevance of block b's attention (after halving)
  reference.json                  per model: targets, heads, tokens, grid, blocks, and per image the spread of the
                                  T-Attr map and of each block's relevance under float32 rounding (see spread())

Models (all 32x32 input, 8x8 patches, 3 blocks, width 32, MLP 64, 10 classes; every parameter drawn non-trivially,
LayerNorm gains and shifts included, so that a weight read from the wrong place shows):

  tv17, tv14           torchvision's VisionTransformer (nn.MultiheadAttention: packed in_proj, [B*heads, T, T]
                       attention), opset 17 (LayerNormalization) and 14 (LayerNorm decomposed into ReduceMean ...)
  timm17, timm14       TimmLayoutViT below: timm's graph structure ([B, heads, T, T] attention, one qkv Linear
                       reshaped [B, T, 3, heads, hd] and permuted), opset 17 and 14
  timm17-tanh          the same with GELU's tanh approximation
  relu-mlp             the timm layout with a ReLU MLP: not a standard ViT block, T-Attr must refuse it
  separate-qkv         the timm layout with q, k and v from three Linears: refused too
  vit_b_16             with --vit-b-16 only: torchvision's vit_b_16 at 224x224 (its own random initialization, the
                       zero head re-initialized), a check by hand on the real model (README, Vision Transformers)

The T-Attr here is written from Chefer et al.'s rules (CVPR 2021; their ViT_LRP.py / layers_ours.py), on weights
read from the PyTorch modules (not from the ONNX file), in float64, from the tokens entering block 0 (taken from the
module by a forward hook; the forward pass from those weights is asserted to give the module's logits):
  Linear     alpha = 1, beta = 0 (bias left out of Z): R_x = x+ * d(x+ W+ᵀ)/dx+ [S] + x- * d(x- W-ᵀ)/dx- [S], S = R / Z
  A @ B      (attention @ V and q @ kᵀ): z-rule by autograd, each operand's share halved
  x + y      (residual): z-rule shares rescaled so that they keep the ratio |sum R_x| : |sum R_y| and sum to sum R
  fork       R_x = x * (R_1 / x + R_2 / x)
  LayerNorm, GELU, softmax and the scaling pass relevance on; [CLS] picked after the final norm.
  Division is Chefer's safe_divide. Per block, Abar_b = mean over heads of relu(dA_b * R_A,b); R = product of
  (Abar_b + I) for b = 1 .. B-1 (start block 1, later blocks on the left, rows not normalized).
Rollout: product of (mean_h A_b + I) / rowsum over all blocks. GAE: R = I, R <- R + mean_h relu(dA_b * A_b) R.
Every map: R[0, 1:] on the patch grid, bilinearly resized (align_corners=False).
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('--images', type=int, default=2)
ap.add_argument('--vit-b-16', action='store_true', help='torchvision vit_b_16 at 224x224 instead (random weights, head re-initialized)')
args = ap.parse_args()
torch.set_num_threads(1)

SIZE, PATCH, DEPTH, DIM, MLP, CLASSES = (224, 16, 12, 768, 3072, 1000) if args.vit_b_16 else (32, 8, 3, 32, 64, 10)
GRID = SIZE // PATCH
TOKENS = GRID * GRID + 1


# ---- a ViT with timm's graph structure, written here -------------------------------------------------------------

class SelfAttention(nn.Module):
    """One Linear makes q, k and v; its output is split as (3, heads, head_dim) and unbound, as timm's Attention does."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        parts = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = parts.unbind(0)
        weights = (q @ k.transpose(-2, -1)) * self.scale
        weights = weights.softmax(dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, t, d))


class SeparateProjections(SelfAttention):
    """q, k and v from three Linears (not timm's layout): T-Attr must refuse it."""

    def __init__(self, dim, heads):
        super().__init__(dim, heads)
        del self.qkv
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = [f(x).reshape(b, t, self.heads, d // self.heads).transpose(1, 2) for f in (self.q, self.k, self.v)]
        weights = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = act
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class PreNormBlock(nn.Module):
    def __init__(self, dim, heads, hidden, act, attention):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = FeedForward(dim, hidden, act)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TimmLayoutViT(nn.Module):
    """Patch Conv, [CLS] token before the patches, learned position embedding, pre-norm blocks, final norm, head on [CLS]."""

    def __init__(self, heads, act, attention=SelfAttention):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, DIM, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIM))
        self.pos_embed = nn.Parameter(torch.zeros(1, TOKENS, DIM))
        self.blocks = nn.Sequential(*[PreNormBlock(DIM, heads, MLP, act, attention) for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=1e-6)
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, x):
        patches = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), patches], dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


# ---- the per-block weights of either layout, read from the modules ------------------------------------------------

def norm_of(m):
    return (m.weight, m.bias, m.eps)


def linear_of(m):
    """(weight [out, in], bias [out])."""
    return (m.weight, m.bias)


def encoder_of(model):
    """Blocks as dicts of weights, the final norm, the head, heads, GELU form, and the module that takes the tokens entering block 0."""
    if isinstance(model, VisionTransformer):
        blocks = []
        for layer in model.encoder.layers:
            att = layer.self_attention
            blocks.append({
                'norm1': norm_of(layer.ln_1), 'qkv': (att.in_proj_weight, att.in_proj_bias),
                'proj': linear_of(att.out_proj), 'norm2': norm_of(layer.ln_2),
                'fc1': linear_of(layer.mlp[0]), 'fc2': linear_of(layer.mlp[3]),
            })
        return {'blocks': blocks, 'norm': norm_of(model.encoder.ln), 'head': linear_of(model.heads.head),
                'heads': model.encoder.layers[0].self_attention.num_heads, 'gelu': 'none', 'first': model.encoder.layers[0]}
    blocks = [{
        'norm1': norm_of(b.norm1), 'qkv': linear_of(b.attn.qkv), 'proj': linear_of(b.attn.proj),
        'norm2': norm_of(b.norm2), 'fc1': linear_of(b.mlp.fc1), 'fc2': linear_of(b.mlp.fc2),
    } for b in model.blocks]
    return {'blocks': blocks, 'norm': norm_of(model.norm), 'head': linear_of(model.head), 'heads': model.blocks[0].attn.heads,
            'gelu': model.blocks[0].mlp.act.approximate, 'first': model.blocks[0]}


def tokens_entering_block0(model, enc, x):
    seen = []
    hook = enc['first'].register_forward_pre_hook(lambda mod, inp: seen.append(inp[0].detach()))
    with torch.no_grad():
        logits = model(x)
    hook.remove()
    return seen[0], logits


# ---- forward pass and LRP, in the model's dtype-----------------------------------------------------------------------------

def layer_norm(x, p):
    w, b, eps = p
    return F.layer_norm(x, x.shape[-1:], w, b, eps)


def linear(x, p):
    return x @ p[0].T + p[1]


def block_forward(x, w, heads, gelu):
    t, d = x.shape
    n1 = layer_norm(x, w['norm1'])
    q, k, v = linear(n1, w['qkv']).reshape(t, 3, heads, d // heads).permute(1, 2, 0, 3)
    a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), -1)
    a.retain_grad()
    merged = (a @ v).transpose(0, 1).reshape(t, d)
    proj = linear(merged, w['proj'])
    mid = x + proj
    n2 = layer_norm(mid, w['norm2'])
    g = F.gelu(linear(n2, w['fc1']), approximate=gelu)
    fc2 = linear(g, w['fc2'])
    keep = dict(x=x, n1=n1, q=q, k=k, v=v, a=a, merged=merged, proj=proj, mid=mid, n2=n2, g=g, fc2=fc2)
    return mid + fc2, keep


def encoder_forward(tokens, enc):
    x, keeps = tokens, []
    for w in enc['blocks']:
        x, keep = block_forward(x, w, enc['heads'], enc['gelu'])
        keeps.append(keep)
    normed = layer_norm(x, enc['norm'])
    return linear(normed[0], enc['head']), keeps, normed


def safe_divide(a, b):
    den = b + 1e-9
    den = den + (den == 0).to(den.dtype) * 1e-9
    return a / den * (b != 0).to(b.dtype)


def relevance_linear(r, x, weight):
    x = x.detach()
    xp = x.clamp(min=0).requires_grad_(True)
    xn = x.clamp(max=0).requires_grad_(True)
    zp = xp @ weight.clamp(min=0).T
    zn = xn @ weight.clamp(max=0).T
    s = safe_divide(r, zp + zn)
    gp, gn = torch.autograd.grad([zp, zn], [xp, xn], [s, s])
    return (xp * gp + xn * gn).detach()


def relevance_product(r, a, b, op):
    a = a.detach().requires_grad_(True)
    b = b.detach().requires_grad_(True)
    z = op(a, b)
    ga, gb = torch.autograd.grad(z, [a, b], safe_divide(r, z))
    return (a * ga).detach() / 2, (b * gb).detach() / 2


def relevance_add(r, x, y):
    s = safe_divide(r, x + y)
    rx, ry = (x * s).detach(), (y * s).detach()
    sx, sy = rx.sum(), ry.sum()
    total = sx.abs() + sy.abs()
    return rx * safe_divide(safe_divide(sx.abs(), total) * r.sum(), sx), ry * safe_divide(safe_divide(sy.abs(), total) * r.sum(), sy)


def relevance_fork(r1, r2, x):
    x = x.detach()
    return x * (safe_divide(r1, x) + safe_divide(r2, x))


def attention_relevances(enc, keeps, normed, k, classes):
    heads = enc['heads']
    cls = normed[0].detach()
    one_hot = torch.zeros(classes, dtype=cls.dtype)
    one_hot[k] = 1
    r_cls = relevance_linear(one_hot, cls, enc['head'][0])
    r = torch.zeros_like(normed)
    r[0] = cls * safe_divide(r_cls, cls)
    out = [None] * len(keeps)
    for b in reversed(range(len(keeps))):
        s, w = keeps[b], enc['blocks'][b]
        t, d = s['x'].shape
        skip2, mlp = relevance_add(r, s['mid'].detach(), s['fc2'].detach())
        r_n2 = relevance_linear(relevance_linear(mlp, s['g'], w['fc2'][0]), s['n2'], w['fc1'][0])
        r_mid = relevance_fork(skip2, r_n2, s['mid'])
        skip1, attn = relevance_add(r_mid, s['x'].detach(), s['proj'].detach())
        r_heads = relevance_linear(attn, s['merged'], w['proj'][0]).reshape(t, heads, -1).transpose(0, 1)
        r_a, r_v = relevance_product(r_heads, s['a'], s['v'], lambda p, q: p @ q)
        r_q, r_k = relevance_product(r_a, s['q'], s['k'], lambda p, q: p @ q.transpose(-1, -2))
        r_qkv = torch.stack([r_q, r_k, r_v]).permute(2, 0, 1, 3).reshape(t, -1)
        r = relevance_fork(skip1, relevance_linear(r_qkv, s['n1'], w['qkv'][0]), s['x'])
        out[b] = r_a
    return out


# ---- maps ------------------------------------------------------------------------------------------------------------

def product(mats, normalize, start):
    joint = None
    for m in mats[start:]:
        hat = m + torch.eye(TOKENS, dtype=m.dtype)
        if normalize:
            hat = hat / hat.sum(-1, keepdim=True)
        joint = hat if joint is None else hat @ joint
    return joint


def to_map(row):
    return F.interpolate(row.reshape(1, 1, GRID, GRID), size=(SIZE, SIZE), mode='bilinear', align_corners=False)[0, 0]


def randomize(model, seed):
    """Every parameter drawn, so that gains, shifts and biases are not the trivial ones PyTorch starts with."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if p.dim() == 1 and ('ln' in name or 'norm' in name) and name.endswith('weight'):
                p.copy_(1 + 0.3 * noise)
            elif p.dim() == 1:
                p.copy_(0.2 * noise)
            elif p.dim() == 2 and p.shape[0] == 3 * DIM:
                p.copy_(noise * 2.0 / math.sqrt(p.shape[1]))  # q and k wide, so that attention is far from uniform
            elif p.dim() == 2:
                p.copy_(noise / math.sqrt(p.shape[1]))
            else:
                p.copy_(noise * 0.5 if 'conv' not in name and 'patch' not in name else noise / math.sqrt(p[0].numel()))


def build(name):
    torch.manual_seed(11)
    if name == 'vit_b_16':
        model = torchvision.models.vit_b_16(weights=None)
        model.heads.head.reset_parameters()  # torchvision starts it at zero: every logit would be 0
        return model.eval()
    if name.startswith('tv'):
        model = VisionTransformer(image_size=SIZE, patch_size=PATCH, num_layers=DEPTH, num_heads=2, hidden_dim=DIM, mlp_dim=MLP, num_classes=CLASSES)
    else:
        act = {'relu-mlp': nn.ReLU(), 'timm17-tanh': nn.GELU(approximate='tanh')}.get(name, nn.GELU())
        model = TimmLayoutViT(heads=4, act=act, attention=SeparateProjections if name == 'separate-qkv' else SelfAttention)
    randomize(model, 12)
    return model.eval()


def reference(model, x_all, jitter=None):
    """Per image: target, logits, the three maps and T-Attr's attention relevances, in the model's dtype; with `jitter`
    (a seed) the tokens entering block 0 moved by up to 5e-7 of their largest value, as float32 rounding moves them."""
    enc = encoder_of(model)
    out = {'targets': [], 'logits': [], 'rollout': [], 'gae': [], 'tattr': [], 'relevance': []}
    tight = 1e-9 if enc['norm'][0].dtype == torch.float64 and jitter is None else 1e-4
    for i in range(x_all.shape[0]):
        tokens, logits = tokens_entering_block0(model, enc, x_all[i:i + 1].to(enc['norm'][0].dtype))
        if jitter is not None:
            u = torch.rand(tokens.shape, generator=torch.Generator().manual_seed(jitter * 100 + i), dtype=tokens.dtype)
            tokens = tokens + (2 * u - 1) * 5e-7 * tokens.abs().max()
        own, keeps, normed = encoder_forward(tokens[0], enc)
        # The forward pass written here is the module's: else its weights were read wrongly.
        assert torch.allclose(own, logits[0], rtol=tight, atol=tight), (own, logits[0])
        k = int(logits[0].argmax())
        out['targets'].append(k)
        out['logits'].append(logits[0].numpy())
        own[k].backward()
        atts = [s['a'].detach() for s in keeps]
        grads = [s['a'].grad.detach() for s in keeps]
        rel = attention_relevances(enc, keeps, normed, k, CLASSES)
        out['relevance'].append(torch.stack(rel).numpy())
        out['rollout'].append(to_map(product([a.mean(0) for a in atts], True, 0)[0, 1:]).numpy())
        gae = torch.eye(TOKENS, dtype=own.dtype)
        for a, g_ in zip(atts, grads):
            gae = gae + (a * g_).clamp(min=0).mean(0) @ gae
        out['gae'].append(to_map(gae[0, 1:]).numpy())
        out['tattr'].append(to_map(product([(g_ * r).clamp(min=0).mean(0) for g_, r in zip(grads, rel)], False, 1)[0, 1:]).numpy())
    return out


def save(out_dir, ref):
    for key in ['logits', 'rollout', 'gae', 'tattr']:
        np.save(os.path.join(out_dir, key + '.npy'), np.stack(ref[key]).astype(np.float32))
    relevance = np.stack(ref['relevance'])  # [N, blocks, heads, T, T]
    for b in range(relevance.shape[1]):
        np.save(os.path.join(out_dir, f'relevance_{b}.npy'), relevance[:, b].astype(np.float32))


def spread(ref, others):
    """Per image, how far float32 moves the T-Attr map and each block's relevance, relative to their largest value:
    the most over PyTorch's own float32 run and float64 runs from jittered tokens. LRP's divisions (the residual
    rule's R / (x + y), its rescaling by sums of both signs) make some images ill-conditioned; a float32
    implementation can be held to about this, not to float64's digits."""
    def rel(a, b):
        return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max() / np.abs(np.asarray(b)).max())
    n = len(ref['tattr'])
    return {
        'tattr': [max(rel(o['tattr'][i], ref['tattr'][i]) for o in others) for i in range(n)],
        'relevance': [[max(rel(o['relevance'][i][b], ref['relevance'][i][b]) for o in others) for b in range(DEPTH)] for i in range(n)],
    }


MODELS = {'vit_b_16': 17} if args.vit_b_16 else {'tv17': 17, 'tv14': 14, 'timm17': 17, 'timm14': 14, 'timm17-tanh': 17, 'relu-mlp': 17, 'separate-qkv': 17}
about = {}
x_all = torch.randn(args.images, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(5))
for name, opset in MODELS.items():
    out_dir = os.path.join(args.out, name)
    os.makedirs(out_dir, exist_ok=True)
    model = build(name)
    torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), os.path.join(out_dir, 'model.onnx'), opset_version=opset,
                      input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    np.save(os.path.join(out_dir, 'input.npy'), x_all.numpy())
    if name in ('relu-mlp', 'separate-qkv'):
        about[name] = {'refused': True}
        continue
    f32 = reference(model, x_all)
    model = model.double()
    ref = reference(model, x_all)
    save(out_dir, ref)
    about[name] = {'refused': False, 'targets': ref['targets'], 'heads': encoder_of(model)['heads'], 'tokens': TOKENS, 'grid': [GRID, GRID],
                   'blocks': DEPTH, 'opset': opset, 'spread': spread(ref, [f32] + [reference(model, x_all, jitter=j) for j in range(3)])}
json.dump(about, open(os.path.join(args.out, 'reference.json'), 'w'), indent=1)
