// Every similarity measure by id, in the order docs/methods.md §5.7 lists them. Adding one = one file and one line here.
import { UserError } from '../errors';
import { hogPearson } from './hog-similarity';
import type { SimilarityMeasure } from './measure';
import { pearson } from './pearson';
import { spearmanAbs, spearmanSigned } from './spearman';
import { ssimMeasure } from './ssim';

const MEASURES: SimilarityMeasure[] = [spearmanAbs, spearmanSigned, pearson, ssimMeasure, hogPearson];

export const MEASURE_IDS = MEASURES.map((m) => m.id);

export function getMeasure(id: string): SimilarityMeasure {
  const m = MEASURES.find((x) => x.id === id);
  if (!m) throw new UserError(`Unknown similarity measure "${id}".`, `Use one of: ${MEASURE_IDS.join(', ')}.`);
  return m;
}

export function listMeasures(): SimilarityMeasure[] {
  return [...MEASURES];
}
