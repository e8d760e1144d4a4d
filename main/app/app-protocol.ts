// The app's own scheme, dixw://app/...: the built renderer's files, and the API's file calls (/api/file/NAME?input=)
// that web mode serves over HTTP. Only the app's window can load this scheme, so it needs no token. Pure request ->
// response, so it is tested without Electron.
import { readFile } from 'node:fs/promises';
import { HTTP_PATHS, HTTP_STATUS } from '../../shared/api';
import { CONTENT_SECURITY_POLICY } from '../../shared/api-csp';
import type { WorkbenchApi } from '../service/api-handlers';
import { ServiceError } from '../service/index';
import { mimeOf, resolveStatic } from '../server/static-files';

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const HEADERS = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' };

export async function handleAppRequest(api: WorkbenchApi, rendererDir: string, requestUrl: string): Promise<AppResponse> {
  const url = new URL(requestUrl);
  if (url.host !== 'app') return { status: 404, headers: HEADERS, body: 'not found' };
  if (url.pathname.startsWith(HTTP_PATHS.file)) {
    try {
      const name = decodeURIComponent(url.pathname.slice(HTTP_PATHS.file.length));
      const file = await api.file(name, JSON.parse(url.searchParams.get('input') ?? '{}'));
      const disposition = url.searchParams.get('download') === '1' ? 'attachment' : 'inline';
      return { status: 200, headers: { ...HEADERS, 'content-type': file.mime, 'content-disposition': `${disposition}; filename="${file.filename.replace(/[^\w.+-]/g, '_')}"` }, body: file.bytes };
    } catch (err) {
      // Malformed JSON in ?input= (SyntaxError) or a malformed percent-escape in the path (URIError): the caller's mistake.
      const code = err instanceof ServiceError ? err.code : err instanceof SyntaxError || err instanceof URIError ? 'invalid-input' : 'internal';
      return { status: HTTP_STATUS[code] ?? 500, headers: { ...HEADERS, 'content-type': 'application/json' }, body: JSON.stringify({ error: { code, message: (err as Error).message } }) };
    }
  }
  const path = resolveStatic(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
  if (!path) return { status: 404, headers: HEADERS, body: 'not found' };
  try {
    return { status: 200, headers: { ...HEADERS, 'content-type': mimeOf(path) }, body: await readFile(path) };
  } catch {
    return { status: 404, headers: HEADERS, body: 'not found' };
  }
}
