// Server-sent events: every service event as one `data:` line of JSON, for as long as the page listens. A comment
// line every few seconds keeps proxies and the browser from closing an idle stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceEvent } from '../../shared/api';

const KEEPALIVE_MS = 15_000;

export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  subscribe: (listener: (event: ServiceEvent) => void) => () => void,
  headers: Record<string, string>,
): () => void {
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  // Tells the browser to reconnect after 1 s, and flushes the headers so EventSource reports "open" at once.
  res.write('retry: 1000\n\n');
  const unsubscribe = subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    unsubscribe();
    res.end();
  };
  req.on('close', close);
  return close;
}
