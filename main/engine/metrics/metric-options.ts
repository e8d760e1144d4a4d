// A metric's declared parameters (shared/metric-catalogue.ts) from the generic metric options: the keys its schema
// declares, checked, with its defaults filled in; a bad value is refused naming the metric, the flag and an example.
import type { z } from 'zod';
import { flagOf, paramInfo } from '../../../shared/method-options';
import { UserError } from '../errors';
import type { MetricOptions } from './metric';

export function declaredMetricParams<S extends z.ZodObject>(metricId: string, schema: S, options: MetricOptions): z.infer<S> {
  const given = Object.fromEntries(Object.keys(schema.shape).filter((k) => (options as Record<string, unknown>)[k] !== undefined)
    .map((k) => [k, (options as Record<string, unknown>)[k]]));
  const r = schema.safeParse(given);
  if (r.success) return r.data;
  const key = String(r.error.issues[0].path[0] ?? '');
  const info = paramInfo(key, schema.shape[key] as z.ZodType);
  throw new UserError(`${metricId}: ${flagOf(key)} ${r.error.issues[0].message} (got ${JSON.stringify(given[key])}).`,
    info.default === undefined ? undefined : `Give e.g. ${flagOf(key)} ${String(info.default)}.`);
}
