// Which errors a user made (or met) and how they read on a terminal: the engine's UserError, the service's
// ServiceError, a refused job spec, a database the store will not open, a failed job. Anything else is a bug and
// keeps its stack trace.

export interface UserMessage {
  text: string;
  status: number;
}

const USER_ERRORS = new Set(['UserError', 'ServiceError', 'StoreError', 'JobSpecError']);

export function userMessage(e: unknown): UserMessage | null {
  if (!(e instanceof Error)) return null;
  if (e.name === 'CliExit') return { text: e.message, status: (e as Error & { status: number }).status };
  if (!USER_ERRORS.has(e.name)) return null;
  const text = (e as Error & { text?: unknown }).text;
  return { text: typeof text === 'string' ? text : e.message, status: 1 };
}
