import { basename } from 'node:path';
import type { TrainJobSummary } from '../../../shared/service-api';
import { intOption, numberOption, parse, required } from '../args';
import { BACKEND_HELP, BACKEND_OPTION, printJson, type Command } from '../command';
import { requireDone, runInForeground } from '../foreground-job';
import { reportSubmittedInputs } from '../report-inputs';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { withoutUndefined } from '../spec-options';
import { describeArchitectures } from '../../engine/model/architectures/registry';
import { parseInputShape } from '../../engine/model/input-shape';

export const trainCommand: Command = {
  help: `Usage: dixw train --data DATASET --arch ARCH --epochs E --out MODEL_DIR [options]

Trains as a job (in the foreground with a progress bar, or queued with --detach) and writes a TF.js LayersModel
folder (model.json, weights.bin), its preprocessing.json and training-log.json (loss, training and validation
accuracy per epoch). The model is then registered (see dixw model list). Run by a fleet worker ("dixw worker
--queue"), the model is trained on that machine and uploaded to the coordinator, which writes it at MODEL_DIR here.
  --data DATASET      an image folder, or a registered dataset id
  --arch ARCH         ${describeArchitectures().join('\n                      ')}
  --input HxWxC       input size (default: the first image's size; 1 channel if it is grayscale)
  --permute-labels    train on a fixed, seeded permutation of the labels (the data randomization test)
  --seed S            seeds initialization, shuffling and the permutation (default 0)
  --width X           channel-width multiplier (default 1)
  --batch-norm        batch normalization after each VGG convolution
  --batch-size N      (default 32)    --lr X   Adam learning rate (default 0.001)
  --val-split X       fraction held out for validation accuracy (default 0.1)
  --stop-at-accuracy X  stop once training accuracy reaches X (e.g. 0.95)
  --limit N           use only N images, taking the classes in turn (every class kept)
  --name NAME         name of the registered model (default: the folder's name)
  --force             replace a model already in MODEL_DIR (otherwise such a folder is refused; MODEL_DIR's
                      parent folder must exist)
  --detach            only queue the job (for a running app or "dixw worker"); prints its id
  --priority P        higher runs first (default 0)
  --json              print a machine-readable summary on stdout
${DB_HELP}
${BACKEND_HELP}

Example: dixw train --data demo-output/data/train --arch small-cnn --epochs 5 --out my-model`,
  async run(argv) {
    const v = parse('train', argv, {
      ...BACKEND_OPTION, ...DB_OPTION, data: { type: 'string' }, arch: { type: 'string' }, epochs: { type: 'string' }, out: { type: 'string' },
      input: { type: 'string' }, 'permute-labels': { type: 'boolean' }, seed: { type: 'string' }, width: { type: 'string' },
      'batch-norm': { type: 'boolean' }, 'batch-size': { type: 'string' }, lr: { type: 'string' }, 'val-split': { type: 'string' },
      'stop-at-accuracy': { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, name: { type: 'string' },
      detach: { type: 'boolean' }, priority: { type: 'string' }, force: { type: 'boolean' },
    });
    if (v.help) return void console.log(this.help);
    const input = typeof v.input === 'string' ? parseInputShape(v.input) : undefined;
    const spec = {
      kind: 'train', dataset: required('train', v, 'data'), arch: required('train', v, 'arch'), out: required('train', v, 'out'),
      epochs: intOption('train', v, 'epochs') ?? 5, seed: intOption('train', v, 'seed') ?? 0, permuteLabels: Boolean(v['permute-labels']),
      input: input ? { height: input[0], width: input[1], channels: input[2] } : undefined,
      width: numberOption('train', v, 'width'), batchNorm: v['batch-norm'] ? true : undefined, batchSize: intOption('train', v, 'batch-size'),
      learningRate: numberOption('train', v, 'lr'), valSplit: numberOption('train', v, 'val-split'),
      stopAtAccuracy: numberOption('train', v, 'stop-at-accuracy'), limit: intOption('train', v, 'limit'),
      name: v.name as string | undefined, backend: v.backend as string | undefined, overwrite: v.force ? true : undefined,
    };
    await withService(v, async (service) => {
      const submitted = await service.jobs.submit({ spec: withoutUndefined(spec), priority: intOption('train', v, 'priority') });
      const { job } = submitted;
      reportSubmittedInputs(submitted.dataset, null);
      if (v.detach) {
        if (v.json) return printJson({ jobId: job.id, state: job.state });
        return void console.log(`queued job ${job.id}: train ${spec.arch} for ${spec.epochs} epoch(s) -> ${spec.out}; "dixw worker" or the app runs it`);
      }
      requireDone(await runInForeground(service, job.id, { label: 'train', quiet: Boolean(v.json), progress: 'fraction' }));
      const summary = (await service.results.summary(job.id)) as TrainJobSummary;
      const s = summary.result!;
      for (const k of s.skipped) process.stderr.write(`skipped ${k.path}: ${k.reason}\n`);
      if (v.json) return printJson({ jobId: job.id, modelId: summary.modelId, backend: summary.backend, ...s });
      for (const e of s.epochs) {
        console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}  train acc ${(100 * e.trainAccuracy).toFixed(1)}%` +
          `${e.valAccuracy === null ? '' : `  val acc ${(100 * e.valAccuracy).toFixed(1)}%`}  ${e.seconds.toFixed(1)} s`);
      }
      console.log(`model written to ${s.out} (sha256 ${s.modelHash.slice(0, 12)})` +
        (summary.modelId === null ? '' : `, registered as model ${summary.modelId} "${spec.name ?? basename(s.out)}"`));
    });
  },
};
