// The `dixw` command's process entry: runs the CLI on the process's arguments, then exits with its status.
// bin/dixw.js loads it from sources through tsx; the build compiles it to dist/main/dixw.js.
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
