// JSON in and out of TEXT columns. Provenance is validated on the way in, so every stored result can be traced.
import type { z } from 'zod';
import type { JsonValue } from '../../shared/json';
import { ProvenanceSchema, type Provenance } from '../../shared/provenance';
import { StoreError } from './store-error';

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson(text: string | null): JsonValue | null {
  return text === null ? null : (JSON.parse(text) as JsonValue);
}

/** Parses a column through a schema; a mismatch means the file was edited by hand or by a buggy version. */
export function fromJsonAs<T>(schema: z.ZodType<T>, text: string, what: string): T {
  const r = schema.safeParse(JSON.parse(text));
  if (!r.success) {
    throw new StoreError('invalid-data', `Stored ${what} does not match its schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

/** Validates then serializes a result's provenance (docs/methods.md §6.1); refuses incomplete ones with the missing fields. */
export function provenanceJson(provenance: unknown, what: string): string {
  const r = ProvenanceSchema.safeParse(provenance);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new StoreError('invalid-data', `The provenance of ${what} is incomplete or invalid (${issues}); every stored result must say how it was made.`);
  }
  return JSON.stringify(r.data);
}

export function parseProvenance(text: string): Provenance {
  return fromJsonAs(ProvenanceSchema, text, 'provenance');
}

export function nowIso(): string {
  return new Date().toISOString();
}
