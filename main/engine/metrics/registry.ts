// Every evaluation metric by id. Adding a metric = one file here, one line in METRICS and its entry (category,
// parameters) in shared/metric-catalogue.ts; a test checks that the two list the same ids.
import { METRIC_GROUPS } from '../../../shared/metric-catalogue';
import { UserError } from '../errors';
import type { AnyMetric, Metric, MetricOptions } from './metric';
import { neg } from './neg';
import { pos } from './pos';
import { ins } from './ins';
import { del } from './del';
import { adp } from './adp';
import { pic } from './pic';
import { sic } from './sic';
import { aic } from './aic';
import { pa } from './pa';
import { miou } from './miou';
import { meanAp } from './mean-ap';
import { mf1 } from './mf1';

const METRICS: Metric<any>[] = [neg, pos, ins, del, adp, pic, sic, aic, pa, miou, meanAp, mf1];

export const METRIC_IDS = METRICS.map((m) => m.id);

/** Names that stand for several metrics ("seg": the localisation metrics, "all"), from the catalogue's categories. */
export { METRIC_GROUPS };

export function getMetric(id: string): AnyMetric {
  const m = METRICS.find((x) => x.id === id);
  if (!m) throw new UserError(`Unknown metric "${id}".`, `Use one of: ${[...METRIC_IDS, ...Object.keys(METRIC_GROUPS)].join(', ')}.`);
  return m as AnyMetric;
}

/** Expands group names ("seg", "all") and drops repeats, keeping the order given. */
export function expandMetricIds(ids: string[]): string[] {
  const out: string[] = [];
  for (const id of ids.flatMap((i) => METRIC_GROUPS[i] ?? [i])) if (!out.includes(id)) out.push(id);
  for (const id of out) getMetric(id);
  return out;
}

export function listMetrics(): AnyMetric[] {
  return METRICS as AnyMetric[];
}

export interface PlannedMetric {
  metric: AnyMetric;
  params: Record<string, unknown>;
}

/** Resolves every metric's parameters once per job, so a bad option fails before any image is read. */
export function planMetrics(ids: string[], options: MetricOptions = {}): PlannedMetric[] {
  return expandMetricIds(ids).map((id) => {
    const metric = getMetric(id);
    return { metric, params: metric.resolveParams(options) };
  });
}
