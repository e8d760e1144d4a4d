// Web mode's HTTP server (plain node:http): the API of shared/api.ts as JSON calls, file calls and server-sent
// events, and the built renderer as static files. Listens on 127.0.0.1 only. Every /api request needs the per-launch
// token; `/?token=...` (the URL `dixw serve` prints) sets it as a cookie and redirects to the app.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_PATHS, HTTP_STATUS, TOKEN_QUERY, type ApiErrorBody } from '../../shared/api';
import { CONTENT_SECURITY_POLICY } from '../../shared/api-csp';
import type { WorkbenchApi } from '../service/api-handlers';
import { ServiceError } from '../service/index';
import { isLocalHost, requestToken, sameToken, tokenCookie } from './access-token';
import { openEventStream } from './event-stream';
import { serveStatic } from './static-files';

/** JSON bodies above this are refused (a job spec is a few hundred bytes). */
const MAX_BODY_BYTES = 1 << 20;
/** Event streams open at once: one per open page is the use; thousands would each hold a socket and a listener. */
export const MAX_EVENT_STREAMS = 32;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface WebServerOptions {
  api: WorkbenchApi;
  token: string;
  /** The built renderer (index.html and assets/). */
  rendererDir: string;
  /** 0 = any free port. */
  port: number;
  /** Where unexpected errors (bugs) are reported with their stack. */
  log?: (line: string) => void;
}

export interface WebServer {
  server: Server;
  port: number;
  /** The URL to open: it carries the token once and sets it as a cookie. */
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const streams = new Set<() => void>();
  let port = options.port;
  const log = options.log ?? ((line) => process.stderr.write(line + '\n'));
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => sendError(res, err));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      throw new HttpError('invalid-input', 'The request URL is malformed.');
    }
    if (!isLocalHost(req.headers.host, port)) throw new HttpError('forbidden', `This server answers only to 127.0.0.1:${port}.`);
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError('invalid-input', `${req.method} is not allowed here.`);
    const given = url.searchParams.get(TOKEN_QUERY);
    if (url.pathname === '/' && given !== null) {
      if (!sameToken(given, options.token)) throw new HttpError('unauthorized', 'This link is from another launch of dixw serve.', 'Open the URL it printed this time.');
      res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': tokenCookie(options.token), location: '/' }).end();
      return;
    }
    await serveStatic(options.rendererDir, url.pathname, res, SECURITY_HEADERS);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!sameToken(requestToken(req), options.token)) {
      throw new HttpError('unauthorized', 'Missing or wrong access token.', 'Open the URL that `dixw serve` printed; it sets the token.');
    }
    const api = { ...SECURITY_HEADERS, 'cache-control': 'no-store' };
    if (url.pathname === HTTP_PATHS.events) {
      if (streams.size >= MAX_EVENT_STREAMS) {
        throw new HttpError('too-many-requests', `${MAX_EVENT_STREAMS} event streams are open already.`, 'Close other workbench tabs, then reload this one.');
      }
      const close = openEventStream(req, res, (l) => options.api.service.on(l), api);
      streams.add(close);
      req.on('close', () => streams.delete(close));
      return;
    }
    if (url.pathname.startsWith(HTTP_PATHS.call)) {
      if (req.method !== 'POST') throw new HttpError('invalid-input', 'API calls are POST requests with a JSON body.');
      // A form or a plain-text POST from another page cannot set this content type without a CORS preflight. The media
      // type must be exactly application/json (parameters such as charset allowed): "application/jsonp" is not it.
      if (mediaType(req.headers['content-type']) !== 'application/json') throw new HttpError('invalid-input', 'API calls need content-type: application/json.');
      const name = decodePathPart(url.pathname.slice(HTTP_PATHS.call.length));
      const input = await readJson(req);
      const result = await options.api.call(name, input);
      const body = JSON.stringify(result ?? null);
      res.writeHead(200, { ...api, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    if (url.pathname.startsWith(HTTP_PATHS.file)) {
      if (req.method !== 'GET') throw new HttpError('invalid-input', 'File calls are GET requests.');
      const name = decodePathPart(url.pathname.slice(HTTP_PATHS.file.length));
      const raw = url.searchParams.get('input');
      let input: unknown = {};
      try {
        input = raw === null ? {} : JSON.parse(raw);
      } catch {
        throw new HttpError('invalid-input', 'The input parameter is not JSON.');
      }
      const file = await options.api.file(name, input);
      const disposition = url.searchParams.get('download') === '1' ? 'attachment' : 'inline';
      res.writeHead(200, {
        ...api,
        'content-type': file.mime,
        'content-length': file.bytes.byteLength,
        'content-disposition': `${disposition}; filename="${file.filename.replace(/[^\w.+-]/g, '_')}"`,
      });
      res.end(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
      return;
    }
    throw new HttpError('not-found', `No API path ${url.pathname}.`);
  }

  function sendError(res: ServerResponse, err: unknown): void {
    let body: ApiErrorBody;
    if (err instanceof ServiceError || err instanceof HttpError) {
      body = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
    } else {
      log(`dixw serve: internal error: ${(err as Error)?.stack ?? String(err)}`);
      body = { code: 'internal', message: `Internal error: ${(err as Error)?.message ?? String(err)}` };
    }
    if (res.headersSent) return void res.end();
    const text = JSON.stringify({ error: body });
    res.writeHead(HTTP_STATUS[body.code] ?? 500, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}/?${TOKEN_QUERY}=${encodeURIComponent(options.token)}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const close of streams) close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The media type of a Content-Type header, lower case, without parameters ("application/json; charset=utf-8"). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A percent-encoded part of a path; a malformed escape ("%E0%A4%A") is the caller's mistake, not a server error. */
function decodePathPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError('invalid-input', `The path ${JSON.stringify(raw)} is not valid percent-encoding.`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError('invalid-input', `The request body is over ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('invalid-input', 'The request body is not valid JSON.');
  }
}
