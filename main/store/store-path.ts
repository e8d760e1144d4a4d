// Where the one workbench database lives. The CLI, web mode and the Electron app all call this, so they share the file
// (under Electron, do not use app.getPath('userData'): it differs from these folders on Linux).
import { homedir } from 'node:os';
import path from 'node:path';

export const DB_FILE_NAME = 'workbench.db';
export const APP_FOLDER_NAME = 'DIX Workbench';
/** Linux folder names are lower case by XDG habit. */
export const LINUX_FOLDER_NAME = 'dix-workbench';

export interface StorePathOptions {
  /** --db PATH; wins over everything. ':memory:' is passed through. */
  explicitPath?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** explicit path, else $DIXW_HOME/workbench.db, else the platform's app-data folder. */
export function resolveStorePath(options: StorePathOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (options.explicitPath) {
    return options.explicitPath === ':memory:' ? ':memory:' : p.resolve(options.explicitPath);
  }
  if (env.DIXW_HOME) return p.join(p.resolve(env.DIXW_HOME), DB_FILE_NAME);
  const home = options.home ?? homedir();
  return p.join(appDataFolder(platform, env, home), DB_FILE_NAME);
}

/** The per-user folder for the app's data: macOS Application Support, Windows %APPDATA%, else XDG data home. */
export function appDataFolder(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
  if (platform === 'win32') return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
  const dataHome = env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.posix.join(home, '.local', 'share');
  return path.posix.join(dataHome, LINUX_FOLDER_NAME);
}
