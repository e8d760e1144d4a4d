// `add | list | show ID | rm ID` for a kind of record (datasets, models): the same four subcommands over the
// service's API for that kind, so `dixw dataset` and `dixw model` parse, print and refuse alike.
import { idArgument, parse, parseWithPositionals } from './args';
import { printJson } from './command';
import { DB_OPTION, withService } from './service-access';
import type { WorkbenchService } from '../service';

export interface RecordApi<Added, Summary, Detail> {
  add(input: { path: string; name?: string } & Record<string, unknown>): Promise<Added>;
  list(): Promise<Summary[]>;
  show(id: number): Promise<Detail>;
  remove(id: number): Promise<unknown>;
}

export interface RecordKind<Added, Summary, Detail> {
  /** 'dataset' or 'model', as in the command line. */
  noun: string;
  help: string;
  api(service: WorkbenchService): RecordApi<Added, Summary, Detail>;
  /** One line on stderr about what add did (new, unchanged, re-indexed). */
  describeAdded(r: Added): string;
  idOfAdded(r: Added): number;
  table(all: Summary[]): string;
  text(d: Detail): string;
  /** Options `add` takes beyond --name (e.g. a model's --preprocessing), and how they become the service's input. */
  addOptions?: Record<string, { type: 'string' | 'boolean' }>;
  addInput?(values: Record<string, unknown>): Record<string, unknown>;
}

/** Identity, so that the record types are inferred from the service API. */
export function recordKind<A, S, D>(k: RecordKind<A, S, D>): RecordKind<A, S, D> {
  return k;
}

export const RECORD_SUBCOMMANDS = ['add', 'list', 'show', 'rm'] as const;

export function isRecordSubcommand(sub: string): sub is (typeof RECORD_SUBCOMMANDS)[number] {
  return (RECORD_SUBCOMMANDS as readonly string[]).includes(sub);
}

export async function runRecordSubcommand<A, S, D>(kind: RecordKind<A, S, D>, sub: (typeof RECORD_SUBCOMMANDS)[number], rest: string[]): Promise<void> {
  const name = `${kind.noun} ${sub}`;
  if (sub === 'add') {
    const { values: v, positionals } = parseWithPositionals(name, rest,
      { ...DB_OPTION, name: { type: 'string' }, json: { type: 'boolean' }, ...kind.addOptions }, { names: ['DIR'] });
    if (v.help) return void console.log(kind.help);
    const extra = kind.addInput?.(v) ?? {};
    return withService(v, async (service) => {
      const r = await kind.api(service).add({ path: positionals[0], name: v.name as string | undefined, ...extra });
      if (v.json) return printJson(r);
      process.stderr.write(kind.describeAdded(r) + '\n');
      console.log(kind.idOfAdded(r));
    });
  }
  if (sub === 'list') {
    const v = parse(name, rest, { ...DB_OPTION, json: { type: 'boolean' } });
    if (v.help) return void console.log(kind.help);
    return withService(v, async (service) => {
      const all = await kind.api(service).list();
      if (v.json) return printJson(all);
      console.log(kind.table(all));
    });
  }
  const { values: v, positionals } = parseWithPositionals(name, rest, { ...DB_OPTION, json: { type: 'boolean' } }, { names: ['ID'] });
  if (v.help) return void console.log(kind.help);
  const id = idArgument(name, positionals[0], kind.noun);
  return withService(v, async (service) => {
    if (sub === 'rm') {
      await kind.api(service).remove(id);
      return v.json ? printJson({ removed: id }) : void console.log(`removed ${kind.noun} ${id} (its folder is untouched)`);
    }
    const d = await kind.api(service).show(id);
    if (v.json) return printJson(d);
    console.log(kind.text(d));
  });
}
