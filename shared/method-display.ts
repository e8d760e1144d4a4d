// How methods, similarity measures and metrics are named and coloured wherever a person reads them: every chart, the
// window and every exported figure or table. Fixed per method, never per figure: DIX3 is the same blue in the sanity
// curves, the metric bars and the metric curves, and is called "DIX3" everywhere. Ids stay in the data (stored rows,
// CSV and JSON exports, API answers); only what is drawn or typeset uses these names.

export interface MethodStyle {
  /** Display name, e.g. "Grad-CAM". */
  name: string;
  /** Line and bar colour (hex). */
  color: string;
  /** Line dash of its curves ([] = solid). */
  dash: number[];
}

const SOLID: number[] = [];
const DASHED = [7, 4];
const DOTTED = [2, 3];

/**
 * One entry per method of the engine's registry (main/engine/explain/registry.ts). Colours: Okabe-Ito first (readable
 * by colour-blind readers) for the methods most often compared (DIX3, Grad-CAM, IG and their close relatives), then
 * distinct darker tones; the DIX ablations share DIX's blue family with their own dash.
 */
export const METHOD_STYLES: Readonly<Record<string, MethodStyle>> = {
  dix3: { name: 'DIX3', color: '#0072B2', dash: SOLID },
  gradcam: { name: 'Grad-CAM', color: '#D55E00', dash: SOLID },
  ig: { name: 'IG', color: '#009E73', dash: SOLID },
  'gradcam++': { name: 'Grad-CAM++', color: '#CC79A7', dash: SOLID },
  xgradcam: { name: 'XGrad-CAM', color: '#E69F00', dash: SOLID },
  layercam: { name: 'LayerCAM', color: '#882255', dash: SOLID },
  ablationcam: { name: 'Ablation-CAM', color: '#999933', dash: SOLID },
  liftcam: { name: 'LIFT-CAM', color: '#44AA99', dash: DASHED },
  fullgrad: { name: 'FullGrad', color: '#332288', dash: SOLID },
  'guided-ig': { name: 'Guided IG', color: '#117733', dash: DASHED },
  'blur-ig': { name: 'Blur IG', color: '#661100', dash: DASHED },
  smoothgrad: { name: 'SmoothGrad', color: '#555555', dash: SOLID },
  dix1: { name: 'DIX1', color: '#56B4E9', dash: SOLID },
  dix2: { name: 'DIX2', color: '#1F78B4', dash: DASHED },
  'dix2-mul': { name: 'DIX2-MUL', color: '#6A3D9A', dash: DOTTED },
  'dix3-grads': { name: 'DIX3-GRADS', color: '#0072B2', dash: DOTTED },
  // Attention methods of vision transformers.
  rollout: { name: 'Rollout', color: '#AA4499', dash: DASHED },
  gae: { name: 'GAE', color: '#DDAA33', dash: DASHED },
  tattr: { name: 'T-Attr', color: '#BB5566', dash: SOLID },
};

/** Colours for series that are not a registered method (configurations of one method, unknown ids), in order. */
const EXTRA = ['#000000', '#8C510A', '#01665E', '#C51B7D', '#4D9221', '#B35806', '#542788', '#7F7F7F'];

/** The registered method a label names: the id itself, or an ablation configuration "dix3 N=20 z=zero" (id first). */
function baseMethod(label: string): string | null {
  if (Object.hasOwn(METHOD_STYLES, label)) return label;
  const first = label.split(/\s+/)[0];
  return Object.hasOwn(METHOD_STYLES, first) ? first : null;
}

/** "Grad-CAM" for gradcam; "DIX3 N=20 z=zero" for the configuration "dix3 N=20 z=zero"; anything else as it is. */
export function methodName(id: string): string {
  const base = baseMethod(id);
  if (base === null) return id;
  return METHOD_STYLES[base].name + id.slice(base.length);
}

/**
 * The style of each series of one chart, by label. A registered method keeps its own colour and dash; when several
 * series of the chart come from one method (ablation configurations), the first keeps the method's style and the
 * others take the extra colours, so no two series of a chart look alike.
 */
export function seriesStyles(labels: readonly string[]): MethodStyle[] {
  const used = new Set<string>();
  let extra = 0;
  return labels.map((label) => {
    const base = baseMethod(label);
    const own = base === null ? null : METHOD_STYLES[base];
    const key = own ? `${own.color}|${own.dash.join(',')}` : '';
    if (own && !used.has(key)) {
      used.add(key);
      return { name: methodName(label), color: own.color, dash: own.dash };
    }
    const i = extra++;
    const round = Math.floor(i / EXTRA.length) % 3;
    return { name: methodName(label), color: EXTRA[i % EXTRA.length], dash: round === 0 ? SOLID : round === 1 ? DASHED : DOTTED };
  });
}

/** Similarity measures of the sanity tests (main/engine/similarity/registry.ts ids). */
export const MEASURE_NAMES: Readonly<Record<string, string>> = {
  'spearman-abs': 'Spearman (|map|)',
  'spearman-signed': 'Spearman (signed)',
  pearson: 'Pearson',
  ssim: 'SSIM',
  'hog-pearson': 'HOG Pearson',
};

export function measureName(id: string): string {
  return MEASURE_NAMES[id] ?? id;
}

const METRIC_NAMES: Readonly<Record<string, string>> = { miou: 'mIoU', map: 'mAP', mf1: 'mF1' };

/** NEG, POS, INS, ..., PA, mIoU, mAP, mF1. */
export function metricName(id: string): string {
  return METRIC_NAMES[id] ?? id.toUpperCase();
}

/** "an explain job", "a sanity job": a job kind with its article, for messages. */
export function aJob(kind: string): string {
  return `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind} job`;
}
