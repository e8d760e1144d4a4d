import type { MethodVariant } from '../../../shared/job-spec';
import { methodInfo, reads } from '../../../shared/method-catalogue';
import { METRIC_CATALOGUE } from '../../../shared/metric-catalogue';
import { listOption, parse } from '../args';
import type { Command } from '../command';
import { UserError } from '../../engine/errors';
import { metricsTableText } from '../../service/tables/metrics-table';
import { METRICS_RUN_HELP, METRICS_RUN_OPTIONS, printMetricsHeader, runMetricsJob, sharedSpecFields } from './metrics';

/** The paper's Table 5 set, in its order. */
export const ABLATION_METHODS = ['dix1', 'ig', 'dix2', 'dix2-mul', 'dix3-grads', 'dix3'];
/** Cut points a DIX configuration takes by default; null for a method of another family (declared in the catalogue). */
const dixLayerCount = (id: string): number | null => (methodInfo(id)?.family === 'dix' ? methodInfo(id)!.layerCount : null);
/** Every faithfulness metric (the paper's Table 5 columns; localisation needs masks). */
export const ABLATION_METRICS = METRIC_CATALOGUE.filter((m) => m.category === 'faithfulness').map((m) => m.id);

export interface AblationGrid {
  methods: string[];
  /** N values; undefined = the method's default (10). */
  steps?: number[];
  /** Cut-point sets; each applies to the DIX methods taking that many cut points (or to every DIX method if none does). */
  layerSets?: string[][];
  /** DIX baselines (IG keeps its own, black). */
  baselines?: string[];
}

/** One configuration per method x N x cut-point set x baseline that applies to it, named by what varies. */
export function ablationVariants(g: AblationGrid): MethodVariant[] {
  const out: MethodVariant[] = [];
  const stepsList: Array<number | undefined> = g.steps?.length ? g.steps : [undefined];
  const dixCounts = g.methods.map(dixLayerCount).filter((n) => n !== null);
  for (const method of g.methods) {
    const isDix = dixLayerCount(method) !== null;
    const usesSteps = reads(method, 'steps');
    let sets: Array<string[] | undefined> = [undefined];
    if (isDix && g.layerSets?.length) {
      const own = g.layerSets.filter((s) => s.length === dixLayerCount(method) || !dixCounts.includes(s.length));
      if (own.length) sets = own;
    }
    const baselines: Array<string | undefined> = isDix && g.baselines?.length ? g.baselines : [undefined];
    for (const steps of usesSteps ? stepsList : [undefined]) {
      for (const layers of sets) {
        for (const baseline of baselines) {
          const name = [method, steps !== undefined && (g.steps?.length ?? 0) > 0 ? `N=${steps}` : '', layers ? `L=${layers.join('+')}` : '',
            baseline !== undefined ? `z=${baseline}` : ''].filter(Boolean).join(' ');
          out.push(withoutUndefinedFields({ name, method, steps, layers, baseline }));
        }
      }
    }
  }
  return out;
}

function withoutUndefinedFields(v: MethodVariant): MethodVariant {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as MethodVariant;
}

export const ablateCommand: Command = {
  help: `Usage: dixw ablate --model MODEL --data DATASET [--metrics LIST] [--steps 5,10,20] [--layer-sets "a,b|c,d"] [--baselines channel-min,zero]

The paper's ablation (Table 5): ${ABLATION_METHODS.map((m) => m.toUpperCase()).join(', ')} against the chosen metrics,
over a grid of integration steps N, cut-point sets and DIX baselines, one row per configuration. Runs as ONE
metrics job whose columns are the configurations (so "dixw export table --job ID" gives the paper's layout, metrics
as rows); stored maps of any configuration are reused. The printed table has one row per configuration.
  --methods LIST      the configurations' methods (default: ${ABLATION_METHODS.join(',')})
  --steps LIST        N values for DIX and IG (default: 10, one configuration)
  --layer-sets SETS   cut-point sets separated by "|", e.g. "block2,block3|block1,block2,block3"; a set of k cut points
                      applies to the DIX methods taking k (DIX1: 1, DIX2 and DIX2-MUL: 2, DIX3 and DIX3-GRADS: 3), or to
                      every DIX method when none takes k (default: each method's own last 1-3 block outputs)
  --baselines LIST    DIX baselines: channel-min, zero (default channel-min); IG keeps its black baseline
  --model MODEL       a TF.js LayersModel folder, or a registered model id
  --data DATASET      an image folder, or a registered dataset id
${METRICS_RUN_HELP}

Example: dixw ablate --model demo-output/model --data demo-output/data/test --steps 5,10,20 --limit 32`,
  async run(argv) {
    const v = parse('ablate', argv, { ...METRICS_RUN_OPTIONS, methods: { type: 'string' }, steps: { type: 'string' }, 'layer-sets': { type: 'string' }, baselines: { type: 'string' } });
    if (v.help) return void console.log(this.help);
    const methods = listOption(v, 'methods') ?? ABLATION_METHODS;
    const steps = listOption(v, 'steps')?.map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new UserError(`dixw ablate: --steps must list positive integers (got "${s}").`);
      return n;
    });
    const layerSets = typeof v['layer-sets'] === 'string'
      ? v['layer-sets'].split('|').map((set) => set.split(',').map((s) => s.trim()).filter(Boolean)).filter((s) => s.length > 0)
      : undefined;
    const baselines = listOption(v, 'baselines');
    const variants = ablationVariants({ methods, steps, layerSets, baselines });
    const spec = { kind: 'metrics', methods, variants, ...sharedSpecFields('ablate', v, ABLATION_METRICS) };
    await runMetricsJob('ablate', v, spec, (s) => {
      printMetricsHeader(s);
      process.stdout.write('\n' + metricsTableText(s.table, { transpose: true }));
    });
  },
};
