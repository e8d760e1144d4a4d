import { intOption, listOption, parse, required } from '../args';
import { printJson, type Command } from '../command';
import { isRecordSubcommand, runRecordSubcommand, recordKind } from '../record-subcommands';
import { datasetsTable, datasetText } from '../record-text';
import { describeDatasetResult } from '../report-inputs';
import { DB_HELP } from '../service-access';
import { UserError } from '../../engine/errors';

const HELP = `Usage: dixw dataset add DIR [--name NAME]      register a folder (prints its id); a changed folder is re-indexed
       dixw dataset list                         the registered datasets
       dixw dataset show ID                      classes, masks, hash, and the jobs that use it
       dixw dataset rm ID                        forget it (refused while an unfinished job uses it; the folder stays)
       dixw dataset synth --out DIR [--n N] [--size S] [--classes K] [--seed S] [--overwrite]
       dixw dataset import-idx --images FILE --labels FILE --out DIR [--limit N] [--class-names fashion-mnist|a,b,...]

add          indexes the folder (one subfolder per class, or flat with labels.csv; masks in masks/): classes, labels,
             masks and a content hash per image. Adding a registered folder again says whether it changed, and
             re-indexes it if so (images keep their ids where the path is unchanged)
synth        a deterministic synthetic dataset: objects whose shape decides the class, on cluttered backgrounds,
             with ground-truth masks in DIR/masks (defaults: n 400, size 32, classes 4, seed 0)
import-idx   MNIST-format files (gzip or raw IDX, e.g. Debian's dataset-fashion-mnist) to an image folder

Options of add, list, show, rm:
  --json              machine-readable output
${DB_HELP}

Examples:
  dixw dataset add demo-output/data/test --name synth-test
  dixw dataset synth --out data/synth --n 400 --size 32 --classes 4 --seed 1
  dixw dataset import-idx --images /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \\
      --labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --out data/fmnist-test --limit 1000 --class-names fashion-mnist`;

const RECORDS = recordKind({
  noun: 'dataset',
  help: HELP,
  api: (service) => service.datasets,
  describeAdded: describeDatasetResult,
  idOfAdded: (r) => r.dataset.id,
  table: datasetsTable,
  text: datasetText,
});

export const datasetCommand: Command = {
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return void console.log(HELP);
    if (isRecordSubcommand(sub)) return runRecordSubcommand(RECORDS, sub, rest);
    switch (sub) {
      case 'synth': {
        const v = parse('dataset synth', rest, { out: { type: 'string' }, n: { type: 'string' }, size: { type: 'string' },
          classes: { type: 'string' }, seed: { type: 'string' }, overwrite: { type: 'boolean' }, json: { type: 'boolean' } });
        if (v.help) return void console.log(HELP);
        const { generateSynthDataset } = await import('../../engine/data/synth');
        const r = generateSynthDataset({ out: required('dataset synth', v, 'out'), n: intOption('dataset synth', v, 'n'),
          size: intOption('dataset synth', v, 'size'), classes: intOption('dataset synth', v, 'classes'),
          seed: intOption('dataset synth', v, 'seed'), overwrite: Boolean(v.overwrite) });
        if (v.json) return printJson(r);
        return void console.log(`wrote ${r.n} images of ${r.size}x${r.size} (${r.classNames.join(', ')}) with masks to ${r.out}`);
      }
      case 'import-idx': {
        const v = parse('dataset import-idx', rest, { images: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string' },
          limit: { type: 'string' }, 'class-names': { type: 'string' }, json: { type: 'boolean' } });
        if (v.help) return void console.log(HELP);
        const { FASHION_MNIST_CLASSES, importIdx } = await import('../../engine/data/idx');
        const names = v['class-names'] === 'fashion-mnist' ? [...FASHION_MNIST_CLASSES] : listOption(v, 'class-names');
        const r = importIdx({ images: required('dataset import-idx', v, 'images'), labels: required('dataset import-idx', v, 'labels'),
          out: required('dataset import-idx', v, 'out'), limit: intOption('dataset import-idx', v, 'limit'), classNames: names });
        if (v.json) return printJson(r);
        return void console.log(`wrote ${r.count} images of ${r.height}x${r.width} in ${r.classNames.length} classes to ${r.out}`);
      }
      default:
        throw new UserError(`Unknown dataset command "${sub}".`, 'Use add, list, show, rm, synth or import-idx (see `dixw dataset --help`).');
    }
  },
};
