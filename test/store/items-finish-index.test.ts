// Migration 003: the index a job's rate query reads (items-repo.ts recentFinishes). It applies to a database made at
// schema 2 without losing a row, and SQLite's plan for the query reads the index instead of sorting the job's items.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, openStore } from '../../main/store/index';
import { RECENT_FINISHES_SQL, recentFinishes } from '../../main/store/items-repo';
import { tempDir } from './helpers';

const count = (store: ReturnType<typeof openStore>, table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test('a schema-2 database gains the items index with every row intact, and the rate query reads it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'old.db');
    const old = openStore({ path, migrations: MIGRATIONS.slice(0, 2) });
    assert.equal(old.schemaVersion, 2);
    const spec = JSON.stringify({ kind: 'explain', model: 'm', dataset: 'd', methods: ['dix3'], keepMaps: 'all' });
    const jobs = [1, 2].map(() => Number(old.db.prepare("INSERT INTO jobs (kind, spec, state, created_at, updated_at) VALUES ('explain', ?, 'running', 't', 't')").run(spec).lastInsertRowid));
    const item = old.db.prepare('INSERT INTO items (job_id, ordinal, key, state, finished_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?)');
    for (const job of jobs) {
      for (let i = 0; i < 50; i++) {
        const done = i % 5 !== 4; // every fifth item still pending
        item.run(job, i, `k${i}`, done ? 'done' : 'pending', done ? new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() : null, done ? 10 + i : null);
      }
    }
    old.db.prepare("INSERT INTO job_events (job_id, at, level, message) VALUES (?, 't', 'info', 'queued')").run(jobs[0]);
    const before = { jobs: count(old, 'jobs'), items: count(old, 'items'), events: count(old, 'job_events') };
    const planBefore = old.db.prepare(`EXPLAIN QUERY PLAN ${RECENT_FINISHES_SQL}`).all(jobs[0], 3) as { detail: string }[];
    assert.ok(planBefore.some((r) => /TEMP B-TREE FOR ORDER BY/.test(r.detail)), 'without the index the job\'s items are sorted');
    old.close();

    const store = openStore({ path });
    try {
      assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
      assert.ok(LATEST_SCHEMA_VERSION >= 3);
      assert.deepEqual({ jobs: count(store, 'jobs'), items: count(store, 'items'), events: count(store, 'job_events') }, before);
      assert.deepEqual(store.integrityCheck(), ['ok']);

      const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${RECENT_FINISHES_SQL}`).all(jobs[0], 3) as { detail: string }[]).map((r) => r.detail);
      assert.ok(plan.some((d) => /USING INDEX items_by_job_finish/.test(d)), plan.join('; '));
      assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), `no sort: ${plan.join('; ')}`);

      // The same answer as before the index: the newest done items of that job only.
      assert.deepEqual(recentFinishes(store, jobs[1]!, 3), [
        { finishedAt: '2026-01-01T00:00:48.000Z', durationMs: 58 },
        { finishedAt: '2026-01-01T00:00:47.000Z', durationMs: 57 },
        { finishedAt: '2026-01-01T00:00:46.000Z', durationMs: 56 },
      ]);
    } finally {
      store.close();
    }
  } finally {
    cleanup();
  }
});
