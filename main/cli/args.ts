// Argument parsing on node:util's parseArgs, with errors a user can act on.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/errors';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(command: string, argv: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    const msg = (e as Error).message.replace(/^.*?: /, '');
    throw new UserError(`dixw ${command}: ${msg}`, `See \`dixw ${command} --help\`.`);
  }
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
    const msg = (e as Error).message.replace(/^.*?: /, '');
    throw new UserError(`dixw ${command}: ${msg}`, `See \`dixw ${command} --help\`.`);
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
