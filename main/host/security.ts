import { timingSafeEqual } from 'node:crypto';

/** Content-Security-Policy for the renderer, shared by the browser host and the Electron shell. */
export function rendererCsp(connectSrc: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Fluent UI (Griffel) inserts style rules at runtime; scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${connectSrc.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Only the exact loopback origins of this launch may talk to it (defeats DNS rebinding and cross-site pages). */
export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export const TOKEN_PROTOCOL_PREFIX = 'd365ic-token.';
