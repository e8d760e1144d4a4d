// The steps of a model randomization test (docs/methods.md §5.3-5.4). Step 0 is the trained model. Cascading: step k has the
// first k layers of the order re-initialized (from the top by default: logits first). Independent: step k has only
// the k-th layer re-initialized, the rest trained. A step is labelled by the layer it adds (cascading) or
// re-initializes (independent), which is what a figure's x axis shows.

export type ModelRandomization = 'cascading' | 'independent';
export type LayersFrom = 'top' | 'bottom';

export interface RandomizationStep {
  step: number;
  /** 'trained' for step 0, else the layer this step adds or re-initializes. */
  label: string;
  /** Every layer holding re-initialized weights at this step. */
  layers: string[];
}

export const TRAINED_LABEL = 'trained';

/** `layersTopDown`: the randomizable layers from the output down (randomizable-modules.ts). */
export function planRandomizationSteps(layersTopDown: readonly string[], kind: ModelRandomization, from: LayersFrom = 'top'): RandomizationStep[] {
  const order = from === 'top' ? [...layersTopDown] : [...layersTopDown].reverse();
  return [
    { step: 0, label: TRAINED_LABEL, layers: [] },
    ...order.map((name, i) => ({ step: i + 1, label: name, layers: kind === 'cascading' ? order.slice(0, i + 1) : [name] })),
  ];
}
