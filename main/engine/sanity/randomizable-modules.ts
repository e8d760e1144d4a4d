// The modules a randomization test re-initializes (docs/methods.md §5.1), for any model kind: every module holding weights,
// plus normalization modules when asked, ordered from the output down (the reverse of the model's topological order,
// as Quantus's order="top_down").
import type { ModelWeight, ParameterizedModule, VisionModel } from '../model/vision-model';

export interface LayerSelection {
  /** Also re-initialize batch/layer normalization modules (default false: convolutions and dense only). */
  includeBatchNorm?: boolean;
  /**
   * For normalization modules: 'keep' the moving mean and variance (Adebayo et al.'s code: they are not trainable
   * variables and were not reset), or 'reset' them to their initial values. Default 'keep'.
   */
  batchNormStats?: 'keep' | 'reset';
}

export function listRandomizableModules(vm: VisionModel, o: LayerSelection = {}): ParameterizedModule[] {
  return vm.parameterizedModules().filter((p) => !p.isNormalization || o.includeBatchNorm === true).reverse();
}

/** The weights of a module that a re-initialization replaces (moving statistics only with batchNormStats 'reset'). */
export function weightsToReinitialize(p: ParameterizedModule, o: LayerSelection = {}): ModelWeight[] {
  const resetStats = (o.batchNormStats ?? 'keep') === 'reset';
  return p.weights.filter((w) => !(w.isStatistic && !resetStats));
}
