#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step), then exits with its status.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
