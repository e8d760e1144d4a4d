import type { SanityJobSummary } from '../../../shared/service-api';
import { intOption, listOption, numberOption, parseWithPositionals } from '../args';
import { BACKEND_HELP, BACKEND_OPTION, printJson, type Command } from '../command';
import { requireDone, runInForeground } from '../foreground-job';
import { reportSubmittedInputs } from '../report-inputs';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { keepMapsOption, withoutUndefined } from '../spec-options';
import { CATALOGUE_METHOD_IDS as METHOD_IDS } from '../../../shared/method-catalogue';
import { methodFlagOptions, methodOptionFields, methodOptionsHelp } from '../method-flags';
import { MEASURE_IDS } from '../../engine/similarity/registry';
import { UserError } from '../../engine/errors';
import { resolve } from 'node:path';
import { sanityStepTable, trainedPairText } from '../sanity-text';
import { checkLayers } from '../check-layers';

const TESTS = ['cascading', 'independent', 'data'] as const;

export const sanityCommand: Command = {
  help: `Usage: dixw sanity cascading|independent --model MODEL --data DATASET --method dix3[,gradcam] [options]
       dixw sanity data --model MODEL --random-model MODEL2 --data DATASET --method ... [options]
       dixw sanity data --train ARCH --epochs E --train-data TRAIN --data DATASET --method ... [options]

Model and data randomization tests (docs/methods.md §5; Adebayo et al. 2018), as a job: per image, each method's map on
the trained model (step 0, computed once) and on every randomized model, and their similarity under every measure,
stored in the workbench database; then per step the mean, standard deviation and 95% bootstrap interval over images.
  cascading           step k re-initializes the top k layers (from the output down), seeded
  independent         step k re-initializes only layer k of the trained model
  data                the model trained on true labels vs one of the same architecture trained on permuted labels
  --model MODEL       the trained model (a folder or a registered id)
  --data DATASET      the images to explain (a folder or a registered id)
  --method LIST       comma-separated (also --methods): ${METHOD_IDS.join(', ')}
  --measures LIST     similarity measures (default all): ${MEASURE_IDS.join(', ')}
  --limit N           only N images, the classes in turn;  --per-class N  the first N of each class
  --seed S            randomization seed (default 0): same seed, same weights, same maps and numbers
  --layers-from top|bottom  randomize from the output down (default) or from the input up
  --include-batch-norm      also re-initialize batch normalization layers (--batch-norm-stats keep|reset)
  --original-class    explain the trained model's class at every step (default: each model's own top-1)
  --random-model M2   data: the model trained on permuted labels
  --train ARCH        data: train both models in the job (true labels and a seeded permutation) on --train-data;
                      ARCH is any of dixw train --arch, vit-tiny included (two tiny ViTs, for the ViT methods)
  --train-data DIR    data with --train: the training images (default: --data)
  --epochs E          data with --train: epoch budget on true labels (--random-epochs: permuted, default 2E);
                      the job fails clearly if a model does not reach 95% training accuracy
  --width X, --lr X, --batch-size N, --train-limit N, --train-out DIR   training options for --train
  --npy OUT           write OUT/<method>/step-<k>/<image>.npy (raw float32 H x W; step-0 = the trained model or the
                      true-label model), OUT/_input/<image>.npy and OUT/sanity.json
  --keep-maps N|all|none  store the maps of N images, the classes in turn (default none; needed by
                      "export figure --kind map-strip" and "--kind comparison")
  --json              print the per-step summaries as JSON
  --detach            only queue the job;  --priority P
${DB_HELP}
${BACKEND_HELP}

${methodOptionsHelp()}

Example: dixw sanity cascading --model demo-output/model --data demo-output/data/test --method dix3,gradcam --per-class 2 --json
         dixw sanity data --train vit-tiny --epochs 150 --random-epochs 300 --width 0.5 --lr 3e-3 \\
             --train-data demo-output/data/pair-train --data demo-output/data/test --method dix3,rollout,gae --limit 8`,
  async run(argv) {
    const { values: v, positionals } = parseWithPositionals('sanity', argv, {
      ...BACKEND_OPTION, ...DB_OPTION, model: { type: 'string' }, data: { type: 'string' }, method: { type: 'string' }, methods: { type: 'string' },
      measures: { type: 'string' }, limit: { type: 'string' }, 'per-class': { type: 'string' }, seed: { type: 'string' }, 'layers-from': { type: 'string' },
      'include-batch-norm': { type: 'boolean' }, 'batch-norm-stats': { type: 'string' }, 'original-class': { type: 'boolean' }, ...methodFlagOptions(),
      'random-model': { type: 'string' }, train: { type: 'string' }, 'train-data': { type: 'string' }, epochs: { type: 'string' },
      'random-epochs': { type: 'string' }, width: { type: 'string' }, lr: { type: 'string' }, 'batch-size': { type: 'string' }, 'train-limit': { type: 'string' },
      'train-out': { type: 'string' }, npy: { type: 'string' }, 'keep-maps': { type: 'string' }, json: { type: 'boolean' }, detach: { type: 'boolean' },
      priority: { type: 'string' },
    }, { names: ['test'], optional: 1 });
    if (v.help) return void console.log(this.help);
    const test = positionals[0] as (typeof TESTS)[number] | undefined;
    if (!test || !TESTS.includes(test)) throw new UserError(`dixw sanity: the test must be cascading, independent or data (got ${test ? `"${test}"` : 'none'}).`, 'See `dixw sanity --help`.');
    const methods = listOption(v, 'method') ?? listOption(v, 'methods');
    if (!methods?.length) throw new UserError('dixw sanity: --method is required.', `Choose from: ${METHOD_IDS.join(', ')}.`);
    if (typeof v.data !== 'string') throw new UserError('dixw sanity: --data is required.', 'See `dixw sanity --help`.');
    const trainArch = typeof v.train === 'string' ? v.train : undefined;
    if (test === 'data' && !trainArch && typeof v['random-model'] !== 'string') throw new UserError('dixw sanity data: give --random-model M2 (trained on permuted labels), or --train ARCH --epochs E to train both models.');
    if (test !== 'data' && (trainArch || v['random-model'])) throw new UserError(`dixw sanity ${test}: --random-model and --train are for the data test only.`);
    if (!trainArch && typeof v.model !== 'string') throw new UserError('dixw sanity: --model is required.', 'See `dixw sanity --help`.');
    const epochs = intOption('sanity', v, 'epochs');
    if (trainArch && epochs === undefined) throw new UserError('dixw sanity data --train: --epochs is required.');
    const layersFrom = v['layers-from'];
    if (layersFrom !== undefined && layersFrom !== 'top' && layersFrom !== 'bottom') throw new UserError(`dixw sanity: --layers-from must be top or bottom (got "${String(layersFrom)}").`);
    const bnStats = v['batch-norm-stats'];
    if (bnStats !== undefined && bnStats !== 'keep' && bnStats !== 'reset') throw new UserError(`dixw sanity: --batch-norm-stats must be keep or reset (got "${String(bnStats)}").`);
    const measures = listOption(v, 'measures');
    for (const m of measures ?? []) if (!MEASURE_IDS.includes(m)) throw new UserError(`dixw sanity: unknown similarity measure "${m}".`, `Use one of: ${MEASURE_IDS.join(', ')}.`);
    const npy = typeof v.npy === 'string' ? resolve(v.npy) : undefined;
    const spec = {
      kind: 'sanity', test, model: trainArch ? undefined : v.model, dataset: v.data, methods, measures,
      ...methodOptionFields('sanity', v), limit: intOption('sanity', v, 'limit'), perClass: intOption('sanity', v, 'per-class'),
      seed: intOption('sanity', v, 'seed'), layersFrom, includeBatchNorm: v['include-batch-norm'] ? true : undefined, batchNormStats: bnStats,
      explainedClass: v['original-class'] ? 'original' : undefined, randomModel: v['random-model'],
      train: trainArch ? {
        dataset: typeof v['train-data'] === 'string' ? v['train-data'] : v.data, arch: trainArch, epochs, randomEpochs: intOption('sanity', v, 'random-epochs'),
        width: numberOption('sanity', v, 'width'), learningRate: numberOption('sanity', v, 'lr'), batchSize: intOption('sanity', v, 'batch-size'),
        limit: intOption('sanity', v, 'train-limit'), out: typeof v['train-out'] === 'string' ? resolve(v['train-out']) : undefined,
      } : undefined,
      keepMaps: keepMapsOption(v['keep-maps']), backend: v.backend, export: npy ? { npy } : undefined,
    };
    await withService(v, async (service) => {
      if (!trainArch) await checkLayers(service, `sanity ${test}`, String(v.model), listOption(v, 'layers'));
      const submitted = await service.jobs.submit({ spec: withoutUndefined(spec), priority: intOption('sanity', v, 'priority') });
      const { job } = submitted;
      reportSubmittedInputs(submitted.dataset, submitted.model);
      if (v.detach) {
        if (v.json) return printJson({ jobId: job.id, state: job.state, items: job.itemsTotal });
        return void console.log(`queued job ${job.id}: ${test} randomization, ${job.itemsTotal} item(s) x ${methods.length} method(s); "dixw worker" or the app runs it ("dixw jobs show ${job.id}")`);
      }
      requireDone(await runInForeground(service, job.id, { label: `sanity ${test}`, quiet: Boolean(v.json), progress: 'items' }));
      const summary = (await service.results.summary(job.id)) as SanityJobSummary;
      for (const s of summary.skipped) process.stderr.write(`skipped ${s.image}: ${s.reason}\n`);
      if (v.json) return printJson(summary);
      printSanitySummary(summary, npy);
    });
  },
};

export function printSanitySummary(s: SanityJobSummary, npy?: string): void {
  console.log(`job ${s.jobId}: ${s.test} randomization, ${s.dataset.images} image(s), ${s.steps.length} steps, seed ${s.seed}${s.backend ? `, on ${s.backend.name}` : ''}`);
  if (s.trainedPair) console.log(`trained: ${trainedPairText(s.trainedPair)} (${s.trainedPair.randomLabels.path})`);
  for (const line of sanityStepTable(s)) console.log(line);
  console.log(`"dixw export figure --job ${s.jobId} --kind ${s.test === 'data' ? 'data-randomization' : s.test} --size column --out fig.pdf" and "dixw export table --job ${s.jobId} --format latex" export them.`);
  if (npy) console.log(`maps (.npy): ${npy}/<method>/step-<k>/<image>.npy`);
}
