// The store's public surface, for main/jobs and main/service.
export { openStore, Store, type OpenStoreOptions } from './store';
export { StoreError, type StoreErrorCode } from './store-error';
export { resolveStorePath, appDataFolder, DB_FILE_NAME } from './store-path';
export { migrate, APPLICATION_ID } from './migrate';
export { MIGRATIONS, LATEST_SCHEMA_VERSION, type Migration } from './migrations/index';
export * from './datasets-repo';
export * from './models-repo';
export * from './jobs-repo';
export * from './items-repo';
export * from './maps-repo';
export * from './scores-repo';
export * from './similarities-repo';
export * from './exports-repo';
export * from './job-events-repo';
export { commitItem, type ItemCommit, type CommitOutcome } from './commit-item';
export { encodeMap, decodeMap, readMapHeader, MapCodecError, MAP_ENCODING, SIZE_BUDGET_BYTES, DEFAULT_MAX_ERROR, type DecodedMap, type MapHeader, type EncodeMapOptions } from './map-codec';
export { mapKey, mapKeyFromProvenance, type MapKeyParts } from './map-key';
export { canonicalJson } from './canonical-json';
