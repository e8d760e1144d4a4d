// An ONNX graph exported from PyTorch behind the engine's model interface. Runs go through cached plans of the
// compiled graph (execute.ts); activations come out channels-last as for every model kind and go back in the same way.
// A model exported with a fixed batch size that its graph bakes in (constant reshapes) runs in chunks of that size.
import { tf } from '../../tf';
import type { Preprocessing } from '../../../../shared/preprocessing';
import type { AttentionModel, CutPoint, ModelKind, ModelWalk, ParameterizedModule, VisionModel } from '../vision-model';
import type { CompiledGraph } from './compile-graph';
import { buildPlan, runPlan, tapeActive, type Plan } from './execute';
import { relayout } from './layout';
import { discoverAttention, EXPECTED_ATTENTION_PATTERN, markEncoderBlockOutputs } from './onnx-attention';
import { OnnxAttentionModel } from './onnx-attention-model';
import { allModulePaths } from './module-paths';
import type { OnnxCuts } from './onnx-cut-points';
import { onnxParameterizedModules } from './onnx-weights';
import { onnxWalk } from './onnx-walk';
import { size } from './host-tensor';

export class OnnxVisionModel implements VisionModel {
  readonly kind: ModelKind = 'onnx';
  readonly cuts: CutPoint[];
  readonly numClasses: number;
  private readonly plans = new Map<string, Plan>();
  private readonly modules: ParameterizedModule[];
  private readonly layerNames: Set<string>;
  private walkCache: ModelWalk | null = null;
  private disposed = false;
  /** A ViT's attention points found in the graph (onnx-attention.ts), or null. */
  private readonly attentionModel: OnnxAttentionModel | null;
  readonly attentionProblem: string | null;

  constructor(
    private readonly cg: CompiledGraph,
    private readonly cutInfo: OnnxCuts,
    readonly preprocessing: Preprocessing,
    readonly hash: string,
    readonly path: string | null,
    /** The batch size the graph is fixed to, or null when any batch size runs. */
    private readonly fixedBatch: number | null,
  ) {
    this.cuts = cutInfo.cuts;
    const found = discoverAttention(cg, fixedBatch !== null);
    if (found.layout) markEncoderBlockOutputs(cg, cutInfo, found.layout);
    this.attentionModel = found.layout ? new OnnxAttentionModel(cg, found.layout, fixedBatch, () => this.checkAlive()) : null;
    this.attentionProblem = found.problem === null ? null
      : `its attention was not recognised: ${found.problem}. DIX Workbench expects ${EXPECTED_ATTENTION_PATTERN}`;
    this.numClasses = cg.values[cg.outputId].shape[1];
    this.modules = onnxParameterizedModules(cg.params);
    const nodeNames = cg.nodes.map((n) => n.node.name);
    this.layerNames = new Set([...allModulePaths(nodeNames), ...nodeNames, ...nodeNames.map((n) => n.replace(/^\//, '')), ...cg.values.map((v) => v.name)]);
  }

  countParams(): number {
    const names = new Set<string>();
    for (const n of this.cg.graph.nodes) {
      for (const i of n.inputs) {
        const init = this.cg.graph.initializers.get(i);
        if (init?.float && !this.cg.graph.constants.has(i)) names.add(i);
      }
    }
    return [...names].reduce((a, n) => a + size(this.cg.graph.initializers.get(n)!.dims), 0);
  }

  predict(input: tf.Tensor): tf.Tensor2D {
    return this.run(this.cg.inputId, input, [this.cg.outputId])[0] as tf.Tensor2D;
  }

  forwardWithActivations(input: tf.Tensor, cuts: CutPoint[]): { activations: tf.Tensor[]; logits: tf.Tensor2D } {
    const ids = cuts.map((c) => this.valueId(c));
    const outs = this.run(this.cg.inputId, input, [...ids, this.cg.outputId]);
    return { activations: outs.slice(0, cuts.length), logits: outs[cuts.length] as tf.Tensor2D };
  }

  tailLogits(cut: CutPoint, activation: tf.Tensor): tf.Tensor2D {
    return this.run(this.valueId(cut), activation, [this.cg.outputId])[0] as tf.Tensor2D;
  }

  hasLayer(name: string): boolean {
    return this.layerNames.has(name);
  }

  parameterizedModules(): ParameterizedModule[] {
    return this.modules;
  }

  tailActivationBytes(cut: CutPoint): number {
    let elements = 0;
    for (const [index, position] of this.cutInfo.positions) {
      if (position <= cut.position) continue;
      for (const id of this.cg.nodes[index].outIds) {
        const v = this.cg.values[id];
        if (v.kind !== 'tensor') continue;
        elements += this.fixedBatch ? size(v.shape) / this.fixedBatch : size(v.shape.map((d, i) => d + v.growth[i] * (1 - this.cg.probeBatch)));
      }
    }
    return elements * 4;
  }

  walk(): ModelWalk {
    this.walkCache ??= onnxWalk(this.cg, (name) => this.cutInfo.valueOf.get(name)!);
    return this.walkCache;
  }

  attention(): AttentionModel | null {
    return this.attentionModel;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cg.store.dispose();
    for (const t of this.cg.held) t.dispose();
  }

  private valueId(cut: CutPoint): number {
    if (cut.position === 0) return this.cg.inputId;
    const id = this.cutInfo.valueOf.get(cut.name);
    if (id === undefined) throw new Error(`cut point ${cut.name} does not belong to this model`);
    return id;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('OnnxVisionModel used after dispose()');
  }

  /** Runs from a fed value (presented layout) to fetched values (presented layout). */
  private run(startId: number, feed: tf.Tensor, fetchIds: number[]): tf.Tensor[] {
    this.checkAlive();
    const taping = tapeActive();
    const key = `${startId}|${fetchIds.join(',')}|${taping}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = buildPlan(this.cg, startId, fetchIds, !taping);
      this.plans.set(key, plan);
    }
    const p = plan;
    const start = this.cg.values[startId];
    const once = (x: tf.Tensor) => {
      const physical = relayout(x, start.present, start.perm);
      const outs = runPlan(this.cg, p, physical, { batch: x.shape[0], taping });
      return outs.map((t, k) => {
        const rec = this.cg.values[fetchIds[k]];
        return relayout(t, rec.perm, rec.present);
      });
    };
    return tf.tidy(() => (this.fixedBatch && feed.shape[0] !== this.fixedBatch ? this.chunked(feed, once) : once(feed)));
  }

  /** Runs a fixed-batch graph on chunks of its batch size (the last one zero-padded) and joins the results. */
  private chunked(feed: tf.Tensor, once: (x: tf.Tensor) => tf.Tensor[]): tf.Tensor[] {
    const n = this.fixedBatch!;
    const total = feed.shape[0];
    const parts: tf.Tensor[][] = [];
    for (let b = 0; b < total; b += n) {
      const take = Math.min(n, total - b);
      let x = tf.slice(feed, b, take);
      if (take < n) x = tf.concat([x, tf.zeros([n - take, ...feed.shape.slice(1)])]);
      parts.push(once(x).map((t) => (take < n ? tf.slice(t, 0, take) : t)));
    }
    return parts[0].map((_, k) => (parts.length === 1 ? parts[0][k] : tf.concat(parts.map((p) => p[k]))));
  }
}
