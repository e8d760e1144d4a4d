// The method options as command-line flags, generated from their declarations (shared/method-options.ts) and the
// methods' parameter schemas (shared/method-catalogue.ts): what explain, sanity and metrics parse, and the part of
// their --help that says which method reads which option with which default.
import { METHOD_CATALOGUE, methodParams } from '../../shared/method-catalogue';
import { flagOf, METHOD_OPTION_KEYS, METHOD_OPTIONS, paramInfo, paramUsage, type MethodOptionKey } from '../../shared/method-options';
import { intOption, listOption, numberOption, type Options } from './args';

const infoOf = (key: MethodOptionKey) => paramInfo(key, METHOD_OPTIONS[key]);

/** parseArgs options for these method options (all of them unless `keys` narrows it). */
export function methodFlagOptions(keys: readonly MethodOptionKey[] = METHOD_OPTION_KEYS): Options {
  return Object.fromEntries(keys.map((k) => [flagOf(k).slice(2), { type: infoOf(k).kind === 'boolean' ? 'boolean' : 'string' }])) as Options;
}

/** The spec fields of the method options given on the command line (absent ones undefined). */
export function methodOptionFields(command: string, v: Record<string, string | boolean | undefined>,
  keys: readonly MethodOptionKey[] = METHOD_OPTION_KEYS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
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

/**
 * Every method's options with their defaults, methods with the same schema on one line, for --help. `only` limits it
 * to some options (ablate sweeps steps and layers itself).
 */
export function methodOptionsHelp(only: readonly MethodOptionKey[] = METHOD_OPTION_KEYS): string {
  const groups: Array<{ ids: string[]; lines: string[] }> = [];
  const bySchema = new Map<unknown, { ids: string[]; lines: string[] }>();
  for (const m of METHOD_CATALOGUE) {
    let g = bySchema.get(m.params);
    if (!g) {
      const lines = methodParams(m.id).filter((p) => (only as readonly string[]).includes(p.key)).map((p) => `      ${paramUsage(p)}`);
      g = { ids: [], lines };
      bySchema.set(m.params, g);
      groups.push(g);
    }
    g.ids.push(m.id);
  }
  const withOptions = groups.filter((g) => g.lines.length > 0);
  const without = groups.filter((g) => g.lines.length === 0).flatMap((g) => g.ids);
  return ['Method options (each method reads only those listed under it; an option that none of the chosen methods reads',
    'is refused, naming the methods that read it):',
    ...withOptions.flatMap((g) => [`  ${g.ids.join(', ')}:`, ...g.lines]),
    ...(without.length > 0 ? [`  ${without.join(', ')}: no options`] : []),
  ].join('\n');
}
