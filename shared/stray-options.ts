// An option that no selected method or metric reads is refused, naming who reads it ("--samples: read only by
// smoothgrad, ..."): silently ignoring it would let a user believe it shaped the result. Who reads what is the
// parameter schemas' business (shared/method-catalogue.ts, shared/metric-catalogue.ts), never a list here.
import { reads, readersOf } from './method-catalogue';
import { flagOf, METHOD_OPTION_KEYS, type MethodOptionKey } from './method-options';
import { METRIC_GROUPS, METRIC_OPTION_KEYS, metricInfo, metricReadersOf } from './metric-catalogue';

/** The fields this check reads; a structural type, so that job-spec.ts can call it on any parsed spec. */
interface SpecFields {
  kind: string;
  methods?: readonly string[];
  metrics?: readonly string[];
  variants?: ReadonlyArray<{ name: string; method: string; steps?: unknown; layers?: unknown; baseline?: unknown }>;
}

const list = (ids: readonly string[]) => ids.join(', ');

function refusal(key: string, readers: readonly string[], used: readonly string[], what: string): string {
  const who = readers.length > 0 ? `read only by ${list(readers)}` : 'read by no method';
  return `${flagOf(key)}: ${who}, not by this job's ${what} (${list(used)}); leave it out (spec field "${key}")${readers.length > 0 ? ` or add ${readers.length === 1 ? readers[0] : `one of ${list(readers)}`}` : ''}`;
}

/** One sentence per option of the spec that none of its methods (or metrics) reads. */
export function strayOptionProblems(spec: SpecFields): string[] {
  if (!spec.methods) return [];
  const fields = spec as unknown as Record<string, unknown>;
  const problems: string[] = [];
  const methods = spec.methods;
  for (const key of METHOD_OPTION_KEYS) {
    if (fields[key] === undefined) continue;
    if (!methods.some((m) => reads(m, key))) problems.push(refusal(key, readersOf(key), methods, 'methods'));
  }
  for (const v of spec.variants ?? []) {
    for (const key of ['steps', 'layers', 'baseline'] as MethodOptionKey[]) {
      if ((v as Record<string, unknown>)[key] !== undefined && !reads(v.method, key)) {
        problems.push(`variant "${v.name}": ${refusal(key, readersOf(key), [v.method], 'method')}`);
      }
    }
  }
  const metrics = [...new Set((spec.metrics ?? []).flatMap((m) => METRIC_GROUPS[m] ?? [m]))];
  // An unknown metric is its own error (said by the registry check); who reads what is only asked of known ones.
  if (spec.kind === 'metrics' && metrics.every((m) => metricInfo(m) !== undefined)) {
    for (const key of METRIC_OPTION_KEYS) {
      if (fields[key] === undefined) continue;
      const readers = metricReadersOf(key);
      if (!metrics.some((m) => readers.includes(m))) problems.push(refusal(key, readers, metrics, 'metrics'));
    }
  }
  return problems;
}
