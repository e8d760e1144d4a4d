import { parse, intOption, listOption, numberOption, required } from '../args';
import { BACKEND_HELP, BACKEND_OPTION, printJson, startBackend, type Command } from '../command';
import { ProgressBar } from '../progress';
import { runExplain } from '../../engine/runs/explain-run';
import { METHOD_IDS } from '../../engine/explain/registry';
import { UserError } from '../../engine/errors';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'explanation maps for every image of a dataset, one per method',
  help: `Usage: dixw explain --model MODEL_DIR --data DIR --methods dix3,ig,... [options]

Computes one map per image and method at input resolution.
  --model DIR         a TF.js LayersModel folder (model.json, weights, optional preprocessing.json)
  --data DIR          an image folder (one subfolder per class, or flat with labels.csv)
  --methods LIST      comma-separated: ${METHOD_IDS.join(', ')}
  --layers a,b,c      cut points for DIX and CAM methods (default: the last 1-3 block outputs; see dixw layers)
  --steps N           integration steps for DIX and IG (default 10)
  --baseline NAME     DIX: channel-min (default) or zero; IG: black (default) or zero
  --batch-size N      interpolants per forward/backward batch (default: all N)
  --normalize-layers  min-max each DIX layer map before averaging (default: off, as the paper)
  --target K          explain class K instead of the model's top-1 class
  --limit N           only the first N images
  --per-class N       only the first N images of each class (a balanced sample)
  --npy OUT           write OUT/<method>/<image>.npy (float32 H x W, raw), OUT/_input/<image>.npy (the exact
                      preprocessed input, H x W x C) and OUT/targets.json (explained class, cut points, steps, backend)
  --png OUT           write colormapped overlays OUT/<method>/<image>.png
  --colormap NAME     jet (default), viridis, inferno, gray
  --opacity X         overlay opacity in [0, 1] (default 0.5)
  --json              print a machine-readable summary on stdout
${BACKEND_HELP}

Example: dixw explain --model demo-output/model --data demo-output/data/test --methods dix3,gradcam,ig --limit 8 --png maps`,
  async run(argv) {
    const v = parse('explain', argv, {
      ...BACKEND_OPTION, model: { type: 'string' }, data: { type: 'string' }, methods: { type: 'string' }, layers: { type: 'string' },
      steps: { type: 'string' }, baseline: { type: 'string' }, 'batch-size': { type: 'string' }, 'normalize-layers': { type: 'boolean' },
      target: { type: 'string' }, limit: { type: 'string' }, 'per-class': { type: 'string' }, npy: { type: 'string' }, png: { type: 'string' },
      colormap: { type: 'string' }, opacity: { type: 'string' }, json: { type: 'boolean' },
    });
    if (v.help) return void console.log(this.help);
    const model = required('explain', v, 'model');
    const data = required('explain', v, 'data');
    const methods = listOption(v, 'methods');
    if (!methods?.length) throw new UserError('dixw explain: --methods is required.', `Choose from: ${METHOD_IDS.join(', ')}.`);
    const colormap = typeof v.colormap === 'string' ? v.colormap : 'jet';
    if (!['jet', 'viridis', 'inferno', 'gray'].includes(colormap)) throw new UserError(`Unknown colormap "${colormap}".`, 'Use jet, viridis, inferno or gray.');
    const backend = await startBackend(v, Boolean(v.json));
    const bar = new ProgressBar('explain', !v.json);
    const summary = await runExplain({
      model, data, methods, backend,
      options: { steps: intOption('explain', v, 'steps'), layers: listOption(v, 'layers'), baseline: v.baseline as string | undefined,
        batchSize: intOption('explain', v, 'batch-size'), normalizeLayers: Boolean(v['normalize-layers']) },
      targetClass: intOption('explain', v, 'target'), limit: intOption('explain', v, 'limit'), perClass: intOption('explain', v, 'per-class'),
      npyDir: v.npy as string | undefined, pngDir: v.png as string | undefined, colormap, opacity: numberOption('explain', v, 'opacity'),
    }, (p) => bar.update(p.done, p.total, p.image));
    bar.finish(`${summary.images.length} image(s), ${summary.skipped.length} skipped`);
    for (const s of summary.skipped) process.stderr.write(`skipped ${s.image}: ${s.reason}\n`);
    if (v.json) return printJson(summary);
    for (const m of summary.methods) {
      const p = m.params as { layers?: string[]; steps?: number };
      console.log(`${m.id.padEnd(11)} median ${summary.medianMillis[m.id].toFixed(1)} ms/image${p.layers ? `  layers ${p.layers.join(',')}` : ''}${p.steps ? `  N=${p.steps}` : ''}`);
    }
    if (v.npy) console.log(`maps (.npy): ${v.npy}`);
    if (v.png) console.log(`overlays (.png): ${v.png}`);
  },
};
