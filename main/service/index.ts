// The service's public surface, for the CLI, the web server and the Electron app.
export { openService, WorkbenchService, ENGINE_EXECUTOR, type ServiceOptions } from './service';
export { ServiceError, type ServiceErrorCode } from './service-error';
export type { JobRunner } from './job-runner';
export type { DatasetsApi } from './datasets';
export type { ModelsApi } from './models';
export type { JobsApi } from './jobs';
export type { ResultsApi } from './results';
