import { parse } from '../args';
import { printJson, type Command } from '../command';
import { listMethods } from '../../engine/explain/registry';

export const methodsCommand: Command = {
  help: 'Usage: dixw methods [--json]\n\nLists every explanation method id (for --methods) with its protocol version and a one-line summary.',
  async run(argv) {
    const v = parse('methods', argv, { json: { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const ms = listMethods().map((m) => ({ id: m.id, version: m.version, title: m.title, summary: m.summary }));
    if (v.json) return printJson(ms);
    for (const m of ms) console.log(`${m.id.padEnd(11)} v${m.version}  ${m.title}: ${m.summary}`);
  },
};
