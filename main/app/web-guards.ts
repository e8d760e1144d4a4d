// What every web page of the app may do, decided here without Electron so it is tested: show the app itself and
// nothing else (no navigation or redirect elsewhere, no new windows, no <webview>), hand only allowlisted https links
// to the user's browser, and be granted no permission. electron-main.ts applies these to every webContents created.
import type { GuardedWebContents } from './electron-api';
import { isAppUrl } from './window-options';

/** Hosts whose https links may open in the user's browser (papers and the project's code); any other link opens nowhere. */
export const EXTERNAL_HOSTS: readonly string[] = ['arxiv.org', 'doi.org', 'github.com'];

/** https on the default port, no user name or password, an allowlisted host exactly (no look-alike subdomain). */
export function isAllowedExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.port === '' && u.username === '' && u.password === '' && EXTERNAL_HOSTS.includes(u.hostname);
}

/** Wires the guards onto one webContents; `openExternal` is Electron's shell.openExternal. */
export function guardWebContents(contents: GuardedWebContents, scheme: string, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url, scheme)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  // A server redirect is a navigation too: the app scheme never redirects, so anything else is refused.
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Permission requests and checks (camera, notifications, clipboard, ...): the app needs none. */
export function refusePermission(): false {
  return false;
}

/**
 * The built renderer to show: DIXW_RENDERER_DIR only in development (npm start from a checkout); a packaged app shows
 * its own build, so that an environment variable cannot make it load another folder's scripts with its privileges.
 */
export function rendererFolder(env: NodeJS.ProcessEnv, packaged: boolean, builtIn: string): string {
  return !packaged && env.DIXW_RENDERER_DIR ? env.DIXW_RENDERER_DIR : builtIn;
}
