import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { checkOutputFile } from '../../service/output-paths';
import type { ApiFile } from '../../../shared/api';
import { FIGURE_FORMATS, type FigureFormat } from '../../../shared/api-charts';
import { NAMED_SIZES, parseFigureSize, type FigureSize } from '../../../shared/charts/figure-style';
import { COLORMAP_NAMES, isColormapName, type ColormapName } from '../../../shared/colormap';
import { idArgument, intOption, listOption, numberOption, parseWithPositionals, required } from '../args';
import type { Command } from '../command';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { UserError } from '../../engine/errors';

const FIGURE_KINDS = ['cascading', 'independent', 'data-randomization', 'map-strip', 'comparison', 'curves', 'training', 'chart'] as const;
type FigureKind = (typeof FIGURE_KINDS)[number];
const TABLE_FORMATS = ['csv', 'latex', 'json', 'markdown'] as const;
const DEFAULT_SIZE = 'page';

export const exportCommand: Command = {
  help: `Usage: dixw export figure --job ID --kind KIND --out FILE [--format png|svg|pdf] [--size column|page|WxH] [options]
       dixw export table --job ID --format csv|latex|json|markdown [--out FILE]

figure: a job's figure, drawn by the same chart code as the app (PNG at --dpi; SVG and PDF vector, text as text),
at the size it is printed so that its text stays readable, with no title unless --title:
  --kind comparison              the qualitative comparison (paper Fig. 1-3) of an explain, metrics or sanity job: rows =
                                 images (--images, else sampled across classes in turn), columns = the input image and
                                 one map per method, titled with the methods' names; a colour bar under the maps
  --kind cascading|independent   sanity curves (Fig. 4-5): x = layers randomized from the top, a dashed line where
                                 randomization starts, one line per method with its 95% band; the y axis fits the data
  --kind data-randomization      the box plot of the data randomization test (Fig. 6)
  --kind map-strip               a sanity job's maps per randomization step for chosen images, input first (needs maps
                                 stored: --keep-maps N)
  --kind curves                  a metrics job's NEG/POS/INS/DEL and SIC/AIC curves per method; --measure names one
                                 metric (default: one file per curve metric, named FILE-<metric>.<ext>)
  --kind training                a train job's training and validation accuracy and loss per epoch
  --kind chart --chart ID        any chart of the job by id (as the app's Export view lists them: timing, metric-ins, ...)
  --format png|svg|pdf           default: the extension of --out
  --size column|page|WxH         column: ${NAMED_SIZES.column.text}; page: ${NAMED_SIZES.page.text} (default);
                                 WxH in inches (3.3x2.4) or with a unit (85mmx60mm, 8cmx6cm, 640x400px); a width alone
                                 (3.3in) lets map figures take the height their rows need
  --title                        draw a title above the figure (default none: the caption belongs to the paper)
  --dpi N                        PNG resolution (default 300)
  --measure ID                   sanity curves: the similarity measure (default spearman-abs); metric curves: the metric
  --methods a,b                  comparison, map strip, curves: these methods, in this order (default all)
  --images a,b                   comparison, map strip: image paths relative to the dataset (comparison default: sampled
                                 across classes; map strip default: the first two with maps)
  --rows N                       comparison: how many images (default one per class, at most 8; 4 without classes)
  --class NAME                   comparison: only images of this class
  --colormap NAME                comparison, map strip: ${COLORMAP_NAMES.join(', ')} (default jet)
  --opacity X                    comparison, map strip: the map over its image, 0 to 1 (default 1: the map alone)
  --no-input                     comparison, map strip: leave out the input image column
table: the job's table; sanity: steps as rows, methods as columns, mean [95% interval] per measure; metrics: the
paper's table; explain: per image with class names; train: per epoch. LaTeX tables have a caption and a \\label.
Without --out the table goes to stdout.
${DB_HELP}

Examples: dixw export figure --job 3 --kind comparison --size page --out comparison.pdf
          dixw export figure --job 1 --kind cascading --size column --out cascading.pdf`,
  async run(argv) {
    const { values: v, positionals } = parseWithPositionals('export', argv, {
      ...DB_OPTION, job: { type: 'string' }, kind: { type: 'string' }, measure: { type: 'string' }, images: { type: 'string' }, methods: { type: 'string' },
      format: { type: 'string' }, dpi: { type: 'string' }, out: { type: 'string' }, size: { type: 'string' }, title: { type: 'boolean' },
      colormap: { type: 'string' }, opacity: { type: 'string' }, 'no-input': { type: 'boolean' }, rows: { type: 'string' }, class: { type: 'string' },
      chart: { type: 'string' },
    }, { names: ['what'], optional: 1 });
    if (v.help) return void console.log(this.help);
    const what = positionals[0];
    if (what !== 'figure' && what !== 'table') throw new UserError(`dixw export: say what to export: figure or table (got ${what ? `"${what}"` : 'nothing'}).`, 'See `dixw export --help`.');
    const jobId = idArgument('export', required('export', v, 'job'), 'job');
    if (what === 'table') {
      const format = required('export', v, 'format');
      if (!(TABLE_FORMATS as readonly string[]).includes(format)) throw new UserError(`dixw export table: --format must be csv, latex, json or markdown (got "${format}").`);
      return withService(v, async (service) => {
        const { jobTable } = await import('../../service/job-exports');
        const file = await jobTable(service, { jobId, format: format as (typeof TABLE_FORMATS)[number] });
        if (typeof v.out !== 'string') return void process.stdout.write(Buffer.from(file.bytes));
        writeOut(resolve(v.out), file);
      });
    }

    const kind = required('export', v, 'kind');
    if (!(FIGURE_KINDS as readonly string[]).includes(kind)) throw new UserError(`dixw export figure: --kind must be one of ${FIGURE_KINDS.join(', ')} (got "${kind}").`);
    if (typeof v.out !== 'string') throw new UserError('dixw export figure: --out FILE is required.');
    const out = resolve(v.out);
    checkOutputFile(out, '--out'); // before drawing: a missing folder is said at once
    const format = typeof v.format === 'string' ? v.format : extname(out).slice(1).toLowerCase();
    if (!(FIGURE_FORMATS as readonly string[]).includes(format)) {
      throw new UserError(`dixw export figure: --format must be png, svg or pdf (got "${format || 'no --format and no extension on --out'}").`);
    }
    const dpi = intOption('export', v, 'dpi') ?? 300;
    if (dpi < 36 || dpi > 2400) throw new UserError(`dixw export figure: --dpi must be between 36 and 2400 (got ${dpi}).`);
    let size: FigureSize;
    try {
      size = parseFigureSize(typeof v.size === 'string' ? v.size : DEFAULT_SIZE);
    } catch (e) {
      throw new UserError(`dixw export figure: --size: ${(e as Error).message}.`);
    }
    const colormap = typeof v.colormap === 'string' ? v.colormap : 'jet';
    if (!isColormapName(colormap)) throw new UserError(`dixw export figure: --colormap must be one of ${COLORMAP_NAMES.join(', ')} (got "${colormap}").`);
    const opacity = numberOption('export', v, 'opacity');
    if (opacity !== undefined && (opacity < 0 || opacity > 1)) throw new UserError(`dixw export figure: --opacity must be between 0 and 1 (got ${opacity}).`);
    const rows = intOption('export', v, 'rows');
    if (rows !== undefined && (rows < 1 || rows > 64)) throw new UserError(`dixw export figure: --rows must be between 1 and 64 (got ${rows}).`);
    const style = { format: format as FigureFormat, dpi, size, title: Boolean(v.title) };
    const maps = { colormap: colormap as ColormapName, opacity, inputColumn: !v['no-input'] };

    await withService(v, async (service) => {
      const measure = typeof v.measure === 'string' ? v.measure : undefined;
      const methods = listOption(v, 'methods');
      if (kind === 'curves') {
        const { metricCurvesFigures } = await import('../../service/figures/metric-curves-figure');
        const files = await metricCurvesFigures(service, { jobId, metric: measure, methods, ...style });
        for (const [i, f] of files.entries()) {
          // One metric: FILE itself; several: FILE-<metric>.<ext>, the metric taken from the file's own name.
          const metric = /-([a-z0-9]+)\.[a-z]+$/.exec(f.filename)?.[1] ?? String(i);
          writeOut(files.length === 1 ? out : out.replace(/(\.[a-z]+)?$/, `-${metric}$1`), f);
        }
        return;
      }
      let file: ApiFile;
      if (kind === 'comparison') {
        const { comparisonFigure } = await import('../../service/figures/map-figures');
        file = await comparisonFigure(service, { jobId, methods, images: listOption(v, 'images'), rows, className: typeof v.class === 'string' ? v.class : undefined, ...style, ...maps });
      } else if (kind === 'training' || kind === 'chart') {
        const chartId = kind === 'training' ? 'training' : required('export', v, 'chart');
        const { chartFigure } = await import('../../service/result-files');
        file = await chartFigure(service, { jobId, chartId, ...style });
      } else {
        const { sanityFigure } = await import('../../service/job-exports');
        file = await sanityFigure(service, { jobId, kind: kind as Exclude<FigureKind, 'curves' | 'comparison' | 'training' | 'chart'>, measure, images: listOption(v, 'images'), methods, ...style, ...maps });
      }
      writeOut(out, file);
    });
  },
};

function writeOut(path: string, file: ApiFile): void {
  checkOutputFile(path, '--out'); // the folder must exist: no parent is created silently
  writeFileSync(path, file.bytes);
  console.log(`${path} (${file.bytes.byteLength} bytes)`);
}
