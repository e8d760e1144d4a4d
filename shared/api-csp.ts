// The Content-Security-Policy of the renderer, the same in the Electron window and in web mode: scripts and styles
// only from the app itself (no inline script, no eval), images also from blob: and data: URLs (map canvases,
// thumbnails), connections only back to where the page came from, nothing framed, no plugins.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
