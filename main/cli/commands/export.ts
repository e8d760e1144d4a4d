import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FIGURE_FORMATS, type FigureFormat } from '../../../shared/api-charts';
import { idArgument, intOption, listOption, parseWithPositionals, required } from '../args';
import type { Command } from '../command';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { UserError } from '../../engine/errors';

const FIGURE_KINDS = ['cascading', 'independent', 'data-randomization', 'map-strip', 'curves'] as const;
const TABLE_FORMATS = ['csv', 'latex', 'json', 'markdown'] as const;

export const exportCommand: Command = {
  help: `Usage: dixw export figure --job ID --kind KIND --format png|svg|pdf [--dpi 300] --out FILE [options]
       dixw export table --job ID --format csv|latex|json|markdown --out FILE

figure: a sanity or metrics job's figure, drawn by the same chart code as the app (PNG at --dpi, SVG and PDF vector):
  --kind cascading|independent   the curves of the paper's Fig. 4-5: x = layers randomized from the top, a dashed
                                 line where randomization starts, one line per method with its 95% band
  --kind data-randomization      the box plot of the data randomization test (Fig. 6)
  --kind map-strip               maps per randomization step for chosen images (needs maps stored: --keep-maps N)
  --kind curves                  a metrics job's NEG/POS/INS/DEL and SIC/AIC curves per method; --measure names one
                                 metric (default: one file per curve metric, named FILE-<metric>.<ext>)
  --measure ID        sanity curves: the similarity measure (default spearman-abs); metric curves: the metric
  --images a,b        map strip: image paths relative to the dataset (default: the first two with maps)
  --methods a,b       map strip: methods (default all)
  --dpi N             PNG resolution (default 300)
table: the job's table (sanity: per-step mean, std, 95% interval per method and measure; other kinds through
their own table builders). Without --out the table goes to stdout.
${DB_HELP}

Example: dixw export figure --job 3 --kind cascading --format pdf --out cascading.pdf`,
  async run(argv) {
    const { values: v, positionals } = parseWithPositionals('export', argv, {
      ...DB_OPTION, job: { type: 'string' }, kind: { type: 'string' }, measure: { type: 'string' }, images: { type: 'string' }, methods: { type: 'string' },
      format: { type: 'string' }, dpi: { type: 'string' }, out: { type: 'string' },
    }, { names: ['what'], optional: 1 });
    if (v.help) return void console.log(this.help);
    const what = positionals[0];
    if (what !== 'figure' && what !== 'table') throw new UserError(`dixw export: say what to export: figure or table (got ${what ? `"${what}"` : 'nothing'}).`, 'See `dixw export --help`.');
    const jobId = idArgument('export', required('export', v, 'job'), 'job');
    const format = required('export', v, 'format');
    await withService(v, async (service) => {
      const { jobTable, sanityFigure } = await import('../../service/job-exports');
      let file;
      if (what === 'figure' && v.kind === 'curves') {
        if (!(FIGURE_FORMATS as readonly string[]).includes(format)) throw new UserError(`dixw export figure: --format must be png, svg or pdf (got "${format}").`);
        if (typeof v.out !== 'string') throw new UserError('dixw export figure: --out FILE is required.');
        const { metricCurvesFigures } = await import('../../service/figures/metric-curves-figure');
        const files = await metricCurvesFigures(service, { jobId, metric: typeof v.measure === 'string' ? v.measure : undefined,
          methods: listOption(v, 'methods'), format: format as FigureFormat, dpi: intOption('export', v, 'dpi') ?? 300 });
        const out = resolve(v.out);
        mkdirSync(dirname(out), { recursive: true });
        for (const [i, f] of files.entries()) {
          // One metric: FILE itself; several: FILE-<metric>.<ext>, the metric taken from the file's own name.
          const metric = /-([a-z0-9]+)\.[a-z]+$/.exec(f.filename)?.[1] ?? String(i);
          const path = files.length === 1 ? out : out.replace(/(\.[a-z]+)?$/, `-${metric}$1`);
          writeFileSync(path, f.bytes);
          console.log(`${path} (${f.bytes.byteLength} bytes)`);
        }
        return;
      }
      if (what === 'figure') {
        const kind = required('export', v, 'kind');
        if (!(FIGURE_KINDS as readonly string[]).includes(kind)) throw new UserError(`dixw export figure: --kind must be one of ${FIGURE_KINDS.join(', ')} (got "${kind}").`);
        if (!(FIGURE_FORMATS as readonly string[]).includes(format)) throw new UserError(`dixw export figure: --format must be png, svg or pdf (got "${format}").`);
        if (typeof v.out !== 'string') throw new UserError('dixw export figure: --out FILE is required.');
        const dpi = intOption('export', v, 'dpi') ?? 300;
        if (dpi < 36 || dpi > 2400) throw new UserError(`dixw export figure: --dpi must be between 36 and 2400 (got ${dpi}).`);
        file = await sanityFigure(service, { jobId, kind: kind as Exclude<(typeof FIGURE_KINDS)[number], 'curves'>, measure: typeof v.measure === 'string' ? v.measure : undefined,
          images: listOption(v, 'images'), methods: listOption(v, 'methods'), format: format as FigureFormat, dpi });
      } else {
        if (!(TABLE_FORMATS as readonly string[]).includes(format)) throw new UserError(`dixw export table: --format must be csv, latex, json or markdown (got "${format}").`);
        file = await jobTable(service, { jobId, format: format as (typeof TABLE_FORMATS)[number] });
        if (typeof v.out !== 'string') return void process.stdout.write(Buffer.from(file.bytes));
      }
      const out = resolve(v.out as string);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, file.bytes);
      console.log(`${out} (${file.bytes.byteLength} bytes)`);
    });
  },
};
