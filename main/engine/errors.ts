// A UserError is a problem with the user's input (a file, a name, a shape): the CLI prints its message and hint
// without a stack trace and exits with status 1; a job fails with the same text.
export class UserError extends Error {
  constructor(
    message: string,
    /** What to do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** The message and the hint as one paragraph, for a terminal or a job's error field. */
  get text(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError';
}
