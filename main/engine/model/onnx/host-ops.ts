// Shape arithmetic on the host. torch.onnx.export writes x.shape[0], x.view(n, -1) and the like as small int64
// graphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape); they are evaluated here with plain numbers at run time,
// so a dynamic batch dimension works and no int64 tensor ever reaches TF.js. Values are tiny (a few entries).
import { UserError } from '../../errors';
import { numbers, size, type HostTensor } from './host-tensor';
import { attrInt, attrInts, type OnnxNode } from './onnx-graph';
import { axisOf } from './layout';

type HostFn = (node: OnnxNode, xs: Array<HostTensor | undefined>) => HostTensor[];

const host = (dims: number[], data: number[], float = false): HostTensor => ({ dims, data, float });

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** The multi-index of flat position k. */
function unravel(k: number, dims: readonly number[]): number[] {
  const idx = new Array<number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    idx[i] = k % dims[i];
    k = Math.floor(k / dims[i]);
  }
  return idx;
}

function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[i - (r - a.length)] ?? 1;
    const y = b[i - (r - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`host broadcast of [${a}] and [${b}]`);
    return x === 1 ? y : x;
  });
}

/** The element of `t` that broadcasts to multi-index `idx` of an output of rank idx.length. */
function at(t: HostTensor, idx: readonly number[], s: readonly number[]): number {
  const off = idx.length - t.dims.length;
  let k = 0;
  for (let i = 0; i < t.dims.length; i++) k += (t.dims[i] === 1 ? 0 : idx[i + off]) * s[i];
  return (t.data as ArrayLike<number>)[k];
}

function mapN(xs: HostTensor[], f: (...v: number[]) => number, float: boolean): HostTensor {
  const dims = xs.map((x) => x.dims).reduce(broadcastDims);
  const ss = xs.map((x) => strides(x.dims));
  const out = Array.from({ length: size(dims) }, (_, k) => {
    const idx = unravel(k, dims);
    return f(...xs.map((x, i) => at(x, idx, ss[i])));
  });
  return host(dims, out, float);
}

const arith = (f: (a: number, b: number) => number, intF?: (a: number, b: number) => number): HostFn => (_n, [a, b]) => {
  const float = a!.float || b!.float;
  return [mapN([a!, b!], float || !intF ? f : intF, float)];
};
const compare = (f: (a: number, b: number) => boolean): HostFn => (_n, [a, b]) => [mapN([a!, b!], (x, y) => (f(x, y) ? 1 : 0), false)];
const unaryHost = (f: (a: number) => number): HostFn => (_n, [a]) => [mapN([a!], f, a!.float)];

function gather(node: OnnxNode, [data, indices]: Array<HostTensor | undefined>): HostTensor[] {
  const d = data!;
  const axis = axisOf(attrInt(node, 'axis', 0), d.dims.length);
  const idx = numbers(indices!).map((i) => (i < 0 ? i + d.dims[axis] : i));
  const outDims = [...d.dims.slice(0, axis), ...indices!.dims, ...d.dims.slice(axis + 1)];
  const ds = strides(d.dims);
  const q = indices!.dims.length;
  const out = Array.from({ length: size(outDims) }, (_, k) => {
    const o = unravel(k, outDims);
    const flatIdx = q === 0 ? 0 : o.slice(axis, axis + q).reduce((acc, v, j) => acc * indices!.dims[j] + v, 0);
    const src = [...o.slice(0, axis), idx[flatIdx], ...o.slice(axis + q)];
    return (d.data as ArrayLike<number>)[src.reduce((acc, v, j) => acc + v * ds[j], 0)];
  });
  return [host(outDims, out, d.float)];
}

function concat(node: OnnxNode, xs: Array<HostTensor | undefined>): HostTensor[] {
  const parts = xs.filter((x): x is HostTensor => !!x);
  const rank = parts[0].dims.length;
  const axis = axisOf(attrInt(node, 'axis', 0), rank);
  const outDims = parts[0].dims.slice();
  outDims[axis] = parts.reduce((a, p) => a + p.dims[axis], 0);
  const out: number[] = [];
  const outer = size(outDims.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const inner = size(p.dims.slice(axis));
      const data = p.data as ArrayLike<number>;
      for (let k = 0; k < inner; k++) out.push(data[o * inner + k]);
    }
  }
  return [host(outDims, out, parts.some((p) => p.float))];
}

/** ONNX Slice's start/end for one axis of size `dim`, clamped as the spec says. */
export function sliceBounds(start: number, end: number, step: number, dim: number): [number, number] {
  const norm = (v: number) => (v < 0 ? v + dim : v);
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  return step > 0 ? [clamp(norm(start), 0, dim), clamp(norm(end), 0, dim)] : [clamp(norm(start), 0, dim - 1), clamp(norm(end), -1, dim - 1)];
}

function slice(_node: OnnxNode, [data, starts, ends, axesT, stepsT]: Array<HostTensor | undefined>): HostTensor[] {
  const d = data!;
  const rank = d.dims.length;
  const s = numbers(starts!);
  const e = numbers(ends!);
  const axes = axesT ? numbers(axesT).map((a) => axisOf(a, rank)) : s.map((_, i) => i);
  const steps = stepsT ? numbers(stepsT) : s.map(() => 1);
  const ranges = d.dims.map((dim) => ({ start: 0, step: 1, n: dim }));
  axes.forEach((a, i) => {
    const [b, en] = sliceBounds(s[i], e[i], steps[i], d.dims[a]);
    ranges[a] = { start: b, step: steps[i], n: Math.max(0, Math.ceil((en - b) / steps[i])) };
  });
  const outDims = ranges.map((r) => r.n);
  const ds = strides(d.dims);
  const out = Array.from({ length: size(outDims) }, (_, k) => {
    const o = unravel(k, outDims);
    return (d.data as ArrayLike<number>)[o.reduce((acc, v, j) => acc + (ranges[j].start + v * ranges[j].step) * ds[j], 0)];
  });
  return [host(outDims, out, d.float)];
}

function axesOf(node: OnnxNode, axesT: HostTensor | undefined): number[] {
  return axesT ? numbers(axesT) : attrInts(node, 'axes') ?? [];
}

function unsqueeze(node: OnnxNode, [x, axesT]: Array<HostTensor | undefined>): HostTensor[] {
  const axes = axesOf(node, axesT);
  const rank = x!.dims.length + axes.length;
  const dims = x!.dims.slice();
  for (const a of axes.map((v) => axisOf(v, rank)).sort((p, q) => p - q)) dims.splice(a, 0, 1);
  return [{ ...x!, dims }];
}

function squeeze(node: OnnxNode, [x, axesT]: Array<HostTensor | undefined>): HostTensor[] {
  const rank = x!.dims.length;
  const axes = axesOf(node, axesT).map((a) => axisOf(a, rank));
  const dims = x!.dims.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1));
  return [{ ...x!, dims }];
}

function reshape(node: OnnxNode, [x, shapeT]: Array<HostTensor | undefined>): HostTensor[] {
  const target = numbers(shapeT!);
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? x!.dims[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  return [{ ...x!, dims: out.map((d) => (d === -1 ? size(x!.dims) / known : d)) }];
}

function expand(_node: OnnxNode, [x, shapeT]: Array<HostTensor | undefined>): HostTensor[] {
  const target = numbers(shapeT!);
  const dims = broadcastDims(x!.dims, target);
  return [mapN([x!, host(dims, new Array<number>(size(dims)).fill(0))], (v) => v, x!.float)];
}

function constantOfShape(node: OnnxNode, [shapeT]: Array<HostTensor | undefined>): HostTensor[] {
  const dims = numbers(shapeT!);
  const v = node.attrs.get('value') as HostTensor | undefined;
  const fill = v ? numbers(v)[0] : 0;
  return [host(dims, new Array<number>(size(dims)).fill(fill), v ? v.float : true)];
}

function range(_node: OnnxNode, [start, limit, delta]: Array<HostTensor | undefined>): HostTensor[] {
  const [s, l, d] = [start!, limit!, delta!].map((t) => numbers(t)[0]);
  const n = Math.max(0, Math.ceil((l - s) / d));
  return [host([n], Array.from({ length: n }, (_, i) => s + i * d), start!.float)];
}

function cast(node: OnnxNode, [x]: Array<HostTensor | undefined>): HostTensor[] {
  const to = attrInt(node, 'to', 1);
  const float = to === 1 || to === 10 || to === 11 || to === 16;
  const v = numbers(x!);
  return [host(x!.dims, float ? v.slice() : v.map((a) => (to === 9 ? (a ? 1 : 0) : Math.trunc(a))), float)];
}

function where(_node: OnnxNode, [c, a, b]: Array<HostTensor | undefined>): HostTensor[] {
  return [mapN([c!, a!, b!], (cv, av, bv) => (cv ? av : bv), a!.float || b!.float)];
}

function transpose(node: OnnxNode, [x]: Array<HostTensor | undefined>): HostTensor[] {
  const d = x!;
  const perm = attrInts(node, 'perm') ?? d.dims.map((_, i) => d.dims.length - 1 - i);
  const outDims = perm.map((p) => d.dims[p]);
  const ds = strides(d.dims);
  const out = Array.from({ length: size(outDims) }, (_, k) => {
    const o = unravel(k, outDims);
    return (d.data as ArrayLike<number>)[o.reduce((acc, v, j) => acc + v * ds[perm[j]], 0)];
  });
  return [host(outDims, out, d.float)];
}

function reduce(f: (a: number, b: number) => number): HostFn {
  return (node, [x, axesT]) => {
    const rank = x!.dims.length;
    let axes = axesOf(node, axesT).map((a) => axisOf(a, rank));
    if (axes.length === 0) axes = x!.dims.map((_, i) => i);
    const keep = attrInt(node, 'keepdims', 1) === 1;
    const keptDims = x!.dims.map((d, i) => (axes.includes(i) ? 1 : d));
    const acc = new Map<number, number>();
    const ks = strides(keptDims);
    const v = numbers(x!);
    v.forEach((val, k) => {
      const idx = unravel(k, x!.dims).map((d, i) => (axes.includes(i) ? 0 : d));
      const key = idx.reduce((a, d, i) => a + d * ks[i], 0);
      acc.set(key, acc.has(key) ? f(acc.get(key)!, val) : val);
    });
    const out = Array.from({ length: size(keptDims) }, (_, k) => acc.get(k) ?? 0);
    return [host(keep ? keptDims : keptDims.filter((_, i) => !axes.includes(i)), out, x!.float)];
  };
}

const truncDiv = (a: number, b: number) => Math.trunc(a / b);

export const HOST_OPS: Record<string, HostFn> = {
  Identity: (_n, [x]) => [x!],
  Gather: gather,
  Concat: concat,
  Slice: slice,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Reshape: reshape,
  Flatten: (node, [x]) => {
    const axis = axisOf(attrInt(node, 'axis', 1), x!.dims.length);
    return [{ ...x!, dims: [size(x!.dims.slice(0, axis)), size(x!.dims.slice(axis))] }];
  },
  Expand: expand,
  Transpose: transpose,
  ConstantOfShape: constantOfShape,
  Range: range,
  Cast: cast,
  Where: where,
  Add: arith((a, b) => a + b),
  Sub: arith((a, b) => a - b),
  Mul: arith((a, b) => a * b),
  Div: arith((a, b) => a / b, truncDiv),
  Mod: arith((a, b) => a - Math.floor(a / b) * b),
  Pow: arith((a, b) => a ** b),
  Max: arith(Math.max),
  Min: arith(Math.min),
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  LessOrEqual: compare((a, b) => a <= b),
  GreaterOrEqual: compare((a, b) => a >= b),
  And: compare((a, b) => !!a && !!b),
  Or: compare((a, b) => !!a || !!b),
  Not: (_n, [x]) => [mapN([x!], (a) => (a ? 0 : 1), false)],
  Neg: unaryHost((a) => -a),
  Abs: unaryHost(Math.abs),
  Floor: unaryHost(Math.floor),
  Ceil: unaryHost(Math.ceil),
  Sqrt: (_n, [x]) => [mapN([x!], Math.sqrt, true)],
  ReduceProd: reduce((a, b) => a * b),
  ReduceSum: reduce((a, b) => a + b),
  ReduceMax: reduce(Math.max),
  ReduceMin: reduce(Math.min),
  Size: (_n, [x]) => [host([], [size(x!.dims)])],
};

/** Shape (opset 15: start/end) of a tensor whose logical shape is `shape`. */
export function shapeValue(node: OnnxNode, shape: readonly number[]): HostTensor {
  const rank = shape.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(attrInt(node, 'start', 0));
  const end = clamp(attrInt(node, 'end', rank));
  const out = shape.slice(start, Math.max(start, end));
  return host([out.length], out);
}

export function runHostOp(node: OnnxNode, xs: Array<HostTensor | undefined>): HostTensor[] {
  const f = HOST_OPS[node.opType];
  if (!f) throw new UserError(`Node "${node.name}" (${node.opType}) cannot run on shape values.`, 'Export the model with static shapes.');
  return f(node, xs);
}
