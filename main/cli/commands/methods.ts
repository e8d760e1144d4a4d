import { parse } from '../args';
import { printJson, type Command } from '../command';
import { listMethods } from '../../engine/explain/registry';
import { methodInfo, methodParams } from '../../../shared/method-catalogue';
import { paramUsage } from '../../../shared/method-options';

export const methodsCommand: Command = {
  help: 'Usage: dixw methods [--json]\n\nLists every explanation method id (for --methods) with its protocol version, a one-line summary, its family and\ncapabilities, and the options it reads with their defaults (from the parameter schemas of shared/method-catalogue.ts).',
  async run(argv) {
    const v = parse('methods', argv, { json: { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const ms = listMethods().map((m) => {
      const info = methodInfo(m.id)!;
      return { id: m.id, version: m.version, title: info.title, summary: info.summary, family: info.family, multiLayer: info.multiLayer,
        needsGradients: info.needsGradients, modelKinds: info.modelKinds, params: methodParams(m.id) };
    });
    if (v.json) return printJson(ms);
    for (const m of ms) {
      console.log(`${m.id.padEnd(11)} v${m.version}  ${m.title}: ${m.summary}  [${m.family}${m.modelKinds === 'any' ? '' : `, ${m.modelKinds} only`}]`);
      for (const p of m.params) console.log(`              ${paramUsage(p)}`);
    }
  },
};
