// The built renderer (Vite's output) as static files. Unknown paths without an extension get index.html, so that a
// reload on a view's URL works; nothing outside the folder is ever served.
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The content type of a renderer file, by its extension (the web server and the app's own scheme serve the same files). */
export function mimeOf(path: string): string {
  return MIME[extname(path)] ?? 'application/octet-stream';
}

/** The file a URL path names inside `root`, or null if it would leave it. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = normalize(join(root, decoded));
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep) ? path : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  let path = resolveStatic(root, urlPath === '/' ? '/index.html' : urlPath);
  if (path && !(await isFile(path))) path = extname(path) === '' ? join(root, 'index.html') : null;
  if (!path || !(await isFile(path))) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  const body = await readFile(path);
  // Vite names assets by content hash: they never change. index.html does.
  const cache = path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  res.writeHead(200, { ...headers, 'content-type': mimeOf(path), 'cache-control': cache, 'content-length': body.length });
  res.end(body);
}
