// A per-job log: worker crashes, retries, warnings from the engine. Shown by `dixw jobs show` and the job panel.

export const JOB_EVENTS_SCHEMA = `
CREATE TABLE job_events (
  id       INTEGER PRIMARY KEY,
  job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at       TEXT    NOT NULL,
  level    TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message  TEXT    NOT NULL
);
CREATE INDEX job_events_by_job ON job_events(job_id, id);
`;
