// The wasm BatchMatMul runs on XNNPACK only without transpose flags; with transposeA or transposeB it falls back to a
// scalar blocked loop in C++ (tfjs-backend-wasm batch_mat_mul_impl.cc). A dense layer's input gradient is dy · Wᵀ
// (transposeB), its weight gradient xᵀ · dy (transposeA): both took the slow loop. On full VGG-16 the input gradient
// of fc1 ([B x 4096] · [25088 x 4096]ᵀ) alone took about 0.5 s per interpolant.
//
// This override re-expresses every transposed case of a single (batch-1) matrix product as an untransposed XNNPACK
// product of operands ordered so that the large matrix (the weight) is never copied or packed:
//   a · bᵀ  = (b · aᵀ)ᵀ    a: [M, K] small (the interpolants' dy), b: [N, K] large: only aᵀ and the [N, M] result are
//                          transposed; b streams through XNNPACK as its "input" (when b is the smaller, bᵀ is made instead)
//   aᵀ · b  = (aᵀ) · b     a transposed (its size), b packed by XNNPACK for this call
//   aᵀ · bᵀ = (b · a)ᵀ
// An earlier version kept a transposed copy of each weight (up to 256 MB, plus XNNPACK's packed copy of it), which
// cost wasm heap on large models; nothing is cached now: XNNPACK's packed copy of a per-call operand is freed with it.
// Batched products (batch > 1 on either side) keep the stock kernel.
import { tf } from '../tf';

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: tf.KernelBackend };
type KernelFn = (args: KernelArgs) => tf.TensorInfo;

export function installFastMatMulGrad(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original || (original as { dixFast?: boolean }).dixFast) return;
  const run = original.kernelFunc as unknown as KernelFn;
  const transposeKernel = tf.getKernel('Transpose', 'wasm')!.kernelFunc as unknown as KernelFn;
  const reshapeKernel = tf.getKernel('Reshape', 'wasm')!.kernelFunc as unknown as KernelFn;

  const kernelFunc: KernelFn = (args) => {
    const { inputs: { a, b }, attrs, backend } = args;
    const tA = Boolean(attrs.transposeA);
    const tB = Boolean(attrs.transposeB);
    if ((!tA && !tB) || a.shape.length < 2 || b.shape.length < 2 || a.shape.slice(0, -2).some((d) => d !== 1) ||
      b.shape.slice(0, -2).some((d) => d !== 1) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return run(args);
    }
    const temps: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo) => (temps.push(t), t);
    const as2d = (t: tf.TensorInfo) => keep(reshapeKernel({ inputs: { x: t }, attrs: { shape: t.shape.slice(-2) }, backend }));
    const tr = (t: tf.TensorInfo) => keep(transposeKernel({ inputs: { x: t }, attrs: { perm: [1, 0] }, backend }));
    const mm = (x: tf.TensorInfo, y: tf.TensorInfo) => run({ inputs: { a: x, b: y }, attrs: { transposeA: false, transposeB: false }, backend });
    const A = as2d(a);
    const B = as2d(b);
    let out: tf.TensorInfo;
    if (!tA) {
      // a [M, K], b [N, K]: out [M, N]
      const [m, k] = A.shape;
      const n = B.shape[0];
      if (2 * m * k + n * m <= 2 * n * k) out = tr(keep(mm(B, tr(A))));
      else out = mm(A, tr(B));
    } else if (!tB) {
      out = mm(tr(A), B); // a [K, M], b [K, N]
    } else {
      out = tr(keep(mm(B, A))); // a [K, M], b [N, K]: (b · a)ᵀ
    }
    const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), out.shape[0], out.shape[1]];
    const result = reshapeKernel({ inputs: { x: out }, attrs: { shape: outShape }, backend });
    if (!temps.includes(out)) temps.push(out);
    for (const t of temps) backend.disposeData(t.dataId);
    return result;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    setupFunc: original.setupFunc, dixFast: true } as tf.KernelConfig);
}
