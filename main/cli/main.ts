// The `dixw` command: dispatches to one subcommand. A user error (bad file, bad name, bad shape) prints its
// message and hint, no stack trace, and exits with status 1.
import { isUserError } from '../engine/errors';
import { APP_VERSION, type Command } from './command';
import { doctorCommand } from './commands/doctor';
import { layersCommand } from './commands/layers';
import { trainCommand } from './commands/train';
import { explainCommand } from './commands/explain';
import { datasetCommand } from './commands/dataset';
import { demoCommand } from './commands/demo';
import { methodsCommand } from './commands/methods';

export const COMMANDS: Command[] = [demoCommand, explainCommand, trainCommand, layersCommand, methodsCommand, datasetCommand, doctorCommand];

export function usage(): string {
  return `dixw ${APP_VERSION}: DIX Workbench, explanation maps, metrics and sanity tests for vision models

Usage: dixw <command> [options]   (dixw <command> --help for details)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Compute backends are chosen automatically (tensorflow-gpu, tensorflow, wasm, cpu); --backend or DIXW_BACKEND forces one.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`dixw: unknown command "${name}".\n\n${usage()}`);
    return 1;
  }
  try {
    await cmd.run(rest);
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      console.error(`dixw ${name}: ${e.text}`);
      return 1;
    }
    throw e;
  }
}
