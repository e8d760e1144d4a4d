// Metric values, one row per (item, position in the item's result), each with its provenance.
import type { ScoreResult } from '../../shared/item-result';
import type { ScoreRecord } from '../../shared/store-types';
import { fromJson, parseProvenance, provenanceJson, toJson } from './json-column';
import type { Store } from './store';

interface ScoreRow {
  id: number;
  job_id: number;
  item_id: number;
  metric: string;
  method: string | null;
  image_id: number | null;
  value: number | null;
  detail: string | null;
  provenance: string;
}

function toScore(row: ScoreRow): ScoreRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    itemId: row.item_id,
    metric: row.metric,
    method: row.method,
    imageId: row.image_id,
    value: row.value,
    detail: fromJson(row.detail),
    provenance: parseProvenance(row.provenance),
  };
}

/** Part of an item's commit; UNIQUE (item_id, seq) refuses a second copy. */
export function insertScores(store: Store, jobId: number, itemId: number, scores: readonly ScoreResult[]): void {
  const insert = store.prepare(
    'INSERT INTO scores (job_id, item_id, seq, metric, method, image_id, value, detail, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  scores.forEach((s, seq) => {
    const provenance = provenanceJson(s.provenance, `score ${s.metric}${s.method ? ` of ${s.method}` : ''}`);
    insert.run(jobId, itemId, seq, s.metric, s.method, s.imageId, s.value, s.detail === undefined ? null : toJson(s.detail), provenance);
  });
}

export function listScores(store: Store, filter: { jobId?: number; metric?: string; method?: string; itemId?: number } = {}): ScoreRecord[] {
  const clauses: string[] = [];
  const args: unknown[] = [];
  for (const [column, value] of [['job_id', filter.jobId], ['metric', filter.metric], ['method', filter.method], ['item_id', filter.itemId]] as const) {
    if (value !== undefined) {
      clauses.push(`${column} = ?`);
      args.push(value);
    }
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  return (store.prepare(`SELECT * FROM scores ${where} ORDER BY id`).all(...args) as ScoreRow[]).map(toScore);
}
