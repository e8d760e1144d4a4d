// Table builders for `dixw export table` and the API's table export, keyed by job kind. Each kind's builder lives in
// its own file here (sanity-table.ts, metrics-table.ts, ...) and turns a job's stored results into one Table; the
// formats (csv, latex, json, markdown) are rendered by table-format.ts for every kind alike.
//
// To add a kind: write main/service/tables/<kind>-table.ts exporting a TableBuilder, import it below and add one
// entry `<kind>: <kind>Table` to TABLE_BUILDERS. Nothing else needs to change.
import type { JobKind } from '../../../shared/job-spec';
import type { JobRecord } from '../../../shared/store-types';
import type { WorkbenchService } from '../service';
import { sanityTable } from './sanity-table';
import { metricsTable } from './metrics-table';
import { explainTable, trainTable } from './summary-tables';

export type TableCell = string | number | null;

export interface Table {
  /** Caption (LaTeX) or heading (markdown). */
  title: string;
  /** LaTeX \label, e.g. "tab:sanity-cascading-job-3" (default: one made from the title). */
  label?: string;
  columns: string[];
  /** Column headings in LaTeX and markdown, where they differ from the data's (method display names for ids). */
  displayColumns?: string[];
  rows: TableCell[][];
  /** The same content as structured records, for --format json (default: one object per row keyed by column). */
  json?: unknown;
  /** A kind's own rendering per format where the generic one cannot say enough (e.g. bold/underline of the metric
   *  tables); formats not given here are rendered by table-format.ts. */
  formatted?: Partial<Record<'csv' | 'latex' | 'json' | 'markdown', string>>;
}

export type TableBuilder = (service: WorkbenchService, job: JobRecord) => Table | Promise<Table>;

export const TABLE_BUILDERS: Partial<Record<JobKind, TableBuilder>> = {
  sanity: sanityTable,
  metrics: metricsTable,
  explain: explainTable,
  train: trainTable,
};

export function tableBuilder(kind: JobKind): TableBuilder | undefined {
  return TABLE_BUILDERS[kind];
}
