// One sanity test on models already in memory, image by image (docs/methods.md §5): for each input, the maps of every
// method on the trained model (step 0, computed once), then on the model of every later step, and the similarity of
// each later map to its step-0 map under every measure. Cascading and independent tests switch the one model's
// weights in place (model-randomizer.ts); the data test compares the true-label model with the random-label one.
// This is the unit a job executor runs per image; sanity-run.ts drives it over a dataset folder.
import type { tf } from '../tf';
import { UserError } from '../errors';
import type { VisionModel } from '../model/vision-model';
import { explainImage, planMethods, type ExplainedMap, type PlannedMethod } from '../explain/explain-image';
import type { MethodOptions } from '../explain/method';
import { getMeasure, MEASURE_IDS } from '../similarity/registry';
import type { SimilarityMeasure } from '../similarity/measure';
import { ModelRandomizer } from './model-randomizer';
import type { LayerSelection } from './randomizable-modules';
import { planRandomizationSteps, type LayersFrom, type RandomizationStep } from './randomization-steps';

export type SanityKind = 'cascading' | 'independent' | 'data';

export interface SanitySessionOptions extends LayerSelection {
  kind: SanityKind;
  /** The trained model; for the data test, the one trained on true labels. */
  vm: VisionModel;
  /** Data test only: the same architecture trained on permuted labels. */
  randomVm?: VisionModel;
  methods: string[];
  methodOptions?: MethodOptions;
  /** Similarity measure ids; default all (similarity/registry.ts). */
  measures?: string[];
  seed: number;
  layersFrom?: LayersFrom;
  /** Explain the trained model's class at every step instead of each model's own top-1 (the default, docs/methods.md §5.6). */
  keepOriginalClass?: boolean;
}

export interface SanityStepResult {
  step: number;
  label: string;
  /** Layers holding re-initialized weights (empty for step 0 and for the data test). */
  layers: string[];
  targetClass: number;
  predictedClass: number;
  maps: ExplainedMap[];
  /** similarities[methodId][measureId] against the step-0 map; null where undefined (NaN). */
  similarities: Record<string, Record<string, number | null>>;
  millis: number;
}

export const DATA_STEP_LABELS = ['true-labels', 'random-labels'] as const;

function sameInput(a: VisionModel, b: VisionModel): boolean {
  const [pa, pb] = [a.preprocessing, b.preprocessing];
  return pa.height === pb.height && pa.width === pb.width && pa.channels === pb.channels && pa.scale === pb.scale
    && JSON.stringify(pa.mean) === JSON.stringify(pb.mean) && JSON.stringify(pa.std) === JSON.stringify(pb.std);
}

function checkDataModels(vm: VisionModel, randomVm: VisionModel | undefined): VisionModel {
  if (!randomVm) throw new UserError('The data randomization test needs a second model trained on permuted labels.', 'Give --random-model, or --train ARCH to train both models.');
  if (!sameInput(vm, randomVm)) throw new UserError('The two models of the data randomization test take different inputs (size or preprocessing).', 'Train both on the same dataset with the same input shape.');
  if (vm.numClasses !== randomVm.numClasses) throw new UserError(`The two models have ${vm.numClasses} and ${randomVm.numClasses} classes.`, 'Both must be trained on the same dataset.');
  return randomVm;
}

export class SanitySession {
  readonly steps: RandomizationStep[];
  readonly measures: SimilarityMeasure[];
  readonly plan: PlannedMethod[];
  private readonly randomPlan: PlannedMethod[] | null = null;
  private readonly randomizer: ModelRandomizer | null = null;

  constructor(readonly options: SanitySessionOptions) {
    const o = options;
    if (o.methods.length === 0) throw new UserError('No methods given.', 'Give at least one method, e.g. --method dix3.');
    if (!Number.isInteger(o.seed)) throw new UserError(`The seed must be an integer (got ${o.seed}).`);
    if (o.kind !== 'data' && o.randomVm) throw new UserError(`A second model is only used by the data randomization test, not by ${o.kind}.`);
    this.measures = (o.measures ?? MEASURE_IDS).map(getMeasure);
    this.plan = planMethods(o.vm, o.methods, o.methodOptions ?? {});
    if (o.kind === 'data') {
      this.randomPlan = planMethods(checkDataModels(o.vm, o.randomVm), o.methods, o.methodOptions ?? {});
      this.steps = DATA_STEP_LABELS.map((label, step) => ({ step, label, layers: [] }));
    } else {
      this.randomizer = new ModelRandomizer(o.vm, o);
      this.steps = planRandomizationSteps(this.randomizer.layers.map((p) => p.name), o.kind, o.layersFrom);
    }
  }

  /** Measures undefined for every map of this model's input size, with the reason (e.g. HOG on 16x16 maps). */
  inapplicableMeasures(): Array<{ measure: string; reason: string }> {
    const { height, width } = this.options.vm.preprocessing;
    return this.measures.flatMap((m) => {
      const reason = m.notApplicable?.(height, width) ?? null;
      return reason ? [{ measure: m.id, reason }] : [];
    });
  }

  /** Every step for one preprocessed input [1, H, W, C] (not disposed here). Leaves the model at the last step. */
  explainImage(input: tf.Tensor4D): SanityStepResult[] {
    const base = this.runStep(this.steps[0], input, null, null);
    const out = [base];
    const target = this.options.keepOriginalClass ? base.targetClass : null;
    for (const step of this.steps.slice(1)) out.push(this.runStep(step, input, target, base.maps));
    return out;
  }

  /** Restores the trained weights and frees the kept tensors; the models themselves stay the caller's. */
  dispose(): void {
    this.randomizer?.dispose();
  }

  private runStep(step: RandomizationStep, input: tf.Tensor4D, target: number | null, baseMaps: ExplainedMap[] | null): SanityStepResult {
    const t0 = performance.now();
    let vm = this.options.vm;
    let plan = this.plan;
    if (this.randomizer) this.randomizer.setRandomized(step.layers);
    else if (step.step > 0) [vm, plan] = [this.options.randomVm!, this.randomPlan!];
    const r = explainImage(vm, input, plan, target);
    const similarities: SanityStepResult['similarities'] = {};
    r.maps.forEach((m, i) => {
      const ref = baseMaps ? baseMaps[i] : m;
      similarities[m.methodId] = Object.fromEntries(this.measures.map((s) => {
        const v = s.compute(ref.map, m.map, m.height, m.width);
        return [s.id, Number.isNaN(v) ? null : v];
      }));
    });
    return { step: step.step, label: step.label, layers: step.layers, targetClass: r.targetClass, predictedClass: r.predictedClass,
      maps: r.maps, similarities, millis: performance.now() - t0 };
  }
}
