// TF.js keeps every gradient tensor of a backward pass alive until the pass ends (tape.ts backpropagateGradients
// stores each node's input gradients in a map and never releases a node's output gradients once it has used them).
// For an interpolant batch through VGG-16 that is a second copy of every activation on top of the saved forward
// activations. This hook releases a node's output gradients (its dys) as soon as the tape has computed that node's
// input gradients, the way PyTorch's autograd frees buffers during backward. It changes no number: only tensors that
// nothing can read any more are disposed.
//
// A dy is released only when it is known to be a tensor the pass itself made once: the result of exactly one
// gradient thunk of an earlier node. That excludes the seed (ones or the caller's dy), accumulated sums (made by the
// tape's add, which disposes what it replaces itself) and any tensor a gradient passed through unchanged to an input
// (returned by two thunks, so still referenced). Only outermost passes are touched (higher-order gradients keep the
// stock behaviour), and only within engine.gradients, i.e. tf.grad, tf.grads, tf.valueAndGrad(s), variableGrads.
import { tf } from '../tf';

type Tensor = tf.Tensor;
type Thunks = Record<string, () => Tensor>;
interface TapeNode { gradient?: (dys: Tensor[]) => Thunks }
interface Pass { returned: Map<Tensor, number>; pending: Tensor[] }
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  addTapeNode(...args: unknown[]): void;
  gradients(...args: unknown[]): unknown;
  dixBackwardMemory?: boolean;
}

const passes: Pass[] = [];
let enabled = true;

/** Turns the release on or off (tests compare both); the hook stays installed. */
export function setBackwardMemoryRelease(on: boolean): void {
  enabled = on;
}

function release(pass: Pass): void {
  for (const t of pass.pending) if (pass.returned.get(t) === 1 && !t.isDisposed) t.dispose();
  pass.pending = [];
}

let filterGradUnused = false;

/**
 * True while the gradient of a fused convolution runs whose filter gradient nobody asked for (an input gradient:
 * the filter is no variable being differentiated). tfjs-core's fused conv2d computes its filter gradient eagerly
 * (customGrad), which on resnet18 at 224x224 was 23% of a backward pass; the Conv2DBackpropFilter kernels of
 * fast-conv-grads.ts return zeros instead while this holds. The value is discarded by the tape either way.
 */
export function filterGradientUnused(): boolean {
  return filterGradUnused;
}

type TapeNodeView = { kernelName?: string; inputs?: Record<string, unknown> };

function callGradient(node: TapeNodeView | undefined, gradient: (dys: Tensor[]) => Thunks, dys: Tensor[]): Thunks {
  // A customGrad node's inputs are named by position: '0' x, '1' filter. The tape calls node.gradient on its pruned
  // copy of the node, whose inputs are only those that lead from the differentiated tensors.
  const skip = enabled && node?.kernelName === 'fusedConv2d__op' && node.inputs !== undefined && !('1' in node.inputs);
  if (!skip) return gradient(dys);
  filterGradUnused = true;
  try {
    return gradient(dys);
  } finally {
    filterGradUnused = false;
  }
}

function wrapGradient(gradient: (dys: Tensor[]) => Thunks): (dys: Tensor[]) => Thunks {
  return function (this: TapeNodeView | undefined, dys: Tensor[]) {
    const pass = passes.at(-1);
    if (!pass) return callGradient(this, gradient, dys);
    release(pass); // the previous node's thunks have all run: its dys are read by nobody now
    const thunks = callGradient(this, gradient, dys);
    pass.pending = dys.filter((d): d is Tensor => d != null);
    const wrapped: Thunks = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      wrapped[name] = () => {
        const r = thunk();
        pass.returned.set(r, (pass.returned.get(r) ?? 0) + 1);
        return r;
      };
    }
    return wrapped;
  };
}

/** Installs the hook on TF.js's engine (all backends); idempotent. */
export function installBackwardMemoryRelease(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.dixBackwardMemory) return;
  const addTapeNode = engine.addTapeNode;
  const gradients = engine.gradients;
  if (typeof addTapeNode !== 'function' || typeof gradients !== 'function') return; // another TF.js: leave it alone
  engine.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node?.gradient) node.gradient = wrapGradient(node.gradient);
  };
  engine.gradients = function (this: EngineInternals, ...args: unknown[]) {
    if (!enabled || this.state.gradientDepth !== 0 || passes.length > 0) return gradients.apply(this, args);
    passes.push({ returned: new Map(), pending: [] });
    try {
      return gradients.apply(this, args);
    } finally {
      passes.pop();
    }
  };
  engine.dixBackwardMemory = true;
}
