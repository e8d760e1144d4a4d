// A job fails with the error's message as its reason. An engine UserError keeps its hint there too, so the job's
// error says what to do, as the command line would.
import { isUserError } from '../../engine/errors';

export function withHint(err: unknown): unknown {
  if (isUserError(err) && err.hint) return new Error(err.text, { cause: err });
  return err;
}
