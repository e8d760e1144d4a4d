// The statistics of docs/vit/localization.md that `dixw metrics` does not print itself: a metrics job's PA and mIoU
// (docs/methods.md §4.5) read back per image from the workbench database, and
//  - data-only reference maps scored by the same protocol on the same masks: a uniform random map (seeded per
//    image), a constant map (foreground = map > mean is empty: everything background) and a centre prior (minus the
//    distance to the image centre), so that a method's PA and mIoU can be read against what needs no model;
//  - the paired comparison of one method (default dix3) with chosen others (default rollout, gae, tattr): the
//    difference of the dataset values with a 95% paired percentile bootstrap interval (the same resampled images for
//    both methods), the images where each is better, and the two-sided Wilcoxon signed-rank test on the per-image
//    values with Holm's correction over the comparisons of one metric (the statistics code of `dixw metrics`);
//  - the same dataset values on the images the model classifies correctly only.
// Usage: node --import tsx scripts/vit-localization-stats.ts --db DB --job ID --data DIR [--method dix3]
//          [--against rollout,gae,tattr] [--resamples 2000] [--seed 0]
// Prints markdown on stdout.
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { indexDatasetFolder } from '../main/engine/data/dataset-folder';
import { loadMask } from '../main/engine/data/dataset-load';
import { Rng, mixSeed } from '../main/engine/data/rng';
import { segmentationCounts } from '../main/engine/metrics/segmentation-counts';
import { bootstrapIndices } from '../main/engine/stats/bootstrap';
import { holm } from '../main/engine/stats/holm';
import { wilcoxon } from '../main/engine/stats/wilcoxon';

type Counts = { tp: number; fp: number; fn: number; tn: number };
type Metric = 'pa' | 'miou';
const METRICS: Metric[] = ['pa', 'miou'];
const TITLE: Record<Metric, string> = { pa: 'PA', miou: 'mIoU' };

const { values: a } = parseArgs({
  options: {
    db: { type: 'string' },
    job: { type: 'string' },
    data: { type: 'string' },
    method: { type: 'string', default: 'dix3' },
    against: { type: 'string', default: 'rollout,gae,tattr' },
    resamples: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '0' },
  },
});
if (!a.db || !a.job || !a.data) throw new Error('usage: --db DB --job ID --data DIR [--method dix3] [--against a,b] [--resamples B] [--seed S]');
const resamples = Number(a.resamples);
const seed = Number(a.seed);
const reference = a.method!;
const against = a.against!.split(',').filter(Boolean);

// Per image (by dataset ordinal): the counts of each method, the explained (top-1) class and the label.
const db = new Database(a.db, { readonly: true, fileMustExist: true });
const rows = db.prepare(`SELECT s.method, s.detail, i.ordinal, i.rel_path, i.label FROM scores s JOIN images i ON i.id = s.image_id
  WHERE s.job_id = ? AND s.metric = 'pa' ORDER BY i.ordinal`).all(Number(a.job)) as
  Array<{ method: string; detail: string; ordinal: number; rel_path: string; label: number | null }>;
db.close();
if (rows.length === 0) throw new Error(`job ${a.job} has no PA scores in ${a.db}`);
const ordinals = [...new Set(rows.map((r) => r.ordinal))].sort((x, y) => x - y);
const pos = new Map(ordinals.map((o, i) => [o, i]));
const n = ordinals.length;
const counts: Record<string, Array<Counts | null>> = {};
const relPath: string[] = new Array(n);
const label: Array<number | null> = new Array(n).fill(null);
const explained: Array<number | null> = new Array(n).fill(null);
for (const r of rows) {
  const i = pos.get(r.ordinal)!;
  const d = JSON.parse(r.detail) as { counts: Counts; map: { targetClass: number } };
  (counts[r.method] ??= new Array(n).fill(null))[i] = d.counts;
  relPath[i] = r.rel_path;
  label[i] = r.label;
  explained[i] = d.map.targetClass;
}
const methods = Object.keys(counts);
for (const m of [reference, ...against]) if (!counts[m]) throw new Error(`job ${a.job} has no scores of ${m} (it has ${methods.join(', ')})`);

// Reference maps from the masks alone, scored with the metric's own counting.
const index = indexDatasetFolder(a.data);
const byPath = new Map(index.entries.map((e) => [e.relPath, e]));
const refs: Record<string, Array<Counts | null>> = { random: [], constant: [], centre: [] };
let fgPixels = 0;
let allPixels = 0;
relPath.forEach((p, i) => {
  const e = byPath.get(p);
  if (!e) throw new Error(`${p} (scored by job ${a.job}) is not in ${a.data}`);
  // The scored masks are at the model's input size; the synthetic images are already at it (32x32 here).
  const side = Math.round(Math.sqrt(counts[reference][i]!.tp + counts[reference][i]!.fp + counts[reference][i]!.fn + counts[reference][i]!.tn));
  const mask = loadMask(e, side, side)!;
  for (const v of mask) fgPixels += v;
  allPixels += mask.length;
  const rng = new Rng(mixSeed(seed, 7001, i));
  const random = Float32Array.from({ length: side * side }, () => rng.next());
  const centre = Float32Array.from({ length: side * side }, (_, k) => -Math.hypot((k % side) + 0.5 - side / 2, Math.floor(k / side) + 0.5 - side / 2));
  refs.random[i] = segmentationCounts(random, mask);
  refs.constant[i] = segmentationCounts(new Float32Array(side * side), mask);
  refs.centre[i] = segmentationCounts(centre, mask);
});

const sum = (cs: Array<Counts | null>, idx: ArrayLike<number>): Counts => {
  const t = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let k = 0; k < idx.length; k++) {
    const c = cs[idx[k]];
    if (c) { t.tp += c.tp; t.fp += c.fp; t.fn += c.fn; t.tn += c.tn; }
  }
  return t;
};
const ratio = (x: number, y: number) => (y > 0 ? x / y : 0);
const value = (m: Metric, c: Counts) => (m === 'pa'
  ? (100 * (c.tp + c.tn)) / (c.tp + c.fp + c.fn + c.tn)
  : 50 * (ratio(c.tp, c.tp + c.fp + c.fn) + ratio(c.tn, c.tn + c.fn + c.fp)));
const all = Int32Array.from({ length: n }, (_, i) => i);
const f = (x: number, d = 1) => x.toFixed(d);
const p = (x: number) => (x < 1e-4 ? x.toExponential(1) : x.toFixed(4));

const correct = all.filter((i) => label[i] !== null && explained[i] === label[i]);
const out: string[] = [];
out.push(`${n} images from job ${a.job}; the model classifies ${correct.length} (${f((100 * correct.length) / n)}%) correctly.`,
  `Object pixels: ${f((100 * fgPixels) / allPixels)}% of all pixels.`, '');

out.push('Maps that need no model, scored by the same protocol (95% percentile bootstrap over images, B = ' + resamples + '):', '');
out.push('| reference map | PA | mIoU |', '|---|---:|---:|');
const refTitle: Record<string, string> = {
  random: 'uniform random (seeded per image)', constant: 'constant (all background)', centre: 'centre prior (minus distance to centre)',
};
Object.entries(refs).forEach(([k, cs], r) => {
  const cells = METRICS.map((m, j) => {
    const ci = bootstrapIndices(n, (idx) => value(m, sum(cs, idx)), { seed: mixSeed(seed, 7100 + r, j), resamples });
    return `${f(value(m, sum(cs, all)))} [${f(ci.low)}, ${f(ci.high)}]`;
  });
  out.push(`| ${refTitle[k]} | ${cells.join(' | ')} |`);
});
out.push('');

out.push(`Paired comparison of ${reference} with each method: the difference of the dataset values (${reference} minus the other) with its`,
  '95% paired bootstrap interval, images where each is better per image (ties left out), and the two-sided Wilcoxon',
  `signed-rank test on the per-image values, Holm-corrected over the ${against.length} comparisons of each metric:`, '');
out.push(`| metric | ${reference} vs | difference [95% CI] | better / worse | W+ / W- | p | p (Holm) |`, '|---|---|---:|---:|---:|---:|---:|');
METRICS.forEach((m, j) => {
  const tests = against.map((o, k) => {
    const per = (cs: Array<Counts | null>) => all.filter((i) => cs[i] && counts[o][i]).map((i) => value(m, cs[i]!));
    const x = per(counts[reference]);
    const y = all.filter((i) => counts[reference][i] && counts[o][i]).map((i) => value(m, counts[o][i]!));
    const w = wilcoxon(x, y);
    const diff = value(m, sum(counts[reference], all)) - value(m, sum(counts[o], all));
    const ci = bootstrapIndices(n, (idx) => value(m, sum(counts[reference], idx)) - value(m, sum(counts[o], idx)), { seed: mixSeed(seed, 7200 + j, k), resamples });
    const better = x.filter((v, i) => v > y[i]).length;
    const worse = x.filter((v, i) => v < y[i]).length;
    return { o, diff, ci, better, worse, w };
  });
  const adj = holm(tests.map((t) => t.w.pValue));
  tests.forEach((t, k) => out.push(`| ${TITLE[m]} | ${t.o} | ${t.diff >= 0 ? '+' : ''}${f(t.diff, 2)} [${f(t.ci.low, 2)}, ${f(t.ci.high, 2)}] | ${t.better} / ${t.worse} | ${f(t.w.rankSumPositive, 0)} / ${f(t.w.rankSumNegative, 0)} | ${p(t.w.pValue)} | ${p(adj[k])} |`));
});
out.push('');

out.push('Where each map puts its foreground (map > its mean), from the counts summed over the images: the share of pixels',
  'called foreground, precision and recall of the object pixels, and the two IoUs that mIoU averages:', '');
out.push('| map | foreground % | precision | recall | IoU object | IoU background |', '|---|---:|---:|---:|---:|---:|');
for (const [k, cs] of [...methods.map((m) => [m, counts[m]] as const), ...Object.entries(refs)]) {
  const c = sum(cs, all);
  const tot = c.tp + c.fp + c.fn + c.tn;
  out.push(`| ${k} | ${f((100 * (c.tp + c.fp)) / tot)} | ${f(100 * ratio(c.tp, c.tp + c.fp))} | ${f(100 * ratio(c.tp, c.tp + c.fn))} | ${f(100 * ratio(c.tp, c.tp + c.fp + c.fn))} | ${f(100 * ratio(c.tn, c.tn + c.fn + c.fp))} |`);
}
out.push('');

out.push(`Dataset values on the ${correct.length} correctly classified images only:`, '');
out.push(`| metric | ${methods.join(' | ')} |`, `|---|${methods.map(() => '---:').join('|')}|`);
for (const m of METRICS) out.push(`| ${TITLE[m]} | ${methods.map((k) => f(value(m, sum(counts[k], correct)))).join(' | ')} |`);
console.log(out.join('\n'));
