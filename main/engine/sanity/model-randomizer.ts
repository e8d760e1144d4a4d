// Switches a model in memory between its trained weights and re-initialized ones, module by module, without
// reloading it from disk. Both versions of every weight are kept as tensors; a switch is ModelWeight.write, which
// shares the tensor's data (reference counted), so switching copies nothing and restoring gives back the trained
// weights bit for bit. Fresh values are drawn once per weight, on first use, from the module's own seeded initializer,
// so any step can be reached from any other in any order with identical weights: a job may go image by image through
// all steps, or step by step through all images. dispose() restores the trained model.
import { tf } from '../tf';
import { UserError } from '../errors';
import type { ModelWeight, ParameterizedModule, VisionModel } from '../model/vision-model';
import { listRandomizableModules, weightsToReinitialize, type LayerSelection } from './randomizable-modules';

export interface RandomizerOptions extends LayerSelection {
  seed: number;
}

export class ModelRandomizer {
  /** The layers that can be randomized, from the output down. */
  readonly layers: ParameterizedModule[];
  private readonly trained = new Map<ModelWeight, tf.Tensor>();
  private readonly fresh = new Map<ModelWeight, tf.Tensor>();
  private readonly randomized = new Set<string>();
  private disposed = false;

  constructor(readonly vm: VisionModel, readonly options: RandomizerOptions) {
    if (!Number.isInteger(options.seed)) throw new UserError(`The randomization seed must be an integer (got ${options.seed}).`);
    this.layers = listRandomizableModules(vm, options);
    if (this.layers.length === 0) throw new UserError(`The model${vm.path ? ` ${vm.path}` : ''} has no layers with weights to randomize.`);
    // clone() shares the variable's data: a reference to the trained values, not a copy. keep(): a caller's tidy
    // must not free what outlives it.
    for (const p of this.layers) for (const w of weightsToReinitialize(p, options)) this.trained.set(w, tf.keep(tf.clone(w.read())));
  }

  /** Names of the layers currently holding re-initialized weights. */
  get randomizedLayers(): string[] {
    return this.layers.filter((p) => this.randomized.has(p.name)).map((p) => p.name);
  }

  /** Makes exactly the named layers re-initialized and every other one trained. */
  setRandomized(names: readonly string[]): void {
    if (this.disposed) throw new Error('ModelRandomizer used after dispose()');
    const want = new Set(names);
    for (const n of want) {
      if (!this.layers.some((p) => p.name === n)) {
        throw new UserError(`Layer "${n}" is not a randomizable layer of the model.`, `Randomizable layers (top down): ${this.layers.map((p) => p.name).join(', ')}.`);
      }
    }
    for (const p of this.layers) {
      const on = want.has(p.name);
      if (on === this.randomized.has(p.name)) continue;
      for (const w of weightsToReinitialize(p, this.options)) w.write(on ? this.freshValues(w) : this.trained.get(w)!);
      if (on) this.randomized.add(p.name);
      else this.randomized.delete(p.name);
    }
  }

  /** Back to the trained weights. */
  restore(): void {
    this.setRandomized([]);
  }

  /** Restores the trained model and frees every tensor this object holds. */
  dispose(): void {
    if (this.disposed) return;
    this.restore();
    for (const t of this.trained.values()) t.dispose();
    for (const t of this.fresh.values()) t.dispose();
    this.trained.clear();
    this.fresh.clear();
    this.disposed = true;
  }

  private freshValues(w: ModelWeight): tf.Tensor {
    let t = this.fresh.get(w);
    if (!t) {
      t = tf.keep(w.fresh(this.options.seed));
      this.fresh.set(w, t);
    }
    return t;
  }
}
