// The first schema. Frozen once released: change the schema only by adding a migration after the last one.
// Timestamps are ISO 8601 UTC text; JSON columns hold objects validated by the repositories before writing.

export const INITIAL_SCHEMA = `
CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  root          TEXT    NOT NULL UNIQUE,
  content_hash  TEXT    NOT NULL,
  classes       TEXT    NOT NULL DEFAULT '[]',
  image_count   INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL
);

CREATE TABLE images (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  ordinal       INTEGER NOT NULL,
  rel_path      TEXT    NOT NULL,
  content_hash  TEXT    NOT NULL,
  label         INTEGER,
  class_name    TEXT,
  mask_path     TEXT,
  width         INTEGER,
  height        INTEGER,
  UNIQUE (dataset_id, rel_path),
  UNIQUE (dataset_id, ordinal)
);
CREATE INDEX images_by_hash ON images(content_hash);

CREATE TABLE models (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  path          TEXT    NOT NULL UNIQUE,
  content_hash  TEXT    NOT NULL,
  arch          TEXT,
  info          TEXT    NOT NULL DEFAULT '{}',
  created_at    TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL
);

-- AUTOINCREMENT: ids are never reused, so id order is queue (FIFO) order.
CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  kind             TEXT    NOT NULL,
  spec             TEXT    NOT NULL,
  inputs           TEXT    NOT NULL DEFAULT '{}',
  state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
  priority         INTEGER NOT NULL DEFAULT 0,
  items_total      INTEGER NOT NULL DEFAULT 0,
  items_done       INTEGER NOT NULL DEFAULT 0,
  maps_reused      INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  provenance       TEXT,
  model_id         INTEGER REFERENCES models(id) ON DELETE SET NULL,
  dataset_id       INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  runner           TEXT,
  runner_heartbeat INTEGER,
  created_at       TEXT    NOT NULL,
  started_at       TEXT,
  finished_at      TEXT,
  updated_at       TEXT    NOT NULL
);
CREATE INDEX jobs_by_queue_order ON jobs(state, priority DESC, id);

-- One row per unit of work. (job_id, key) is unique, so an item can never be stored twice.
CREATE TABLE items (
  id            INTEGER PRIMARY KEY,
  job_id        INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  ordinal       INTEGER NOT NULL,
  key           TEXT    NOT NULL,
  payload       TEXT    NOT NULL DEFAULT 'null',
  state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  crashes       INTEGER NOT NULL DEFAULT 0,
  error         TEXT,
  output        TEXT,
  started_at    TEXT,
  finished_at   TEXT,
  duration_ms   REAL,
  UNIQUE (job_id, key),
  UNIQUE (job_id, ordinal)
);
CREATE INDEX items_by_job_state ON items(job_id, state, ordinal);

-- Content-addressed: key = hash(model, image, method, version, parameters), shared by every job that uses the map.
CREATE TABLE maps (
  id             INTEGER PRIMARY KEY,
  key            TEXT    NOT NULL UNIQUE,
  model_hash     TEXT    NOT NULL,
  image_hash     TEXT    NOT NULL,
  image_id       INTEGER REFERENCES images(id) ON DELETE SET NULL,
  method         TEXT    NOT NULL,
  method_version INTEGER NOT NULL,
  height         INTEGER NOT NULL,
  width          INTEGER NOT NULL,
  source_height  INTEGER NOT NULL,
  source_width   INTEGER NOT NULL,
  encoding       TEXT    NOT NULL,
  max_error      REAL    NOT NULL,
  min_value      REAL    NOT NULL,
  max_value      REAL    NOT NULL,
  data           BLOB    NOT NULL,
  provenance     TEXT    NOT NULL,
  job_id         INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  created_at     TEXT    NOT NULL
);
CREATE INDEX maps_by_image ON maps(image_hash, method);

-- Which item produced or reused which map.
CREATE TABLE item_maps (
  item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  map_id   INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
  reused   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (item_id, map_id)
) WITHOUT ROWID;
CREATE INDEX item_maps_by_map ON item_maps(map_id);

-- seq = position in the item's result; (item_id, seq) unique makes a second commit of the same item impossible.
CREATE TABLE scores (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  metric      TEXT    NOT NULL,
  method      TEXT,
  image_id    INTEGER REFERENCES images(id) ON DELETE SET NULL,
  value       REAL,
  detail      TEXT,
  provenance  TEXT    NOT NULL,
  UNIQUE (item_id, seq)
);
CREATE INDEX scores_by_job ON scores(job_id, metric, method);

CREATE TABLE similarities (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  test        TEXT    NOT NULL,
  method      TEXT    NOT NULL,
  image_id    INTEGER REFERENCES images(id) ON DELETE SET NULL,
  step        INTEGER NOT NULL,
  layer       TEXT,
  measure     TEXT    NOT NULL,
  value       REAL,
  provenance  TEXT    NOT NULL,
  UNIQUE (item_id, seq)
);
CREATE INDEX similarities_by_job ON similarities(job_id, test, method, step);

CREATE TABLE exports (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  kind        TEXT    NOT NULL,
  format      TEXT    NOT NULL,
  path        TEXT    NOT NULL,
  params      TEXT    NOT NULL DEFAULT '{}',
  created_at  TEXT    NOT NULL
);
`;
