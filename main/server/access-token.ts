// The per-launch token of web mode. Every API request must carry it, in the x-dixw-token header or in the cookie that
// the printed URL sets, so another user or a web page on this machine cannot drive the workbench through the port.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_COOKIE, TOKEN_HEADER } from '../../shared/api';

export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A malformed escape is no token (401), not a server error.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function requestToken(req: IncomingMessage): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  return (Array.isArray(header) ? header[0] : header) ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

/** HttpOnly (scripts never see it), SameSite=Strict (other sites' pages cannot send it), for this server only. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

/**
 * Requests must name this server by its loopback address: a page on another domain that rebinds its name to
 * 127.0.0.1 still sends its own name as Host, and is refused.
 */
export function isLocalHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`;
}
