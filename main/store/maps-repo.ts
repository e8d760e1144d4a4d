// Stored maps, content-addressed (map-key.ts) and compact (map-codec.ts). A map is stored once and linked to every
// item that computed or reused it.
import type { Provenance } from '../../shared/provenance';
import type { MapRecord } from '../../shared/store-types';
import { parseProvenance, nowIso, provenanceJson } from './json-column';
import { decodeMap, MAP_ENCODING, MapCodecError, readMapHeader, type DecodedMap } from './map-codec';
import { mapKeyFromProvenance } from './map-key';
import { StoreError } from './store-error';
import type { Store } from './store';

export interface MapInsert {
  key: string;
  imageId: number | null;
  imageHash: string;
  /** From encodeMap. */
  blob: Uint8Array;
  provenance: Provenance;
  /** The job computing it. */
  jobId: number | null;
}

interface MapRow {
  id: number;
  key: string;
  model_hash: string;
  image_hash: string;
  image_id: number | null;
  method: string;
  method_version: number;
  height: number;
  width: number;
  source_height: number;
  source_width: number;
  encoding: string;
  max_error: number;
  min_value: number;
  max_value: number;
  byte_length: number;
  provenance: string;
  job_id: number | null;
  created_at: string;
}

/** Every column but the pixels, which are read only when asked for. */
function mapColumns(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  const plain = ['id', 'key', 'model_hash', 'image_hash', 'image_id', 'method', 'method_version', 'height', 'width', 'source_height',
    'source_width', 'encoding', 'max_error', 'min_value', 'max_value', 'provenance', 'job_id', 'created_at'];
  return [...plain.map((c) => p + c), `length(${p}data) AS byte_length`].join(', ');
}

function toMap(row: MapRow): MapRecord {
  return {
    id: row.id,
    key: row.key,
    modelHash: row.model_hash,
    imageHash: row.image_hash,
    imageId: row.image_id,
    method: row.method,
    methodVersion: row.method_version,
    height: row.height,
    width: row.width,
    sourceHeight: row.source_height,
    sourceWidth: row.source_width,
    encoding: row.encoding,
    maxError: row.max_error,
    minValue: row.min_value,
    maxValue: row.max_value,
    byteLength: row.byte_length,
    provenance: parseProvenance(row.provenance),
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

/**
 * Stores a map unless one with its key exists (then the stored one stands). Checks that the blob is a valid map and
 * that the key really is the content address of its provenance, so a key can be trusted for reuse.
 */
export function insertMap(store: Store, map: MapInsert): { id: number; inserted: boolean } {
  const what = `map ${map.key.slice(0, 12)}… (${map.provenance?.id ?? 'unknown method'})`;
  const provenance = provenanceJson(map.provenance, what);
  let header;
  try {
    header = readMapHeader(map.blob);
  } catch (err) {
    throw new StoreError('invalid-data', `${what} cannot be stored: ${(err as MapCodecError).message}`);
  }
  const expected = mapKeyFromProvenance(map.provenance, map.imageHash);
  if (expected !== map.key) {
    throw new StoreError('invalid-data', `${what} has key ${map.key} but its provenance and image hash give ${expected}; the key must be computed with mapKey().`);
  }
  const { changes } = store
    .prepare(
      `INSERT INTO maps (key, model_hash, image_hash, image_id, method, method_version, height, width, source_height, source_width,
         encoding, max_error, min_value, max_value, data, provenance, job_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
    )
    .run(
      map.key, map.provenance.modelHash, map.imageHash, map.imageId, map.provenance.id, map.provenance.version,
      header.height, header.width, header.sourceHeight, header.sourceWidth, MAP_ENCODING, header.maxError, header.min, header.max,
      map.blob, provenance, map.jobId, nowIso(),
    );
  const { id } = store.prepare('SELECT id FROM maps WHERE key = ?').get(map.key) as { id: number };
  return { id, inserted: changes === 1 };
}

export function linkItemMap(store: Store, itemId: number, mapId: number, reused: boolean): void {
  store.prepare('INSERT OR IGNORE INTO item_maps (item_id, map_id, reused) VALUES (?, ?, ?)').run(itemId, mapId, reused ? 1 : 0);
}

/** The stored map with this content address, without its pixels. */
export function findMap(store: Store, key: string): MapRecord | undefined {
  const row = store.prepare(`SELECT ${mapColumns()} FROM maps WHERE key = ?`).get(key) as MapRow | undefined;
  return row && toMap(row);
}

export function findMapId(store: Store, key: string): number | undefined {
  return (store.prepare('SELECT id FROM maps WHERE key = ?').get(key) as { id: number } | undefined)?.id;
}

/** Blobs of the keys that are stored, for a worker about to reuse them; absent keys are left out. */
export function findMapBlobs(store: Store, keys: readonly string[]): { key: string; blob: Uint8Array }[] {
  const get = store.prepare('SELECT data FROM maps WHERE key = ?');
  const found: { key: string; blob: Uint8Array }[] = [];
  for (const key of new Set(keys)) {
    const row = get.get(key) as { data: Buffer } | undefined;
    if (row) found.push({ key, blob: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) });
  }
  return found;
}

/** Decoded pixels and the record, or undefined. */
export function readMap(store: Store, key: string): { record: MapRecord; map: DecodedMap } | undefined {
  const record = findMap(store, key);
  if (!record) return undefined;
  const { data } = store.prepare('SELECT data FROM maps WHERE id = ?').get(record.id) as { data: Buffer };
  return { record, map: decodeMap(data) };
}

/** Maps a job computed or reused, in item order. */
export function listJobMaps(store: Store, jobId: number): (MapRecord & { itemKey: string; reused: boolean })[] {
  const rows = store
    .prepare(
      `SELECT ${mapColumns('m')}, i.key AS item_key, im.reused AS reused
       FROM item_maps im JOIN items i ON i.id = im.item_id JOIN maps m ON m.id = im.map_id
       WHERE i.job_id = ? ORDER BY i.ordinal, m.method, m.id`,
    )
    .all(jobId) as (MapRow & { item_key: string; reused: number })[];
  return rows.map((r) => ({ ...toMap(r), itemKey: r.item_key, reused: r.reused === 1 }));
}

/** Deletes maps no item links to any more (after removing jobs); returns how many. */
export function deleteOrphanMaps(store: Store): number {
  return store.prepare('DELETE FROM maps WHERE NOT EXISTS (SELECT 1 FROM item_maps WHERE item_maps.map_id = maps.id)').run().changes;
}
