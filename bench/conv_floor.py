# The floor under every gradient method: one 3x3 convolution (forward, and its input gradient) in PyTorch on the
# given thread count, for the shapes bench/conv-floor.ts times on the wasm backend. Prints one JSON line.
import json
import sys
import time

import torch

SHAPES = json.loads(sys.argv[1])
torch.set_num_threads(int(sys.argv[2]))
reps = int(sys.argv[3])


def median_ms(f):
    f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    return sorted(ts)[(len(ts) - 1) // 2]


out = []
for n, h, c_in, c_out in SHAPES:
    conv = torch.nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
    x = torch.randn(n, c_in, h, h, requires_grad=True)
    with torch.no_grad():
        fwd = median_ms(lambda: conv(x))
    dy = torch.randn(n, c_out, h, h)
    # Forward and input gradient, as the workbench's tf.grad does both.
    bwd = median_ms(lambda: torch.autograd.grad(conv(x), x, dy))
    out.append({'forward': fwd, 'inputGradient': bwd})
print(json.dumps({'torch': torch.__version__, 'ms': out}))
