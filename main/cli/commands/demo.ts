import { join, resolve } from 'node:path';
import { existsSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { parse, intOption } from '../args';
import { APP_VERSION, BACKEND_HELP, BACKEND_OPTION, startBackend, type Command } from '../command';
import { ProgressBar } from '../progress';
import { generateSynthDataset } from '../../engine/data/synth';
import { runTrain } from '../../engine/runs/train-run';
import { runExplain } from '../../engine/runs/explain-run';

export const DEMO_METHODS = ['dix3', 'dix2', 'dix1', 'ig', 'gradcam', 'gradcam++', 'xgradcam', 'layercam'];

export const demoCommand: Command = {
  help: `Usage: dixw demo --out DIR [--images N] [--epochs E]

1. synthesizes the default dataset (4 shape classes, 32x32, with ground-truth masks): DIR/data/train, DIR/data/test
2. trains the small CNN on it: DIR/model
3. explains N test images, balanced across classes (default 8) with ${DEMO_METHODS.join(', ')}:
   raw maps in DIR/maps (.npy, with the inputs and targets.json) and overlays in DIR/overlays (.png)
${BACKEND_HELP}

Example: npm run demo   (= dixw demo --out demo-output)`,
  async run(argv) {
    const v = parse('demo', argv, { ...BACKEND_OPTION, out: { type: 'string' }, images: { type: 'string' }, epochs: { type: 'string' } });
    if (v.help) return void console.log(this.help);
    const out = resolve(typeof v.out === 'string' ? v.out : 'demo-output');
    const backend = await startBackend(v);
    for (const sub of ['data', 'model', 'maps', 'overlays']) if (existsSync(join(out, sub))) rmSync(join(out, sub), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const train = generateSynthDataset({ out: join(out, 'data', 'train'), n: 800, size: 32, classes: 4, seed: 1 });
    const test = generateSynthDataset({ out: join(out, 'data', 'test'), n: 40, size: 32, classes: 4, seed: 2 });
    console.log(`1. data: ${train.n} training and ${test.n} test images (${train.classNames.join(', ')}) in ${join(out, 'data')}`);
    const bar = new ProgressBar('train');
    const epochs = intOption('demo', v, 'epochs') ?? 10;
    const t = await runTrain({ data: train.out, arch: 'small-cnn', epochs, out: join(out, 'model'), permuteLabels: false, seed: 1,
      width: 0.5, backend, appVersion: APP_VERSION },
    (p) => bar.update((p.epoch - 1) * p.batches + p.batch, p.epochs * p.batches, `epoch ${p.epoch}/${p.epochs}`));
    const last = t.epochs[t.epochs.length - 1];
    bar.finish(`train acc ${(100 * last.trainAccuracy).toFixed(1)}%, val acc ${(100 * (last.valAccuracy ?? NaN)).toFixed(1)}%`);
    console.log(`2. model: small-cnn trained ${t.epochs.length} epochs -> ${t.out}`);
    const ebar = new ProgressBar('explain');
    const e = await runExplain({ model: t.out, data: test.out, methods: DEMO_METHODS, options: {},
      perClass: Math.ceil((intOption('demo', v, 'images') ?? 8) / test.classNames.length), limit: intOption('demo', v, 'images') ?? 8,
      npyDir: join(out, 'maps'), pngDir: join(out, 'overlays'), backend }, (p) => ebar.update(p.done, p.total, p.image));
    ebar.finish(`${e.images.length} images x ${e.methods.length} methods`);
    const correct = e.images.filter((im) => im.predictedClass === im.label).length;
    console.log(`3. maps: ${e.images.length} test images (${correct} classified correctly) x ${e.methods.length} methods`);
    for (const m of e.methods) console.log(`   ${m.id.padEnd(11)} ${e.medianMillis[m.id].toFixed(1).padStart(7)} ms/image (median)`);
    writeFileSync(join(out, 'demo-summary.json'), JSON.stringify({ appVersion: APP_VERSION, backend, training: t, explain: e }, null, 2) + '\n');
    console.log(`\nOutputs in ${out}:\n  maps/<method>/<class>/<image>.npy  raw maps (float32 H x W), maps/_input, maps/targets.json\n  overlays/<method>/<class>/<image>.png\n  model/  data/  demo-summary.json`);
  },
};
