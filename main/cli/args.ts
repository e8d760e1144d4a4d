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
