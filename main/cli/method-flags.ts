// The method options as command-line flags, generated from their declarations (shared/method-options.ts) and the
// methods' parameter schemas (shared/method-catalogue.ts): what explain, sanity and metrics parse, and the part of
// their --help that says which method (or metric: shared/metric-catalogue.ts) reads which option with which default.
import type { z } from 'zod';
import { METHOD_CATALOGUE } from '../../shared/method-catalogue';
import { METRIC_CATALOGUE } from '../../shared/metric-catalogue';
import { flagOf, METHOD_OPTION_KEYS, METHOD_OPTIONS, paramInfo, paramUsage, type MethodOptionKey } from '../../shared/method-options';
import { intOption, listOption, numberOption, type Options } from './args';

const infoOf = (key: MethodOptionKey) => paramInfo(key, METHOD_OPTIONS[key]);

/** parseArgs options for the method options. */
export function methodFlagOptions(): Options {
  return Object.fromEntries(METHOD_OPTION_KEYS.map((k) => [flagOf(k).slice(2), { type: infoOf(k).kind === 'boolean' ? 'boolean' : 'string' }])) as Options;
}

/** The spec fields of the method options given on the command line (absent ones undefined). */
export function methodOptionFields(command: string, v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of METHOD_OPTION_KEYS) {
    const name = flagOf(key).slice(2);
    const kind = infoOf(key).kind;
    out[key] = kind === 'boolean' ? (v[name] ? true : undefined)
      : kind === 'list' ? listOption(v, name)
        : kind === 'integer' ? intOption(command, v, name)
          : kind === 'number' ? numberOption(command, v, name)
            : typeof v[name] === 'string' ? v[name] : undefined;
  }
  return out;
}

/** Every method's options with their defaults, methods with the same schema on one line, for --help. */
export function methodOptionsHelp(): string {
  return ['Method options (each method reads only those listed under it; an option that none of the chosen methods reads',
    'is refused, naming the methods that read it):',
    ...schemaGroupsHelp(METHOD_CATALOGUE),
  ].join('\n');
}

/** The metrics' options with their defaults (SIC/AIC's protocol), from the metric catalogue, for --help. */
export function metricOptionsHelp(): string {
  return ['Metric options (refused when none of the chosen metrics reads them):',
    ...schemaGroupsHelp(METRIC_CATALOGUE).filter((l) => !l.endsWith(': no options')),
  ].join('\n');
}

/** Entries with the same parameter schema on one line, then their parameters; those without on a last line. */
function schemaGroupsHelp(entries: ReadonlyArray<{ id: string; params: z.ZodObject }>): string[] {
  const groups: Array<{ ids: string[]; lines: string[] }> = [];
  const bySchema = new Map<unknown, { ids: string[]; lines: string[] }>();
  for (const e of entries) {
    let g = bySchema.get(e.params);
    if (!g) {
      const params = Object.entries(e.params.shape).map(([key, schema]) => paramInfo(key, schema as z.ZodType));
      g = { ids: [], lines: params.map((p) => `      ${paramUsage(p)}`) };
      bySchema.set(e.params, g);
      groups.push(g);
    }
    g.ids.push(e.id);
  }
  const without = groups.filter((g) => g.lines.length === 0).flatMap((g) => g.ids);
  return [
    ...groups.filter((g) => g.lines.length > 0).flatMap((g) => [`  ${g.ids.join(', ')}:`, ...g.lines]),
    ...(without.length > 0 ? [`  ${without.join(', ')}: no options`] : []),
  ];
}
