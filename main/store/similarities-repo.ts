// Sanity-test results: similarity of each step's map to the original, per image, method and measure.
import type { SimilarityResult } from '../../shared/item-result';
import type { SimilarityRecord } from '../../shared/store-types';
import { parseProvenance, provenanceJson } from './json-column';
import type { Store } from './store';

interface SimilarityRow {
  id: number;
  job_id: number;
  item_id: number;
  test: SimilarityRecord['test'];
  method: string;
  image_id: number | null;
  step: number;
  layer: string | null;
  measure: string;
  value: number | null;
  provenance: string;
}

function toSimilarity(row: SimilarityRow): SimilarityRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    itemId: row.item_id,
    test: row.test,
    method: row.method,
    imageId: row.image_id,
    step: row.step,
    layer: row.layer,
    measure: row.measure,
    value: row.value,
    provenance: parseProvenance(row.provenance),
  };
}

/** Part of an item's commit; UNIQUE (item_id, seq) refuses a second copy. */
export function insertSimilarities(store: Store, jobId: number, itemId: number, rows: readonly SimilarityResult[]): void {
  const insert = store.prepare(
    'INSERT INTO similarities (job_id, item_id, seq, test, method, image_id, step, layer, measure, value, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  rows.forEach((r, seq) => {
    const provenance = provenanceJson(r.provenance, `similarity ${r.measure} of ${r.method} at step ${r.step}`);
    insert.run(jobId, itemId, seq, r.test, r.method, r.imageId, r.step, r.layer, r.measure, r.value, provenance);
  });
}

export function listSimilarities(store: Store, filter: { jobId?: number; method?: string; measure?: string } = {}): SimilarityRecord[] {
  const clauses: string[] = [];
  const args: unknown[] = [];
  for (const [column, value] of [['job_id', filter.jobId], ['method', filter.method], ['measure', filter.measure]] as const) {
    if (value !== undefined) {
      clauses.push(`${column} = ?`);
      args.push(value);
    }
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  return (store.prepare(`SELECT * FROM similarities ${where} ORDER BY job_id, step, id`).all(...args) as SimilarityRow[]).map(toSimilarity);
}
