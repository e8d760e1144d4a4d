import type { Command } from '../command';
import { isRecordSubcommand, runRecordSubcommand, recordKind } from '../record-subcommands';
import { modelsTable, modelText } from '../record-text';
import { describeModelResult } from '../report-inputs';
import { DB_HELP } from '../service-access';
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

const RECORDS = recordKind({
  noun: 'model',
  help: HELP,
  api: (service) => service.models,
  describeAdded: describeModelResult,
  idOfAdded: (r) => r.model.id,
  table: modelsTable,
  text: modelText,
});

export const modelCommand: Command = {
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return void console.log(HELP);
    if (isRecordSubcommand(sub)) return runRecordSubcommand(RECORDS, sub, rest);
    switch (sub) {
      default:
        throw new UserError(`Unknown model command "${sub}".`, 'Use add, list, show or rm (see `dixw model --help`).');
    }
  },
};
