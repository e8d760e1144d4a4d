import { resolve } from 'node:path';
import type { ExplainJobSummary } from '../../../shared/service-api';
import { intOption, listOption, numberOption, parse, required } from '../args';
import { BACKEND_HELP, BACKEND_OPTION, printJson, type Command } from '../command';
import { requireDone, runInForeground } from '../foreground-job';
import { reportSubmittedInputs } from '../report-inputs';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { keepMapsOption, withoutUndefined } from '../spec-options';
import { checkLayers } from '../check-layers';
import { CATALOGUE_METHOD_IDS as METHOD_IDS } from '../../../shared/method-catalogue';
import { methodFlagOptions, methodOptionFields, methodOptionsHelp } from '../method-flags';
import { UserError } from '../../engine/errors';

export const explainCommand: Command = {
  help: `Usage: dixw explain --model MODEL --data DATASET --methods dix3,ig,... [options]

Computes one map per image and method at input resolution, as a job: by default in the foreground with a progress
bar (a worker process computes, this command stores each image's maps as it finishes). Maps already stored for the
same model, image, method, parameters, target class and cut points are reused, not recomputed; the summary says how
many. Ctrl-C leaves the job resumable with "dixw worker".
  --model MODEL       a TF.js LayersModel folder (model.json, weights, optional preprocessing.json), or a registered model id
  --data DATASET      an image folder (one subfolder per class, or flat with labels.csv), or a registered dataset id;
                      a folder is registered on first use and re-indexed when it changed
  --methods LIST      comma-separated: ${METHOD_IDS.join(', ')}
  --batch-size N      interpolants per forward/backward batch: speed and memory only, not part of a
                      map's identity (default: the largest batch that fits in the backend's memory)
  --target K          explain class K instead of the model's top-1 class
  --limit N           only N images, the classes in turn (never the first N files of one class)
  --per-class N       only the first N images of each class (a balanced sample), the classes in turn
  --npy OUT           write OUT/<method>/<image>.npy (float32 H x W, raw), OUT/_input/<image>.npy (the exact
                      preprocessed input, H x W x C) and OUT/targets.json (explained class, cut points, steps, backend).
                      A reused map is written as stored (within 5e-4 of the computed map after min-max normalization)
  --png OUT           write colormapped overlays OUT/<method>/<image>.png, each with a colour bar on the right
                      (top = the map's maximum, bottom = its minimum: every overlay is min-max normalized);
                      images under 128 px are enlarged by whole pixels
  --png-input         start each overlay PNG with the input image
  --png-plain         the overlay alone at the input's size (no colour bar, no enlarging), e.g. for other tools
  --colormap NAME     jet (default), viridis, inferno, gray
  --opacity X         overlay opacity in [0, 1] (default 0.5)
  --keep-maps N|all|none  store the maps of N images only (the classes in turn), of all (default) or of none
  --detach            only queue the job (for a running app or "dixw worker"); prints its id
  --priority P        higher runs first (default 0)
  --json              print a machine-readable summary on stdout
${DB_HELP}
${BACKEND_HELP}

${methodOptionsHelp()}

Example: dixw explain --model demo-output/model --data demo-output/data/test --methods dix3,gradcam,ig --limit 8 --png maps`,
  async run(argv) {
    const v = parse('explain', argv, {
      ...BACKEND_OPTION, ...DB_OPTION, ...methodFlagOptions(), model: { type: 'string' }, data: { type: 'string' }, methods: { type: 'string' },
      'batch-size': { type: 'string' }, target: { type: 'string' }, limit: { type: 'string' }, 'per-class': { type: 'string' }, npy: { type: 'string' }, png: { type: 'string' },
      colormap: { type: 'string' }, opacity: { type: 'string' }, json: { type: 'boolean' }, 'keep-maps': { type: 'string' },
      detach: { type: 'boolean' }, priority: { type: 'string' }, 'png-input': { type: 'boolean' }, 'png-plain': { type: 'boolean' },
    });
    if (v.help) return void console.log(this.help);
    const model = required('explain', v, 'model');
    const data = required('explain', v, 'data');
    const methods = listOption(v, 'methods');
    if (!methods?.length) throw new UserError('dixw explain: --methods is required.', `Choose from: ${METHOD_IDS.join(', ')}.`);
    const colormap = typeof v.colormap === 'string' ? v.colormap : undefined;
    if (colormap !== undefined && !['jet', 'viridis', 'inferno', 'gray'].includes(colormap)) throw new UserError(`Unknown colormap "${colormap}".`, 'Use jet, viridis, inferno or gray.');
    const npy = typeof v.npy === 'string' ? resolve(v.npy) : undefined;
    const png = typeof v.png === 'string' ? resolve(v.png) : undefined;
    if ((v['png-input'] || v['png-plain']) && !png) throw new UserError(`dixw explain: --png-${v['png-input'] ? 'input' : 'plain'} shapes the --png overlays, and --png is not given.`, 'Add --png OUT.');
    if (v['png-input'] && v['png-plain']) throw new UserError('dixw explain: --png-input and --png-plain exclude each other (a plain overlay has the map only).', 'Choose one.');
    const spec = {
      kind: 'explain', model, dataset: data, methods,
      ...methodOptionFields('explain', v), batchSize: intOption('explain', v, 'batch-size'),
      targetClass: intOption('explain', v, 'target'), limit: intOption('explain', v, 'limit'), perClass: intOption('explain', v, 'per-class'),
      keepMaps: keepMapsOption(v['keep-maps']), backend: v.backend as string | undefined,
      export: npy || png ? { npy, png, colormap, opacity: numberOption('explain', v, 'opacity'),
        pngInput: v['png-input'] ? true : undefined, pngPlain: v['png-plain'] ? true : undefined } : undefined,
    };
    await withService(v, async (service) => {
      await checkLayers(service, 'explain', model, listOption(v, 'layers'));
      const submitted = await service.jobs.submit({ spec: withoutUndefined(spec), priority: intOption('explain', v, 'priority') });
      const { job } = submitted;
      reportSubmittedInputs(submitted.dataset, submitted.model);
      if (v.detach) {
        if (v.json) return printJson({ jobId: job.id, state: job.state, items: job.itemsTotal });
        return void console.log(`queued job ${job.id}: ${job.itemsTotal} image(s) x ${methods.length} method(s); "dixw worker" or the app runs it ("dixw jobs show ${job.id}")`);
      }
      requireDone(await runInForeground(service, job.id, { label: 'explain', quiet: Boolean(v.json), progress: 'items' }));
      const summary = (await service.results.summary(job.id)) as ExplainJobSummary;
      for (const s of summary.skipped) process.stderr.write(`skipped ${s.image}: ${s.reason}\n`);
      if (v.json) return printJson(summary);
      printExplainSummary(summary, npy, png);
    });
  },
};

const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;

function printExplainSummary(s: ExplainJobSummary, npy: string | undefined, png: string | undefined): void {
  console.log(`job ${s.jobId}: ${s.images.length} image(s), ${s.skipped.length} skipped${s.backend ? `, on ${s.backend.name} ${s.backend.version}` : ''}`);
  for (const m of s.methods) {
    const p = m.params as { layers?: string[]; steps?: number };
    const ms = s.medianMillis[m.id];
    const gap = s.completenessGap[m.id];
    // A path method's attribution should sum to f(x) - f(baseline); a large gap means N is too small.
    const complete = gap ? `  completeness gap median ${pct(gap.median)}, max ${pct(gap.max)}${gap.max > 0.05 ? ' (raise --steps)' : ''}` : '';
    console.log(`${m.id.padEnd(11)} ${ms === null ? 'all reused' : `median ${ms.toFixed(1)} ms/image`}${p.layers ? `  layers ${p.layers.join(',')}` : ''}${p.steps ? `  N=${p.steps}` : ''}${complete}`);
  }
  console.log(`maps: ${s.mapsComputed} computed, ${s.mapsReused} reused from earlier jobs`);
  if (npy) console.log(`maps (.npy): ${npy}`);
  if (png) console.log(`overlays (.png): ${png}`);
}
