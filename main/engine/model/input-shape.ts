// "HxWxC" as the command line and job specs give an input size. Pure, so it can be parsed without TF.js.
import { UserError } from '../errors';

export function parseInputShape(s: string): [number, number, number] {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(s.trim());
  if (!m || ![1, 3].includes(Number(m[3]))) throw new UserError(`Invalid input shape "${s}".`, 'Give HxWxC with C = 1 or 3, e.g. 32x32x3.');
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
