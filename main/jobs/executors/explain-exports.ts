// The files an explain job writes besides the store (the CLI's --npy and --png): per image, the raw maps, the exact
// input and the overlays (engine/runs/explain-outputs.ts), and OUT/targets.json, rewritten after every image so
// it is complete whenever the job stops. A resumed job continues the targets.json it started.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExplainExport } from '../../../shared/job-spec';
import type { JsonValue } from '../../../shared/json';
import type { Preprocessing } from '../../../shared/preprocessing';
import type { BackendInfo } from '../../../shared/provenance';
import { writeExplainOutputs, type OutputMap } from '../../engine/runs/explain-outputs';

export const TARGETS_FILE = 'targets.json';

export interface TargetsHeader {
  jobId: number;
  model: string;
  modelHash: string;
  dataset: string;
  datasetHash: string | null;
  backend: BackendInfo;
  methods: Array<{ id: string; version: number; params: Record<string, JsonValue> }>;
  preprocessing: Preprocessing;
}

export interface ImageTarget {
  targetClass: number;
  predictedClass: number;
  label: number | null;
  methods: Record<string, { cutPoints: string[]; steps: number | null; reused: boolean }>;
}

export class ExplainExports {
  private readonly images: Record<string, ImageTarget>;

  constructor(
    private readonly options: ExplainExport,
    private readonly header: TargetsHeader,
  ) {
    this.images = options.npy ? earlierTargets(join(options.npy, TARGETS_FILE), header.jobId) : {};
  }

  writeImage(prep: Preprocessing, relPath: string, unit: Float32Array, input: Float32Array, maps: readonly OutputMap[], target: ImageTarget): void {
    const { npy, png, colormap, opacity, pngInput, pngPlain } = this.options;
    writeExplainOutputs({ npyDir: npy, pngDir: png, colormap, opacity, pngInput, pngPlain }, prep, relPath, unit, input, maps);
    if (!npy) return;
    this.images[relPath] = target;
    mkdirSync(npy, { recursive: true });
    const file = join(npy, TARGETS_FILE);
    // Written beside and renamed: a reader never sees half a file, even if the worker dies mid-write.
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...this.header, images: this.images }, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
  }
}

/** The images a previous run of the same job wrote; a targets.json of another job is replaced. */
function earlierTargets(file: string, jobId: number): Record<string, ImageTarget> {
  if (!existsSync(file)) return {};
  try {
    const old = JSON.parse(readFileSync(file, 'utf8')) as { jobId?: unknown; images?: Record<string, ImageTarget> };
    return old.jobId === jobId && old.images ? old.images : {};
  } catch {
    return {};
  }
}
