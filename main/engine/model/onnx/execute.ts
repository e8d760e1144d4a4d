// Runs a compiled graph. A plan is the flat list of steps needed to get some values from some fed value (the input, or
// a cut point's activation), made once per (start, fetches) and cached: each step knows the slots it reads and writes
// and the slots to free after it, so intermediates are dropped as soon as their last consumer ran. Without a gradient
// tape a Conv followed only by its Relu/Relu6 runs as one fused kernel (unless its output is fetched).
import { tf } from '../../tf';
import type { CompiledGraph, CompiledNode } from './compile-graph';
import { isHost, type RunFn, type RunState, type Value } from './op-types';

interface Step {
  run: RunFn;
  argIds: number[];
  outIds: number[];
  /** Slots to free after this step. */
  frees: number[];
}

export interface Plan {
  steps: Step[];
  startId: number;
  fetchIds: number[];
}

/** Nodes needed for `fetchIds` when `startId` is fed; Shape nodes do not pull in their input's producer. */
function neededNodes(cg: CompiledGraph, startId: number, fetchIds: number[]): CompiledNode[] {
  const need = new Set<number>();
  const stack = fetchIds.filter((id) => id !== startId);
  const seen = new Set<number>(stack);
  while (stack.length) {
    const id = stack.pop()!;
    const producer = cg.values[id].producer;
    if (producer < 0) throw new Error(`value ${cg.values[id].name} needs the model input, which is not fed`);
    if (need.has(producer)) continue;
    need.add(producer);
    const n = cg.nodes[producer];
    n.argIds.forEach((a) => {
      if (a < 0 || a === startId || seen.has(a)) return;
      if (n.shapeReader && cg.values[a].kind === 'tensor') return;
      seen.add(a);
      stack.push(a);
    });
  }
  return [...need].sort((a, b) => a - b).map((i) => cg.nodes[i]);
}

/** The plan for fetching `fetchIds` from a fed `startId`; `fuse` allows Conv+activation fusion. */
export function buildPlan(cg: CompiledGraph, startId: number, fetchIds: number[], fuse: boolean): Plan {
  const nodes = neededNodes(cg, startId, fetchIds);
  const inPlan = new Set(nodes.map((n) => n.index));
  const fetched = new Set(fetchIds);
  const steps: Array<Step & { index: number }> = [];
  const skip = new Set<number>();
  for (const n of nodes) {
    if (skip.has(n.index)) continue;
    let step: Step & { index: number } = { index: n.index, run: n.run, argIds: n.argIds, outIds: n.outIds, frees: [] };
    if (fuse && n.fused && n.outIds.length === 1) {
      const out = n.outIds[0];
      const consumers = cg.values[out].consumers;
      const next = consumers.length === 1 ? cg.nodes[consumers[0]] : null;
      if (next && next.activation && inPlan.has(next.index) && !fetched.has(out) && out !== startId && next.argIds.filter((a) => a >= 0).length === 1) {
        step = { index: n.index, run: n.fused(next.activation), argIds: n.argIds, outIds: next.outIds, frees: [] };
        skip.add(next.index);
      }
    }
    steps.push(step);
  }
  // Free each runtime value after its last reader in this plan (never the fed value or a fetched one).
  const lastUse = new Map<number, number>();
  steps.forEach((s, k) => {
    for (const a of s.argIds) if (a >= 0) lastUse.set(a, k);
    for (const o of s.outIds) if (!lastUse.has(o)) lastUse.set(o, k);
  });
  for (const [id, k] of lastUse) {
    if (id === startId || fetched.has(id)) continue;
    steps[k].frees.push(id);
  }
  return { steps, startId, fetchIds };
}

/** Whether a gradient tape records the ops now (inside tf.grad / tf.grads / tf.variableGrads). */
export function tapeActive(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/**
 * Puts another tensor in a value's slot right after its producer ran (a ViT's attention replaced or probed,
 * onnx-attention-model.ts): called for every value produced; returns the tensor to use instead (a new handle, owned by
 * the run), or undefined to keep the computed one.
 */
export type SubstituteValue = (id: number, computed: tf.Tensor) => tf.Tensor | undefined;

/**
 * Runs a plan with `feed` in the start slot. `observe` sees every value as it is produced (the load-time probe).
 * Call inside tf.tidy: temporaries of the ops are left to it, the slots are freed here.
 */
export function runPlan(cg: CompiledGraph, plan: Plan, feed: tf.Tensor, rt: RunState, observe?: (id: number, v: Value) => void, substitute?: SubstituteValue): tf.Tensor[] {
  const slots: Array<Value | undefined> = new Array(cg.values.length);
  slots[plan.startId] = feed;
  for (const step of plan.steps) {
    const args = step.argIds.map((id) => (id >= 0 ? slots[id] : undefined));
    const outs = step.run(args, rt);
    for (let k = 0; k < step.outIds.length; k++) {
      let v = outs[k];
      // An op that handed back one of its inputs: the slot needs its own handle.
      if (!isHost(v) && args.includes(v)) v = tf.reshape(v, v.shape);
      if (substitute && !isHost(v)) v = substitute(step.outIds[k], v) ?? v;
      slots[step.outIds[k]] = v;
      observe?.(step.outIds[k], v);
    }
    for (const id of step.frees) {
      const v = slots[id];
      if (v !== undefined && !isHost(v)) v.dispose();
      slots[id] = undefined;
    }
  }
  return plan.fetchIds.map((id) => {
    const v = slots[id];
    if (v === undefined || isHost(v)) throw new Error(`value ${cg.values[id].name} was not computed`);
    return id === plan.startId ? tf.reshape(v, v.shape) : v;
  });
}
