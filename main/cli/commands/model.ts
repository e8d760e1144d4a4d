import { idArgument, parse, parseWithPositionals } from '../args';
import { printJson, type Command } from '../command';
import { modelsTable, modelText } from '../record-text';
import { describeModelResult } from '../report-inputs';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { UserError } from '../../engine/errors';

const HELP = `Usage: dixw model add DIR [--name NAME]   register a TF.js LayersModel folder (prints its id)
       dixw model list                     the registered models
       dixw model show ID                  input, classes, cut points, hash, and the jobs that use it
       dixw model rm ID                    forget it (refused while an unfinished job uses it; the folder stays)

add loads the model once to learn its input, classes and cut points, and records the content hash of model.json and
its weight shards. A job queued on a model whose files change afterwards fails with that reason instead of
producing maps its provenance would misdescribe; adding the folder again records the new hash.
  --json              machine-readable output
${DB_HELP}

Example: dixw model add demo-output/model --name demo-cnn`;

export const modelCommand: Command = {
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return void console.log(HELP);
    switch (sub) {
      case 'add': {
        const { values: v, positionals } = parseWithPositionals('model add', rest, { ...DB_OPTION, name: { type: 'string' }, json: { type: 'boolean' } }, { names: ['DIR'] });
        if (v.help) return void console.log(HELP);
        return withService(v, async (service) => {
          const r = await service.models.add({ path: positionals[0], name: v.name as string | undefined });
          if (v.json) return printJson(r);
          process.stderr.write(describeModelResult(r) + '\n');
          console.log(r.model.id);
        });
      }
      case 'list': {
        const v = parse('model list', rest, { ...DB_OPTION, json: { type: 'boolean' } });
        if (v.help) return void console.log(HELP);
        return withService(v, async (service) => {
          const all = await service.models.list();
          if (v.json) return printJson(all);
          console.log(modelsTable(all));
        });
      }
      case 'show':
      case 'rm': {
        const { values: v, positionals } = parseWithPositionals(`model ${sub}`, rest, { ...DB_OPTION, json: { type: 'boolean' } }, { names: ['ID'] });
        if (v.help) return void console.log(HELP);
        const id = idArgument(`model ${sub}`, positionals[0], 'model');
        return withService(v, async (service) => {
          if (sub === 'rm') {
            await service.models.remove(id);
            return v.json ? printJson({ removed: id }) : void console.log(`removed model ${id} (its folder is untouched)`);
          }
          const d = await service.models.show(id);
          if (v.json) return printJson(d);
          console.log(modelText(d));
        });
      }
      default:
        throw new UserError(`Unknown model command "${sub}".`, 'Use add, list, show or rm (see `dixw model --help`).');
    }
  },
};
