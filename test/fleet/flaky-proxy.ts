// An HTTP proxy in front of the coordinator's file server that drops the connection of the first `drop` requests (as
// a restarting coordinator or a flaky link would) and then forwards, recording every request's path.
import { createServer, request } from 'node:http';

export interface FlakyProxy {
  url: string;
  /** The path of every request that reached the proxy, dropped or forwarded, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string, drop: number): Promise<FlakyProxy> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (seen.length <= drop) return void req.socket.destroy();
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
