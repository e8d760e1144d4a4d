// Commits one finished item: its maps, scores, similarities, its own state and the job's progress, in ONE transaction.
// Idempotent: committing an item that is already done changes nothing, so a result that arrives twice (a resumed
// job, a worker that finished just before it was replaced) is stored once.
import type { ItemResult } from '../../shared/item-result';
import { noteJobBackend } from './jobs-repo';
import { nowIso, toJson } from './json-column';
import { findMapId, insertMap, linkItemMap } from './maps-repo';
import { insertScores } from './scores-repo';
import { insertSimilarities } from './similarities-repo';
import type { Store } from './store';

export interface ItemCommit {
  jobId: number;
  itemId: number;
  result: ItemResult;
  /** When the worker started and finished the item. */
  startedAt: string;
  finishedAt: string;
}

export interface CommitOutcome {
  /** False when the item was already done (or no longer exists): nothing was written. */
  committed: boolean;
  itemsDone: number;
  mapsStored: number;
  mapsReused: number;
}

export function commitItem(store: Store, commit: ItemCommit): CommitOutcome {
  return store.transaction(() => {
    const { jobId, itemId, result } = commit;
    const item = store.prepare('SELECT job_id, state FROM items WHERE id = ?').get(itemId) as { job_id: number; state: string } | undefined;
    const done = () => (store.prepare('SELECT items_done FROM jobs WHERE id = ?').get(jobId) as { items_done: number } | undefined)?.items_done ?? 0;
    if (!item || item.job_id !== jobId || item.state === 'done') return { committed: false, itemsDone: done(), mapsStored: 0, mapsReused: 0 };

    let mapsStored = 0;
    for (const map of result.maps) {
      const { id, inserted } = insertMap(store, { ...map, jobId });
      linkItemMap(store, itemId, id, false);
      if (inserted) mapsStored++;
    }
    let mapsReused = 0;
    for (const key of new Set(result.reusedMapKeys)) {
      // A reused map removed since the worker read it leaves no link; the item's other results still stand.
      const id = findMapId(store, key);
      if (id === undefined) continue;
      linkItemMap(store, itemId, id, true);
      mapsReused++;
    }
    insertScores(store, jobId, itemId, result.scores);
    insertSimilarities(store, jobId, itemId, result.similarities);

    const durationMs = Math.max(0, Date.parse(commit.finishedAt) - Date.parse(commit.startedAt));
    store
      .prepare("UPDATE items SET state = 'done', error = NULL, output = ?, finished_at = ?, duration_ms = ? WHERE id = ?")
      .run(result.output === undefined ? null : toJson(result.output), commit.finishedAt, Number.isFinite(durationMs) ? durationMs : null, itemId);
    store
      .prepare('UPDATE jobs SET items_done = items_done + 1, maps_reused = maps_reused + ?, updated_at = ? WHERE id = ?')
      .run(mapsReused, nowIso(), jobId);
    if (result.backend) noteJobBackend(store, jobId, result.backend);
    return { committed: true, itemsDone: done(), mapsStored, mapsReused };
  });
}
