// `npm run bench -- --conv-floor`: why the gradient methods stay slower than PyTorch on this backend. One 3x3
// convolution, forward and input gradient, at the shapes that dominate VGG-16 and ResNet-18 at 224x224, on the active
// backend beside PyTorch (bench/conv_floor.py) on the same thread count. A method made of such convolutions cannot be
// faster, relative to PyTorch, than these ratios.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tf } from '../main/engine/tf';

const SCRIPT = fileURLToPath(new URL('./conv_floor.py', import.meta.url));
/** [batch, height = width, C in, C out]: ResNet-18's layer1 and layer4 at batch 10, VGG-16's conv3 and conv4 at batch 4. */
const SHAPES: Array<[number, number, number, number]> = [[10, 56, 64, 64], [10, 7, 512, 512], [4, 56, 256, 256], [4, 28, 512, 512]];

export interface ConvFloorRow { shape: string; gflop: number; forwardMs: number; torchForwardMs: number; gradMs: number; torchGradMs: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function time(f: () => void, reps: number): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export function measureConvFloor(o: { threads: number; quick: boolean }): { torchVersion: string; rows: ConvFloorRow[] } {
  const reps = o.quick ? 3 : 7;
  const torch = JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT, JSON.stringify(SHAPES), String(o.threads), String(reps)], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as
    { torch: string; ms: Array<{ forward: number; inputGradient: number }> };
  const rows = SHAPES.map(([n, h, ci, co], i) => {
    const x = tf.randomNormal([n, h, h, ci], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, ci, co], 0, 0.05, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomNormal([n, h, h, co], 0, 1, 'float32', 3) as tf.Tensor4D;
    const forwardMs = time(() => tf.tidy(() => { tf.conv2d(x, w, 1, 'same').dataSync(); }), reps);
    const gradMs = time(() => tf.tidy(() => { tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w, 1, 'same'), dy)))(x).dataSync(); }), reps);
    tf.dispose([x, w, dy]);
    return { shape: `${n}x${h}x${h}x${ci} -> ${co}`, gflop: (2 * n * h * h * 9 * ci * co) / 1e9, forwardMs, torchForwardMs: torch.ms[i].forward, gradMs, torchGradMs: torch.ms[i].inputGradient };
  });
  return { torchVersion: torch.torch, rows };
}

export function printConvFloor(r: { torchVersion: string; rows: ConvFloorRow[] }, threads: number, backend: string): void {
  console.log(`\nOne 3x3 convolution, ${backend} with ${threads} thread(s) beside PyTorch ${r.torchVersion} on the same threads (median ms; GFLOP/s):\n`);
  console.log('| shape (NHWC -> C out) | GFLOP | forward ours | forward PyTorch | ratio | forward+input grad ours | PyTorch | ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    console.log(`| ${x.shape} | ${x.gflop.toFixed(2)} | ${x.forwardMs.toFixed(0)} (${(x.gflop / x.forwardMs * 1000).toFixed(1)}) | ${x.torchForwardMs.toFixed(0)} (${(x.gflop / x.torchForwardMs * 1000).toFixed(1)}) | ${(x.forwardMs / x.torchForwardMs).toFixed(2)} | ${x.gradMs.toFixed(0)} | ${x.torchGradMs.toFixed(0)} | ${(x.gradMs / x.torchGradMs).toFixed(2)} |`);
  }
}
