// The coordinator's file server: fleet workers that do not find a model or dataset file at the coordinator's path
// fetch it here by content hash (manifests as JSON, files as bytes). Only what the catalog offers is served, only to
// a request with the per-launch token (advertised in Redis, which the fleet trusts already), on the address the
// user chose: 127.0.0.1 by default, so nothing is exposed to the network unless asked for.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { BLOB_PROTOCOL_VERSION, type BlobServiceAd } from '../../../shared/blob-protocol';
import type { BlobCatalog } from './blob-catalog';

export interface BlobServerOptions {
  /** The address to listen on (default 127.0.0.1; 0.0.0.0 serves every interface). */
  host?: string;
  /** Default 0: any free port (the advert carries it). */
  port?: number;
}

const ROUTE = /^\/v1\/(models|datasets|blobs)\/([0-9a-zA-Z]{1,128})$/;

function sameToken(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class BlobServer {
  private readonly token = randomBytes(24).toString('base64url');
  private server: Server | null = null;

  constructor(private readonly catalog: BlobCatalog, private readonly options: BlobServerOptions = {}) {}

  /** Listens; resolves with what workers need to reach it. */
  async start(): Promise<BlobServiceAd> {
    const host = this.options.host ?? '127.0.0.1';
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as { port: number };
    // A wildcard address is not one a worker can dial: it is given this machine's name instead.
    const wildcard = host === '0.0.0.0' || host === '::';
    const name = wildcard ? hostname() : host.includes(':') ? `[${host}]` : host;
    return { v: BLOB_PROTOCOL_VERSION, url: `http://${name}:${port}`, token: this.token };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const auth = req.headers.authorization ?? '';
      if (!sameToken(auth.startsWith('Bearer ') ? auth.slice(7) : undefined, this.token)) return end(res, 401, 'the coordinator\'s file server wants its token');
      const route = req.method === 'GET' ? ROUTE.exec(req.url ?? '') : null;
      if (!route) return end(res, 404, 'no such path');
      const [, kind, hash] = route as unknown as [string, 'models' | 'datasets' | 'blobs', string];
      if (kind === 'blobs') {
        const path = await this.catalog.blobPath(hash);
        if (!path) return end(res, 404, `no file with content hash ${hash} among the models and datasets of the coordinator's jobs`);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const stream = createReadStream(path);
        stream.on('error', () => res.destroy()); // the worker sees a cut transfer and a wrong hash, and refuses it
        stream.pipe(res);
        return;
      }
      const manifest = kind === 'models' ? await this.catalog.modelManifest(hash) : await this.catalog.datasetManifest(hash);
      if (!manifest) return end(res, 404, `no ${kind === 'models' ? 'model' : 'dataset'} with content hash ${hash} among the coordinator's jobs, or its files cannot be read there`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(manifest));
    } catch (err) {
      end(res, 500, (err as Error).message);
    }
  }
}

function end(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}
