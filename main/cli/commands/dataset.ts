import { parse, intOption, listOption, required } from '../args';
import { printJson, type Command } from '../command';
import { generateSynthDataset, SYNTH_DEFAULTS } from '../../engine/data/synth';
import { FASHION_MNIST_CLASSES, importIdx } from '../../engine/data/idx';
import { UserError } from '../../engine/errors';

const HELP = `Usage: dixw dataset synth --out DIR [--n N] [--size S] [--classes K] [--seed S] [--overwrite]
       dixw dataset import-idx --images FILE --labels FILE --out DIR [--limit N] [--class-names fashion-mnist|a,b,...]

synth        a deterministic synthetic dataset: objects whose shape decides the class, on cluttered backgrounds,
             with ground-truth masks in DIR/masks (defaults: n ${SYNTH_DEFAULTS.n}, size ${SYNTH_DEFAULTS.size}, classes ${SYNTH_DEFAULTS.classes}, seed ${SYNTH_DEFAULTS.seed})
import-idx   MNIST-format files (gzip or raw IDX, e.g. Debian's dataset-fashion-mnist) to an image folder

Examples:
  dixw dataset synth --out data/synth --n 400 --size 32 --classes 4 --seed 1
  dixw dataset import-idx --images /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \\
      --labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --out data/fmnist-test --limit 1000 --class-names fashion-mnist`;

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'make datasets: synth (the built-in synthetic set), import-idx (MNIST-format files)',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return void console.log(HELP);
    if (sub === 'synth') {
      const v = parse('dataset synth', rest, { out: { type: 'string' }, n: { type: 'string' }, size: { type: 'string' },
        classes: { type: 'string' }, seed: { type: 'string' }, overwrite: { type: 'boolean' }, json: { type: 'boolean' } });
      if (v.help) return void console.log(HELP);
      const r = generateSynthDataset({ out: required('dataset synth', v, 'out'), n: intOption('dataset synth', v, 'n'),
        size: intOption('dataset synth', v, 'size'), classes: intOption('dataset synth', v, 'classes'),
        seed: intOption('dataset synth', v, 'seed'), overwrite: Boolean(v.overwrite) });
      if (v.json) return printJson(r);
      return void console.log(`wrote ${r.n} images of ${r.size}x${r.size} (${r.classNames.join(', ')}) with masks to ${r.out}`);
    }
    if (sub === 'import-idx') {
      const v = parse('dataset import-idx', rest, { images: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string' },
        limit: { type: 'string' }, 'class-names': { type: 'string' }, json: { type: 'boolean' } });
      if (v.help) return void console.log(HELP);
      const names = v['class-names'] === 'fashion-mnist' ? [...FASHION_MNIST_CLASSES] : listOption(v, 'class-names');
      const r = importIdx({ images: required('dataset import-idx', v, 'images'), labels: required('dataset import-idx', v, 'labels'),
        out: required('dataset import-idx', v, 'out'), limit: intOption('dataset import-idx', v, 'limit'), classNames: names });
      if (v.json) return printJson(r);
      return void console.log(`wrote ${r.count} images of ${r.height}x${r.width} in ${r.classNames.length} classes to ${r.out}`);
    }
    throw new UserError(`Unknown dataset command "${sub}".`, 'Use `dixw dataset synth` or `dixw dataset import-idx` (see --help).');
  },
};
