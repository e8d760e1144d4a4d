// The one error the service throws: a code a transport can map (HTTP status, IPC error kind), a message that says
// what is wrong, and a hint that says what to do. Errors of the layers below are translated at the boundary.
import { z } from 'zod';
import { JobSpecError } from '../../shared/job-spec';
import { StoreError } from '../store/store-error';

export type ServiceErrorCode =
  /** The caller's input is malformed (unknown fields, bad values, unknown names). */
  | 'invalid-input'
  /** No such dataset, model or job. */
  | 'not-found'
  /** Refused while an unfinished job uses it. */
  | 'in-use'
  /** The job's state does not allow that action. */
  | 'illegal-transition'
  /** A folder or file the input names cannot be used (missing, unreadable, not a model...). */
  | 'unusable-input'
  /** Not supported by this version. */
  | 'unsupported'
  /** The database refused (full disk, not a database, locked...); `storeCode` says which. */
  | 'store';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; storeCode?: string },
  ) {
    super(message, options);
    this.name = 'ServiceError';
    this.storeCode = options?.storeCode;
  }

  readonly storeCode: string | undefined;

  /** Message and hint as one paragraph. */
  get text(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}

const STORE_CODES: Partial<Record<StoreError['code'], ServiceErrorCode>> = {
  'not-found': 'not-found',
  'in-use': 'in-use',
  'illegal-transition': 'illegal-transition',
  'invalid-data': 'invalid-input',
};

/** Translates what the store, the spec parser, zod and the engine throw; anything else (a bug) passes unchanged. */
export function toServiceError(err: unknown): unknown {
  if (err instanceof ServiceError) return err;
  if (err instanceof StoreError) return new ServiceError(STORE_CODES[err.code] ?? 'store', err.message, undefined, { cause: err, storeCode: err.code });
  if (err instanceof JobSpecError) return new ServiceError('invalid-input', err.message, undefined, { cause: err });
  if (err instanceof z.ZodError) return new ServiceError('invalid-input', describeZodError(err), undefined, { cause: err });
  // The engine's UserError (and DatasetError, ImageDecodeError...): a problem with a file or folder the user named.
  if (err instanceof Error && err.name === 'UserError') {
    return new ServiceError('unusable-input', err.message, (err as Error & { hint?: string }).hint, { cause: err });
  }
  return err;
}

export function describeZodError(err: z.ZodError, what = 'input'): string {
  return `Invalid ${what}: ${err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ')}`;
}

/** Parses an input at the boundary; a mismatch is an invalid-input ServiceError naming each problem. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ServiceError('invalid-input', describeZodError(r.error, what));
  return r.data;
}

/** Runs one service call, translating the errors of the layers below. */
export async function guarded<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toServiceError(err);
  }
}
