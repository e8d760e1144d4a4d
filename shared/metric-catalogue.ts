// Every evaluation metric's category and parameter schema, as data (the computations are in main/engine/metrics/, one
// file each; a test checks that both list the same ids). The engine resolves a metric's options through its schema,
// so a default exists in one place; the metric groups ("seg", "all"), --help and the refusal of options no selected
// metric reads are generated from it.
import { z } from 'zod';

/** faithfulness: the model's response when the map's pixels are removed or kept (docs/methods.md §4.1-4.4);
 *  localisation: the map against the dataset's ground-truth masks (§4.5), which these metrics need. */
export const METRIC_CATEGORIES = ['faithfulness', 'localisation'] as const;
export type MetricCategory = (typeof METRIC_CATEGORIES)[number];

/** The options a metrics job may give its metrics (spec fields; the CLI's flags are their kebab-case forms). */
export const METRIC_OPTIONS = {
  minProbability: z.number({ error: 'must be a number from 0 to 1' }).min(0, { error: 'must be a number from 0 to 1' })
    .max(1, { error: 'must be a number from 0 to 1' }).describe('skip images whose clean probability is below this'),
  aggregation: z.enum(['median', 'mean'], { error: 'must be median or mean' }).describe('how the images\' curves are combined'),
  webpQuality: z.number({ error: 'must be a number from 0 to 100' }).min(0, { error: 'must be a number from 0 to 100' })
    .max(100, { error: 'must be a number from 0 to 100' }).describe('lossless WebP compression effort of the information measure'),
} as const;
export type MetricOptionKey = keyof typeof METRIC_OPTIONS;
export const METRIC_OPTION_KEYS = Object.keys(METRIC_OPTIONS) as MetricOptionKey[];

/** SIC and AIC: the PIC-curve protocol's options (PAIR's defaults). */
export const InfoCurveParamsSchema = z.object({
  minProbability: METRIC_OPTIONS.minProbability.default(0.5),
  aggregation: METRIC_OPTIONS.aggregation.default('median'),
  webpQuality: METRIC_OPTIONS.webpQuality.default(100),
});

export interface MetricInfo {
  id: string;
  category: MetricCategory;
  params: z.ZodObject;
}

const NoParams = z.object({});
const faithful = (id: string, params: z.ZodObject = NoParams): MetricInfo => ({ id, category: 'faithfulness', params });
const local = (id: string): MetricInfo => ({ id, category: 'localisation', params: NoParams });

export const METRIC_CATALOGUE: readonly MetricInfo[] = [
  faithful('neg'), faithful('pos'), faithful('ins'), faithful('del'), faithful('adp'), faithful('pic'),
  faithful('sic', InfoCurveParamsSchema), faithful('aic', InfoCurveParamsSchema),
  local('pa'), local('miou'), local('map'), local('mf1'),
];

export function metricInfo(id: string): MetricInfo | undefined {
  return METRIC_CATALOGUE.find((m) => m.id === id);
}

/** Names that stand for several metrics: "seg" = every localisation metric, "all" = every metric. */
export const METRIC_GROUPS: Readonly<Record<string, string[]>> = {
  seg: METRIC_CATALOGUE.filter((m) => m.category === 'localisation').map((m) => m.id),
  all: METRIC_CATALOGUE.map((m) => m.id),
};

/** Whether a metric needs the dataset's ground-truth masks: the localisation metrics do. */
export function needsMasks(id: string): boolean {
  return metricInfo(id)?.category === 'localisation';
}

/** The metrics that read an option, in catalogue order. */
export function metricReadersOf(key: MetricOptionKey): string[] {
  return METRIC_CATALOGUE.filter((m) => Object.hasOwn(m.params.shape, key)).map((m) => m.id);
}
