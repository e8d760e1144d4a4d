// Argument parsing on node:util's parseArgs, with errors a user can act on.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/errors';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(command: string, argv: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw parseError(command, e as Error, options);
  }
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) of two option names. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The option a mistyped one most likely meant ("--colourmap" -> "--colormap"), or null when none is close. */
export function nearestOption(typed: string, names: readonly string[]): string | null {
  const t = typed.replace(/^-+/, '').toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const name of names) {
    const n = name.toLowerCase();
    // A prefix ("--per" for "--per-class") or a close spelling: at most a third of the letters off, and at most 3.
    const d = n.startsWith(t) && t.length >= 3 ? 0.5 : distance(t, n);
    if (d <= Math.min(3, Math.max(1, Math.floor(Math.max(t.length, n.length) / 3))) && (!best || d < best.d)) best = { name, d };
  }
  return best ? `--${best.name}` : null;
}

/** parseArgs's error as one sentence a user can act on: an unknown option names the nearest known one. */
function parseError(command: string, e: Error, options: Options): UserError {
  const help = `See \`dixw ${command} --help\`.`;
  const unknown = /Unknown option '([^']+)'/.exec(e.message);
  if (unknown) {
    const near = nearestOption(unknown[1], Object.keys(options));
    return new UserError(`dixw ${command}: unknown option ${unknown[1]}${near ? `; did you mean ${near}?` : '.'}`, help);
  }
  const msg = e.message.replace(/^.*?: /, '').replace(/^Option '([^']+)' argument missing$/, 'option $1 needs a value');
  return new UserError(`dixw ${command}: ${msg}`, help);
}

export function required(command: string, v: Record<string, unknown>, name: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UserError(`dixw ${command}: --${name} is required.`, `See \`dixw ${command} --help\`.`);
  return x;
}

export function intOption(command: string, v: Record<string, unknown>, name: string): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const n = Number(x);
  if (!Number.isInteger(n)) throw new UserError(`dixw ${command}: --${name} must be an integer (got "${x}").`);
  return n;
}

export function numberOption(command: string, v: Record<string, unknown>, name: string): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const n = Number(x);
  if (!Number.isFinite(n)) throw new UserError(`dixw ${command}: --${name} must be a number (got "${x}").`);
  return n;
}

export function listOption(v: Record<string, unknown>, name: string): string[] | undefined {
  const x = v[name];
  if (typeof x !== 'string') return undefined;
  return x.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Like parse(), for commands that take positional arguments (e.g. `dixw jobs show 3`); returns both. */
export function parseWithPositionals(
  command: string,
  argv: string[],
  options: Options,
  positionals: { names: string[]; optional?: number },
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (e) {
    throw parseError(command, e as Error, options);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const required = positionals.names.length - (positionals.optional ?? 0);
  if (!values.help && (parsed.positionals.length < required || parsed.positionals.length > positionals.names.length)) {
    const expected = positionals.names.map((n, i) => (i >= required ? `[${n}]` : n)).join(' ');
    throw new UserError(`dixw ${command}: expected ${expected || 'no arguments'}, got ${parsed.positionals.length ? parsed.positionals.map((p) => JSON.stringify(p)).join(' ') : 'none'}.`, `See \`dixw ${command} --help\`.`);
  }
  return { values, positionals: parsed.positionals };
}

/** A registered record's id as typed on the command line. */
export function idArgument(command: string, text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 1) throw new UserError(`dixw ${command}: ${JSON.stringify(text ?? '')} is not a ${what} id.`, `Ids are positive integers; \`dixw ${command.split(' ')[0]} list\` shows them.`);
  return n;
}
