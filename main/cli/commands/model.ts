import type { Command } from '../command';
import { isRecordSubcommand, runRecordSubcommand, recordKind } from '../record-subcommands';
import { modelsTable, modelText } from '../record-text';
import { describeModelResult } from '../report-inputs';
import { DB_HELP } from '../service-access';
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../../engine/errors';
import { PreprocessingSchema } from '../../../shared/preprocessing';
import type { PreprocessingChoice } from '../../../shared/service-api';

const HELP = `Usage: dixw model add PATH [--name NAME] [--preprocessing imagenet|none|FILE.json] [--labels FILE]
                                     register a TF.js LayersModel folder or an ONNX file (prints its id)
       dixw model list                     the registered models
       dixw model show ID                  input, classes, cut points, hash, and the jobs that use it
       dixw model rm ID                    forget it (refused while an unfinished job uses it; the files stay)

PATH is a LayersModel folder (model.json and weight shards) or a .onnx file exported from PyTorch with
torch.onnx.export (opsets 13-17; see the README's "Explain your PyTorch model"). add loads the model once to learn
its input, classes and cut points, and records its content hash (model files, and for ONNX the preprocessing).
A job queued on a model whose files change afterwards fails with that reason instead of producing maps its
provenance would misdescribe; adding it again records the new hash.
  --preprocessing P   how images become the model's input, stored with the model (required the first time for
                      an ONNX model): imagenet = torchvision's Resize(256) + CenterCrop(224) + ImageNet mean/std
                      (scaled to the model's input size), none = pixels scaled to [0, 1] at the input size, or a
                      JSON file { height, width, channels, scale, mean, std, resize, channelOrder, classNames }.
                      ONNX: kept in NAME.preprocessing.json beside NAME.onnx; LayersModel: preprocessing.json.
  --labels FILE       class names in output order: one per line, or a JSON array
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
  addOptions: { preprocessing: { type: 'string' }, labels: { type: 'string' } },
  addInput: (v) => ({
    ...(typeof v.preprocessing === 'string' ? { preprocessing: preprocessingChoice(v.preprocessing) } : {}),
    ...(typeof v.labels === 'string' ? { classNames: readLabels(v.labels) } : {}),
  }),
});

function readJsonFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new UserError(`${what} file not found: ${file}.`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}).`, `Fix the ${what} file.`);
  }
}

function preprocessingChoice(v: string): PreprocessingChoice {
  if (v === 'imagenet' || v === 'none') return v;
  if (!v.toLowerCase().endsWith('.json')) throw new UserError(`Unknown --preprocessing "${v}".`, 'Give imagenet, none, or a FILE.json.');
  const r = PreprocessingSchema.safeParse(readJsonFile(v, 'preprocessing'));
  if (!r.success) {
    throw new UserError(`${v} is not a valid preprocessing: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}.`,
      'Expected { height, width, channels: 1|3, scale?, mean?, std?, resize?, channelOrder?, classNames? }.');
  }
  return r.data;
}

/** Class names: a JSON array of strings, or one name per line (blank lines ignored). */
function readLabels(file: string): string[] {
  if (file.toLowerCase().endsWith('.json')) {
    const j = readJsonFile(file, 'labels');
    if (!Array.isArray(j) || !j.every((x) => typeof x === 'string') || j.length === 0) throw new UserError(`${file} is not a JSON array of class names.`);
    return j;
  }
  if (!existsSync(file)) throw new UserError(`labels file not found: ${file}.`);
  const names = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (names.length === 0) throw new UserError(`${file} holds no class names.`, 'Give one class name per line, in the model\'s output order.');
  return names;
}

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
