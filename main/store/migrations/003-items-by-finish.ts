// A job's rate and ETA read its last finished items, newest first (items-repo.ts recentFinishes) on every progress
// event; without this index SQLite collects all of a job's done items and sorts them each time (850,000 on a big
// sanity job). Equality columns first, then the sort column, so the newest rows are read straight off the index.

export const ITEMS_BY_FINISH_SCHEMA = `
CREATE INDEX items_by_job_finish ON items(job_id, state, finished_at);
`;
