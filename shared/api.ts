// The workbench API as the renderer sees it: one zod schema per call for its input, one TypeScript type for its
// answer. The web server (main/server) and the Electron main process (main/app) validate every request with these
// schemas before the service sees it; the renderer's client (renderer/src/lib/client.ts) is typed by them.
//
// Two kinds of call: JSON calls (answers are plain data) and file calls (answers are bytes with a MIME type and a
// file name: images, maps, exported figures and tables). Over HTTP a JSON call is `POST /api/call/<name>` with the
// input as the body; a file call is `GET /api/file/<name>?input=<JSON>`, so that it can be an <img> source or a
// download. In Electron a JSON call is an `ipcRenderer.invoke` (IPC_CHANNELS), and file calls are the same GET paths
// on the app's own scheme.
import { z } from 'zod';
import { FIGURE_FORMATS, TABLE_FORMATS, type ChartSpec } from './api-charts';
import { parseFigureSize } from './charts/figure-style';
import { COLORMAP_NAMES, type ColormapName } from './colormap';
import type { JobKind } from './job-spec';
import type { FleetPanel } from './fleet-panel';
import { JOB_ACTIONS, JOB_STATES, type JobAction } from './job-state';
import type { JobRate } from './job-rate';
import {
  AddFolderInputSchema,
  AddModelInputSchema,
  SubmitJobInputSchema,
  type AddDatasetResult,
  type AddModelResult,
  type DatasetDetails,
  type JobDetails,
  type JobSummary,
  type ModelDetails,
  type ServiceEvent,
  type SubmitJobResult,
} from './service-api';
import type { DatasetRecord, ImageRecord, JobRecord, ModelRecord, ScoreRecord, SimilarityRecord } from './store-types';

const Id = z.number({ error: 'an id is a number' }).int().positive({ error: 'ids are positive integers' });
const IdInput = z.strictObject({ id: Id });
const NoInput = z.strictObject({});
const Page = { limit: z.number().int().positive().max(10_000).optional(), offset: z.number().int().nonnegative().optional() };
const MapKey = z.string().regex(/^[0-9a-f]{64}$/, { error: 'a map key is 64 lower-case hex digits' });
const Colormap = z.enum(COLORMAP_NAMES as readonly ColormapName[] as [ColormapName, ...ColormapName[]]);
const Opacity = z.number().min(0).max(1);
/** 72 to 1200 dots per inch: screen to print. */
const Dpi = z.number().int().min(72).max(1200);
/** A figure's paper size: "column" (3.3 in), "page" (6.9 in) or WxH ("3.3x2.4" inches, "85mmx60mm", ...); see
 *  shared/charts/figure-style.ts. Absent: the chart's size on screen. */
const FigureSizeText = z.string().min(1).max(40).refine((s) => {
  try {
    parseFigureSize(s);
    return true;
  } catch {
    return false;
  }
}, { error: 'a figure size is column, page or WxH such as 3.3x2.4 (inches), 85mmx60mm or 640x400px' });
/** What every figure export takes besides its content: format, PNG resolution, paper size, a title (default none). */
const FigureOptions = { format: z.enum(FIGURE_FORMATS), dpi: Dpi.default(300), size: FigureSizeText.optional(), title: z.boolean().optional() };
/** Map figures: the colormap (default jet), the map's opacity over its image, the input image column (default on). */
const MapOptions = { colormap: Colormap.default('jet'), opacity: Opacity.default(1), inputColumn: z.boolean().optional() };

export const JOB_CONTROL_ACTIONS = Object.keys(JOB_ACTIONS) as JobAction[];

export const API_CALLS = {
  /** What this server is and what it can do (methods, architectures, which job kinds can be queued). */
  'app.info': NoInput,
  'datasets.list': NoInput,
  'datasets.add': AddFolderInputSchema,
  'datasets.show': IdInput,
  /** A page of a dataset's images (thumbnails), optionally of one class. */
  'datasets.images': z.strictObject({ id: Id, className: z.string().min(1).optional(), ...Page }),
  'datasets.remove': IdInput,
  'models.list': NoInput,
  'models.add': AddModelInputSchema,
  'models.show': IdInput,
  'models.remove': IdInput,
  'jobs.submit': SubmitJobInputSchema,
  /** How many items a spec makes and how long it may take, from the timings of earlier jobs; nothing is queued. */
  'jobs.estimate': z.strictObject({ spec: z.unknown() }),
  'jobs.list': z.strictObject({ states: z.array(z.enum(JOB_STATES)).optional(), limit: z.number().int().positive().optional() }),
  'jobs.show': IdInput,
  /** Items per second and ETA of these jobs, from the finish times of their committed items (shared/job-rate.ts). */
  'jobs.rates': z.strictObject({ ids: z.array(Id).max(100) }),
  /** pause | resume | cancel | retry | rm, allowed from the states shared/job-state.ts lists. */
  'jobs.control': z.strictObject({ id: Id, action: z.enum(JOB_CONTROL_ACTIONS as [JobAction, ...JobAction[]]) }),
  /** The maps a job stored, with their images (no pixels: `map.raw` and `map.png` give those). */
  'results.maps': z.strictObject({ jobId: Id, method: z.string().min(1).optional(), className: z.string().min(1).optional(), ...Page }),
  'results.summary': z.strictObject({ jobId: Id }),
  /** The charts a job's results make (data plus kind; shared/api-charts.ts turns them into Chart.js configs). */
  'results.charts': z.strictObject({ jobId: Id }),
  'results.similarities': z.strictObject({ jobId: Id }),
  'results.scores': z.strictObject({ jobId: Id }),
  /** The queue backend and its workers: the fleet's on Redis, this service's own on the local queue (shared/fleet-panel.ts). */
  'fleet.status': NoInput,
} as const;

export type ApiCallName = keyof typeof API_CALLS;
export type ApiInput<N extends ApiCallName> = z.input<(typeof API_CALLS)[N]>;

export interface AppInfo {
  version: string;
  /** 'web': `dixw serve` in a browser; 'electron': the desktop window (native dialogs). */
  mode: 'web' | 'electron';
  dbPath: string;
  methods: string[];
  architectures: string[];
  /** Job kinds the service queues now (sanity and metrics jobs appear here once it runs them). */
  jobKinds: JobKind[];
  sanityTests: Array<'cascading' | 'independent' | 'data'>;
  colormaps: ColormapName[];
  /** A folder where trained models go by default (beside the database). */
  modelsFolder: string;
}

export interface JobEstimate {
  items: number;
  /** null when no earlier job timed these methods (or this architecture). */
  seconds: number | null;
  /** How the figure was made, in a sentence. */
  basis: string;
}

/** A stored map of a job, without its pixels, with the image it explains. */
export interface MapEntry {
  key: string;
  method: string;
  methodVersion: number;
  itemKey: string;
  reused: boolean;
  /** Stored grid (may be below the source resolution). */
  height: number;
  width: number;
  sourceHeight: number;
  sourceWidth: number;
  minValue: number;
  maxValue: number;
  targetClass: number | null;
  /** Sanity jobs: the randomization step that made the map (0: the trained model); null for other jobs. */
  step: number | null;
  image: { id: number; relPath: string; className: string | null; label: number | null } | null;
}

export interface ApiOutputs {
  'app.info': AppInfo;
  'datasets.list': DatasetRecord[];
  'datasets.add': AddDatasetResult;
  'datasets.show': DatasetDetails;
  'datasets.images': ImageRecord[];
  'datasets.remove': { removed: number };
  'models.list': ModelRecord[];
  'models.add': AddModelResult;
  'models.show': ModelDetails;
  'models.remove': { removed: number };
  'jobs.submit': SubmitJobResult;
  'jobs.estimate': JobEstimate;
  'jobs.list': JobRecord[];
  'jobs.show': JobDetails;
  'jobs.rates': JobRate[];
  'jobs.control': { job: JobRecord | null; removed: boolean };
  'results.maps': MapEntry[];
  'results.summary': JobSummary | null;
  'results.charts': ChartSpec[];
  'results.similarities': SimilarityRecord[];
  'results.scores': ScoreRecord[];
  'fleet.status': FleetPanel;
}

export const API_FILES = {
  /** A registered image's file as it is on disk (PNG or JPEG), or its ground-truth mask. */
  image: z.strictObject({ id: Id, mask: z.boolean().optional() }),
  /** A map's values: little-endian float32, row-major height x width (MapEntry says which). */
  'map.raw': z.strictObject({ key: MapKey }),
  /** A map as a colour-mapped PNG at its stored resolution, over its image when `opacity` < 1. */
  'map.png': z.strictObject({ key: MapKey, colormap: Colormap.default('jet'), opacity: Opacity.default(1) }),
  /** A chart of `results.charts` as a figure, drawn by main/figures (the CLI's code). */
  'export.chart': z.strictObject({ jobId: Id, chartId: z.string().min(1), ...FigureOptions }),
  /** A grid of maps (rows: images, the first in item order; columns: the input, then methods) as one figure. */
  'export.maps': z.strictObject({
    jobId: Id,
    methods: z.array(z.string().min(1)).min(1).optional(),
    className: z.string().min(1).optional(),
    /** Images (rows), the first in item order. */
    limit: z.number().int().positive().max(64).default(8),
    ...MapOptions,
    opacity: Opacity.default(0.6),
    ...FigureOptions,
  }),
  /** The qualitative comparison (paper Fig. 1-3): rows = images (chosen, or sampled across classes in turn), columns =
   *  the input and one map per method titled with its display name, a colour bar under the maps. */
  'export.comparison': z.strictObject({
    jobId: Id,
    methods: z.array(z.string().min(1)).min(1).optional(),
    /** Image paths relative to the dataset; default sampled across classes. */
    images: z.array(z.string().min(1)).min(1).max(64).optional(),
    rows: z.number().int().positive().max(64).optional(),
    className: z.string().min(1).optional(),
    ...MapOptions,
    ...FigureOptions,
  }),
  /** The job's per-image summary as a table. */
  'export.table': z.strictObject({ jobId: Id, format: z.enum(TABLE_FORMATS) }),
} as const;

export type ApiFileName = keyof typeof API_FILES;
export type ApiFileInput<N extends ApiFileName> = z.input<(typeof API_FILES)[N]>;

export interface ApiFile {
  mime: string;
  /** A suggested file name for downloads. */
  filename: string;
  bytes: Uint8Array;
}

/** What the Electron main process answers an IPC call with (it never rejects, so the error keeps its fields). */
export type IpcAnswer = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

/** How every failed call reads, whatever the transport: the service's error code, message and hint. */
export const ApiErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

/** HTTP status per error code (the service's codes, plus the transport's own). */
export const HTTP_STATUS: Record<string, number> = {
  'invalid-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'in-use': 409,
  'illegal-transition': 409,
  'unusable-input': 422,
  'too-many-requests': 429,
  internal: 500,
  unsupported: 501,
  store: 503,
};

/** Paths of web mode. */
export const HTTP_PATHS = {
  call: '/api/call/',
  file: '/api/file/',
  events: '/api/events',
} as const;
/** The per-launch token travels in this header, or in this cookie (set by the URL `dixw serve` prints). */
export const TOKEN_HEADER = 'x-dixw-token';
export const TOKEN_COOKIE = 'dixw_token';
export const TOKEN_QUERY = 'token';

/**
 * IPC channels of the Electron preload (main/app/preload.cjs repeats them: a sandboxed preload cannot import). File
 * calls need none: the window is loaded from the app's own scheme, which serves /api/file/... like web mode.
 */
export const IPC_CHANNELS = {
  call: 'dixw:call',
  event: 'dixw:event',
  chooseFolder: 'dixw:choose-folder',
} as const;

/** The custom scheme the Electron window loads the renderer and file calls from. */
export const APP_SCHEME = 'dixw';

export type { ServiceEvent };
