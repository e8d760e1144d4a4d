import { parse, intOption, numberOption, required } from '../args';
import { APP_VERSION, BACKEND_HELP, BACKEND_OPTION, printJson, startBackend, type Command } from '../command';
import { ProgressBar } from '../progress';
import { parseInputShape, runTrain } from '../../engine/runs/train-run';
import { describeArchitectures } from '../../engine/model/architectures/registry';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a built-in architecture on an image folder',
  help: `Usage: dixw train --data DIR --arch ARCH --epochs E --out MODEL_DIR [options]

Writes a TF.js LayersModel folder (model.json, weights.bin), its preprocessing.json and training-log.json
(loss, training and validation accuracy per epoch).
  --arch ARCH         ${describeArchitectures().join('\n                      ')}
  --input HxWxC       input size (default: the first image's size; 1 channel if it is grayscale)
  --permute-labels    train on a fixed, seeded permutation of the labels (the data randomization test)
  --seed S            seeds initialization, shuffling and the permutation (default 0)
  --width X           channel-width multiplier (default 1)
  --batch-norm        batch normalization after each VGG convolution
  --batch-size N      (default 32)    --lr X   Adam learning rate (default 0.001)
  --val-split X       fraction held out for validation accuracy (default 0.1)
  --stop-at-accuracy X  stop once training accuracy reaches X (e.g. 0.95)
  --limit N           use only the first N images
  --json              print a machine-readable summary on stdout
${BACKEND_HELP}

Example: dixw train --data demo-output/data/train --arch small-cnn --epochs 5 --out my-model`,
  async run(argv) {
    const v = parse('train', argv, {
      ...BACKEND_OPTION, data: { type: 'string' }, arch: { type: 'string' }, epochs: { type: 'string' }, out: { type: 'string' },
      input: { type: 'string' }, 'permute-labels': { type: 'boolean' }, seed: { type: 'string' }, width: { type: 'string' },
      'batch-norm': { type: 'boolean' }, 'batch-size': { type: 'string' }, lr: { type: 'string' }, 'val-split': { type: 'string' },
      'stop-at-accuracy': { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
    });
    if (v.help) return void console.log(this.help);
    const data = required('train', v, 'data');
    const arch = required('train', v, 'arch');
    const out = required('train', v, 'out');
    const epochs = intOption('train', v, 'epochs') ?? 5;
    const backend = await startBackend(v, Boolean(v.json));
    const bar = new ProgressBar('train', !v.json);
    const s = await runTrain({
      data, arch, epochs, out, backend, appVersion: APP_VERSION,
      input: typeof v.input === 'string' ? parseInputShape(v.input) : undefined,
      permuteLabels: Boolean(v['permute-labels']), seed: intOption('train', v, 'seed') ?? 0,
      width: numberOption('train', v, 'width'), batchNorm: Boolean(v['batch-norm']), batchSize: intOption('train', v, 'batch-size'),
      learningRate: numberOption('train', v, 'lr'), valSplit: numberOption('train', v, 'val-split'),
      stopAtAccuracy: numberOption('train', v, 'stop-at-accuracy'), limit: intOption('train', v, 'limit'),
    }, (p) => bar.update((p.epoch - 1) * p.batches + p.batch, p.epochs * p.batches, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)}`));
    bar.finish(`${s.epochs.length} epoch(s) on ${s.images} images`);
    for (const k of s.skipped) process.stderr.write(`skipped ${k.path}: ${k.reason}\n`);
    if (v.json) return printJson(s);
    for (const e of s.epochs) {
      console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}  train acc ${(100 * e.trainAccuracy).toFixed(1)}%` +
        `${e.valAccuracy === null ? '' : `  val acc ${(100 * e.valAccuracy).toFixed(1)}%`}  ${e.seconds.toFixed(1)} s`);
    }
    console.log(`model written to ${s.out} (sha256 ${s.modelHash.slice(0, 12)})`);
  },
};
