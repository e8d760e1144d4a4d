#!/usr/bin/env node
// The development CLI: runs the TypeScript sources through tsx (no build step). The compiled one is dist/main/dixw.js.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/dixw.ts');
