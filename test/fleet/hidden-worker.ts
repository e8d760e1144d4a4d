// A real `dixw worker --queue` process that cannot see the coordinator's folder, as on another machine: it runs in its
// own user and mount namespace (`unshare -Urm`) where that folder is an empty tmpfs. Everything else on the disk stays
// visible, so a test can read what the worker wrote outside the hidden folder.
import { spawnSync } from 'node:child_process';
import { tempDir } from '../store/helpers';
import { startDixwWorker, type DixwWorker } from './dixw-worker';
import { SKIP_WITHOUT_REDIS } from './redis-server';

/** Why these tests cannot run here (no redis-server, or no unprivileged namespaces), or false. */
export function skipWithoutNamespaces(): string | false {
  if (SKIP_WITHOUT_REDIS) return SKIP_WITHOUT_REDIS;
  const { dir, cleanup } = tempDir('dixw-unshare-');
  try {
    const r = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs tmpfs "$0"', dir], { encoding: 'utf8' });
    return r.status === 0 ? false : `unshare -Urm cannot mount here (${(r.stderr || r.error?.message || '').trim()}); it hides the coordinator's files from the worker`;
  } finally {
    cleanup();
  }
}

/** A one-lane wasm worker on `queue` that sees `hidden` empty and keeps what it fetches in `cache`; `extra`: more flags. */
export function startHiddenWorker(queue: string, hidden: string, cache: string, extra: string[] = []): Promise<DixwWorker> {
  return startDixwWorker(queue, ['--workers', '1', '--backend', 'wasm', '--cache', cache, ...extra], ['unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs tmpfs "$0" && exec "$@"', hidden]);
}
