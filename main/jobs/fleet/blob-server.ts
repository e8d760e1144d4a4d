// The coordinator's file server: fleet workers that do not find a model or dataset file at the coordinator's path
// fetch it here by content hash (manifests as JSON, files as bytes). Only what the catalog offers is served, only to
// a request with the per-launch token (advertised in Redis, which the fleet trusts already), on the address the
// user chose: 127.0.0.1 by default, so nothing is exposed to the network unless asked for.
// The same server receives the models that workers trained (shared/upload-protocol.ts, model-receiver.ts): streamed
// file by file, written only where a job of this coordinator puts its model.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { BLOB_PROTOCOL_VERSION, type BlobServiceAd } from '../../../shared/blob-protocol';
import { UPLOAD_SHA256_HEADER, UploadCommitSchema, UploadFileNameSchema, UploadIdSchema, UploadSlotSchema } from '../../../shared/upload-protocol';
import type { BlobCatalog } from './blob-catalog';
import { UploadRefused, type ModelReceiver } from './model-receiver';

export interface BlobServerOptions {
  /** The address to listen on (default 127.0.0.1; 0.0.0.0 serves every interface). */
  host?: string;
  /** Default 0: any free port (the advert carries it). */
  port?: number;
}

const ROUTE = /^\/v1\/(models|datasets|blobs)\/([0-9a-zA-Z]{1,128})$/;
/** /v1/uploads/JOB/SLOT/UPLOAD/files/NAME (PUT, the file's bytes) or /v1/uploads/JOB/SLOT/UPLOAD/commit (POST, JSON). */
const UPLOAD_ROUTE = /^\/v1\/uploads\/([0-9]{1,15})\/([a-z-]{1,32})\/([^/]{1,64})\/(?:files\/([^/]{1,128})|(commit))$/;
/** A commit request lists a model's files: far below this. */
const MAX_COMMIT_BYTES = 1 << 20;

function sameToken(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class BlobServer {
  private readonly token = randomBytes(24).toString('base64url');
  private server: Server | null = null;

  /** `receiver`: where trained models are received (none: uploads are refused). */
  constructor(private readonly catalog: BlobCatalog, private readonly options: BlobServerOptions = {}, private readonly receiver: ModelReceiver | null = null) {}

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
      const upload = UPLOAD_ROUTE.exec(req.url ?? '');
      if (upload) return await this.handleUpload(req, res, upload);
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

  private async handleUpload(req: IncomingMessage, res: ServerResponse, route: RegExpExecArray): Promise<void> {
    const [, job, slotText, idText, nameText, commit] = route;
    const slot = UploadSlotSchema.safeParse(slotText);
    const uploadId = UploadIdSchema.safeParse(idText);
    if (!this.receiver) return end(res, 404, 'this coordinator receives no models');
    if (!slot.success || !uploadId.success) return end(res, 400, 'an upload path in another format (is every machine on the same DIX Workbench version?)');
    const jobId = Number(job);
    try {
      if (commit) {
        if (req.method !== 'POST') return end(res, 405, 'a commit is a POST');
        const body = UploadCommitSchema.safeParse(await readJson(req));
        if (!body.success) return end(res, 400, `a commit in another format (${body.error.issues[0]?.message}); is every machine on the same DIX Workbench version?`);
        const receipt = await this.receiver.commit(jobId, slot.data, uploadId.data, body.data);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(receipt));
        return;
      }
      if (req.method !== 'PUT') return end(res, 405, 'a file is uploaded with PUT');
      const name = UploadFileNameSchema.safeParse(decodeURIComponent(nameText ?? ''));
      const sha256 = String(req.headers[UPLOAD_SHA256_HEADER] ?? '');
      if (!name.success || !/^[0-9a-f]{64}$/.test(sha256)) return end(res, 400, `a file upload needs a plain file name and its sha256 in ${UPLOAD_SHA256_HEADER}`);
      await this.receiver.receiveFile(jobId, slot.data, uploadId.data, name.data, sha256, req);
      end(res, 204, '');
    } catch (err) {
      if (err instanceof UploadRefused) return end(res, err.status, err.message);
      throw err;
    }
  }
}

/** The request's body as JSON (undefined when it is not JSON or too long). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_COMMIT_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function end(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}
