// Everything the methods share for one image: the preprocessed input, one prefix forward pass that yields the
// activations at every cut point any requested method needs (and the logits), and the class gradient at each cut,
// computed once and reused by all CAM variants. Owns its tensors: call dispose() when the image is done.
import { tf } from '../tf';
import { UserError } from '../errors';
import type { CutPoint, VisionModel } from '../model/vision-model';
import type { Completeness } from '../../../shared/provenance';
import { classGradient } from './path-integral';

export class ImageContext {
  readonly logits: tf.Tensor2D;
  readonly targetClass: number;
  /** Top-1 class on the clean input. */
  readonly predictedClass: number;
  private readonly activations = new Map<string, tf.Tensor>();
  private readonly gradients = new Map<string, tf.Tensor>();
  /** The completeness gaps the running method noted (path methods with phi = g); explainImage collects them. */
  private gaps: Completeness[] = [];

  constructor(
    readonly vm: VisionModel,
    /** [1, H, W, C], already preprocessed. */
    readonly input: tf.Tensor4D,
    cuts: CutPoint[],
    targetClass?: number | null,
  ) {
    const cls = vm.numClasses;
    if (targetClass !== undefined && targetClass !== null && !(Number.isInteger(targetClass) && targetClass >= 0 && targetClass < cls)) {
      // Unchecked, an out-of-range class slices past the logits (on wasm: "memory access out of bounds").
      throw new UserError(`Target class ${targetClass} is out of range: the model has ${cls} classes (0..${cls - 1}).`);
    }
    // The input (position 0) is not fetched: execute() would hand back the caller's own tensor, which dispose()
    // would then free; activation() returns the input for it.
    const unique = [...new Map(cuts.filter((c) => c.position !== 0).map((c) => [c.name, c])).values()];
    const { activations, logits } = vm.forwardWithActivations(input, unique);
    unique.forEach((c, i) => this.activations.set(c.name, activations[i]));
    this.logits = logits;
    const top = tf.argMax(logits, 1);
    this.predictedClass = top.dataSync()[0];
    top.dispose();
    this.targetClass = targetClass ?? this.predictedClass;
  }

  get height(): number {
    return this.input.shape[1];
  }
  get width(): number {
    return this.input.shape[2];
  }

  /** x^l at a cut point (owned by the context; do not dispose). */
  activation(cut: CutPoint): tf.Tensor4D {
    if (cut.position === 0) return this.input;
    const a = this.activations.get(cut.name);
    if (!a) throw new Error(`activation at ${cut.name} was not requested when the context was made`);
    return a as tf.Tensor4D;
  }

  /** d f_k^l / d x^l at the clean activation (owned by the context). */
  gradient(cut: CutPoint): tf.Tensor4D {
    let g = this.gradients.get(cut.name);
    if (!g) {
      // keep(): this is first asked for inside some method's tidy, which must not dispose the shared cache.
      g = tf.keep(tf.tidy(() => classGradient(this.vm, cut, this.activation(cut), this.targetClass)));
      this.gradients.set(cut.name, g);
    }
    return g as tf.Tensor4D;
  }

  /** The target logit f_k(x) on the clean input. */
  get targetLogit(): number {
    return this.logits.dataSync()[this.targetClass];
  }

  noteCompleteness(gap: Completeness): void {
    this.gaps.push(gap);
  }

  /** The worst gap noted since the last call (null if none), and forgets them. */
  takeCompleteness(): Completeness | null {
    const worst = this.gaps.reduce<Completeness | null>((w, g) => (w === null || g.relativeGap > w.relativeGap ? g : w), null);
    this.gaps = [];
    return worst;
  }

  dispose(): void {
    for (const t of this.activations.values()) t.dispose();
    for (const t of this.gradients.values()) t.dispose();
    this.logits.dispose();
  }
}
