// Whether the Electron binary is here. The `electron` package is an optional dependency whose install script
// downloads the binary; where that is impossible npm drops the package, or (with ELECTRON_SKIP_BINARY_DOWNLOAD) keeps
// it without a binary, and requiring it throws.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

export function findElectronBinary(): ElectronBinary {
  let path: unknown;
  try {
    // In plain Node the package's main export is the binary's path.
    path = createRequire(import.meta.url)('electron');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { found: false, reason: code === 'MODULE_NOT_FOUND' ? 'the electron package is not installed' : (err as Error).message.split('\n')[0] };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { found: false, reason: 'the electron package has no binary' };
  return { found: true, path };
}
