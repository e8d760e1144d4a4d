import { join, resolve } from 'node:path';
import { existsSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { parse, intOption } from '../args';
import { APP_VERSION, BACKEND_HELP, BACKEND_OPTION, startBackend, type Command } from '../command';
import { ProgressBar } from '../progress';
import { generateSynthDataset } from '../../engine/data/synth';
import { runTrain } from '../../engine/runs/train-run';
import { runExplain } from '../../engine/runs/explain-run';
import type { SanityJobSummary } from '../../../shared/service-api';
import { requireDone, runInForeground } from '../foreground-job';
import { printSanitySummary } from './sanity';
import { trainProgressNote } from '../../../shared/train-progress-note';
import { runDemoVit, VIT_DEMO_METHODS, VIT_DEMO_TRAINING } from './demo-vit';

export const SANITY_METHODS = ['dix3', 'gradcam'];
export const DEMO_METHODS = ['dix3', 'dix2', 'dix1', 'ig', 'gradcam', 'gradcam++', 'xgradcam', 'layercam'];

export const demoCommand: Command = {
  help: `Usage: dixw demo --out DIR [--images N] [--epochs E] [--vit-epochs E | --no-vit]

1. synthesizes the default dataset (4 shape classes, 32x32, with ground-truth masks): DIR/data/train, DIR/data/test
2. trains the small CNN on it: DIR/model
3. explains N test images, balanced across classes (default 8) with ${DEMO_METHODS.join(', ')}:
   raw maps in DIR/maps (.npy, with the inputs and targets.json) and overlays in DIR/overlays (.png)
4. sanity tests of ${SANITY_METHODS.join(' and ')} as jobs in DIR/workbench.db: cascading and independent randomization of
   the model of step 2, and data randomization (the small CNN trained on true and on permuted labels, both to 95%
   training accuracy, on DIR/data/pair-train, 64 images it can memorize) on the same N test images;
   figures in DIR/figures (PDF and PNG) and per-step tables in DIR/tables (CSV, LaTeX, markdown)
5. ViT: trains the built-in tiny ViT (vit-tiny, width ${VIT_DEMO_TRAINING.width}) on DIR/data/pair-train until it fits it
   (${Math.round(100 * VIT_DEMO_TRAINING.stopAtAccuracy)}% training accuracy, at most ${VIT_DEMO_TRAINING.epochs} epochs, or --vit-epochs E): DIR/vit-model, and explains the same
   test images with ${VIT_DEMO_METHODS.join(', ')}: DIR/vit-maps (.npy) and DIR/vit-overlays (.png);
   --no-vit skips this step
${BACKEND_HELP}

Example: npm run demo   (= dixw demo --out demo-output)`,
  async run(argv) {
    const v = parse('demo', argv, { ...BACKEND_OPTION, out: { type: 'string' }, images: { type: 'string' }, epochs: { type: 'string' },
      'vit-epochs': { type: 'string' }, 'no-vit': { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const out = resolve(typeof v.out === 'string' ? v.out : 'demo-output');
    const backend = await startBackend(v);
    for (const sub of ['data', 'model', 'maps', 'overlays', 'figures', 'tables', 'sanity-models', 'vit-model', 'vit-maps', 'vit-overlays', 'workbench.db', 'workbench.db-wal', 'workbench.db-shm']) if (existsSync(join(out, sub))) rmSync(join(out, sub), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const train = generateSynthDataset({ out: join(out, 'data', 'train'), n: 800, size: 32, classes: 4, seed: 1 });
    const test = generateSynthDataset({ out: join(out, 'data', 'test'), n: 40, size: 32, classes: 4, seed: 2 });
    console.log(`1. data: ${train.n} training and ${test.n} test images (${train.classNames.join(', ')}) in ${join(out, 'data')}`);
    const bar = new ProgressBar('train', true, 'percent');
    const epochs = intOption('demo', v, 'epochs') ?? 10;
    const t = await runTrain({ data: train.out, arch: 'small-cnn', epochs, out: join(out, 'model'), permuteLabels: false, seed: 1,
      width: 0.5, backend, appVersion: APP_VERSION },
    (p) => bar.update((p.epoch - 1) * p.batches + p.batch, p.epochs * p.batches, trainProgressNote(p)));
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
    const images = intOption('demo', v, 'images') ?? 8;
    const pairTrain = generateSynthDataset({ out: join(out, 'data', 'pair-train'), n: 64, size: 32, classes: 4, seed: 11 });
    const sanity = await runDemoSanity(out, { model: t.out, test: test.out, pairTrain: pairTrain.out, perClass: Math.ceil(images / test.classNames.length), limit: images,
      backend: typeof v.backend === 'string' ? v.backend : backend.name });
    const vit = v['no-vit'] ? null : await runDemoVit({ out, train: pairTrain.out, test: test.out, perClass: Math.ceil(images / test.classNames.length), limit: images,
      epochs: intOption('demo', v, 'vit-epochs'), backend });
    writeFileSync(join(out, 'demo-summary.json'), JSON.stringify({ appVersion: APP_VERSION, backend, training: t, explain: e, sanity, vit }, null, 2) + '\n');
    console.log(`\nOutputs in ${out}:\n  maps/<method>/<class>/<image>.npy  raw maps (float32 H x W), maps/_input, maps/targets.json\n  overlays/<method>/<class>/<image>.png\n`
      + `  figures/  sanity figures (cascading, independent, data randomization, map strips; PDF and PNG)\n  tables/   per-step sanity summaries (CSV, LaTeX, markdown)\n`
      + `  workbench.db  the sanity jobs ("dixw jobs list --db ${join(out, 'workbench.db')}")\n  model/  sanity-models/  data/  demo-summary.json`
      + `${vit ? '\n  vit-maps/<method>/<class>/<image>.npy, vit-overlays/  the tiny ViT\'s maps (vit-model/)' : ''}`);
  },
};

interface DemoSanityInputs {
  model: string;
  test: string;
  pairTrain: string;
  perClass: number;
  limit: number;
  backend: string;
}

/** Step 4: the three sanity tests as jobs in DIR/workbench.db, then their figures and tables. */
async function runDemoSanity(out: string, o: DemoSanityInputs): Promise<Record<string, SanityJobSummary>> {
  const { openService } = await import('../../service/service');
  const { sanityFigure, jobTable } = await import('../../service/job-exports');
  const service = openService({ dbPath: join(out, 'workbench.db') });
  const summaries: Record<string, SanityJobSummary> = {};
  try {
    const common = { kind: 'sanity', dataset: o.test, methods: SANITY_METHODS, perClass: o.perClass, limit: o.limit, seed: 1, keepMaps: 2, backend: o.backend };
    const specs: Record<string, Record<string, unknown>> = {
      cascading: { ...common, test: 'cascading', model: o.model },
      independent: { ...common, test: 'independent', model: o.model },
      data: { ...common, test: 'data', train: { dataset: o.pairTrain, arch: 'small-cnn', epochs: 60, randomEpochs: 300, width: 0.5, learningRate: 5e-3, batchSize: 16,
        out: join(out, 'sanity-models') } },
    };
    mkdirSync(join(out, 'figures'), { recursive: true });
    mkdirSync(join(out, 'tables'), { recursive: true });
    const written: string[] = [];
    for (const [test, spec] of Object.entries(specs)) {
      console.log(`\n4. sanity test: ${test} randomization${test === 'data' ? ' (trains the pair of models first)' : ''}`);
      const { job } = await service.jobs.submit({ spec });
      requireDone(await runInForeground(service, job.id, { label: `sanity ${test}`, quiet: false, progress: 'items' }));
      const s = (await service.results.summary(job.id)) as SanityJobSummary;
      summaries[test] = s;
      printSanitySummary(s);
      const kind = test === 'data' ? 'data-randomization' : (test as 'cascading' | 'independent');
      for (const format of ['pdf', 'png'] as const) {
        const fig = await sanityFigure(service, { jobId: job.id, kind, format, dpi: 200 });
        const strip = await sanityFigure(service, { jobId: job.id, kind: 'map-strip', format, dpi: 150 });
        for (const [name, f] of [[`${test}.${format}`, fig], [`${test}-maps.${format}`, strip]] as const) {
          writeFileSync(join(out, 'figures', name), f.bytes);
          written.push(join('figures', name));
        }
      }
      for (const [format, ext] of [['csv', 'csv'], ['latex', 'tex'], ['markdown', 'md']] as const) {
        writeFileSync(join(out, 'tables', `${test}.${ext}`), (await jobTable(service, { jobId: job.id, format })).bytes);
        written.push(join('tables', `${test}.${ext}`));
      }
    }
    console.log(`\nsanity figures and tables: ${written.map((w) => join(out, w)).join(', ')}`);
    return summaries;
  } finally {
    await service.close();
  }
}
