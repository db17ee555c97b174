import { randomBytes } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { TransportErrorCodes } from '../../preload/contract';
import type { EventBus } from '../rpc/events';
import type { Router } from '../rpc/router';
import { allowedHosts, allowedOrigins, rendererCsp, safeEqual, TOKEN_PROTOCOL_PREFIX } from './security';

export interface BrowserHostOptions {
  router: Router;
  events: EventBus;
  /** Built renderer (vite build output). */
  staticDir: string;
  port?: number;
  /** Per-launch secret; random when omitted. */
  secret?: string;
  /** Observe every message crossing the transport (tests: secret-leak scan). */
  tap?: (direction: 'in' | 'out', data: string) => void;
}

export interface BrowserHost {
  port: number;
  origin: string;
  /** What the user opens: origin + '/#token=<secret>'. */
  url: string;
  secret: string;
  close(): Promise<void>;
}

/**
 * Largest RPC message the host reads (UTF-8 bytes). Bigger messages are answered MESSAGE_TOO_LARGE with this limit;
 * large files travel in chunks (uploads.*) well below it.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Frames beyond this are not even buffered: the socket is closed with 1009 (the host stays up). */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The browser host: the same renderer and the same main-process services as the Electron shell, served on
 * 127.0.0.1 only. Static files are public; every RPC goes over one WebSocket that must present this launch's
 * secret (as a WebSocket sub-protocol) from this launch's exact origin.
 */
export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const secret = opts.secret ?? randomBytes(24).toString('hex');
  let port = 0;
  const staticRoot = realRoot(path.resolve(opts.staticDir));

  const server = createServer((req, res) => {
    if (!allowedHosts(port).has(req.headers.host ?? '')) return deny(res, 421, 'Wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed');
    serveStatic(req, res, staticRoot, port);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => {
      for (const p of protocols) if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p;
      return false;
    },
  });

  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/rpc') return reject(404, 'Not Found');
    if (!allowedHosts(port).has(req.headers.host ?? '')) return reject(421, 'Misdirected Request');
    if (!allowedOrigins(port).has(req.headers.origin ?? '')) return reject(403, 'Forbidden');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
    if (!offered || !safeEqual(offered.slice(TOKEN_PROTOCOL_PREFIX.length), secret)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const sockets = new Set<WebSocket>();
  const unsubscribe = opts.events.subscribe((event, payload) => {
    const data = JSON.stringify({ event, payload });
    opts.tap?.('out', data);
    for (const ws of sockets) ws.send(data);
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A frame over MAX_FRAME_BYTES, a protocol violation or a reset: ws closes the socket and reports it here.
    // Without a listener, 'error' is thrown and takes the whole process (and the job scheduler) down.
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', (raw, isBinary) => {
      handleMessage(ws, raw as Buffer | Buffer[] | ArrayBuffer, isBinary).catch(() => {
        send(ws, { id: null, result: badRequest('The request could not be handled.') });
      });
    });
  });

  const handleMessage = async (ws: WebSocket, raw: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean) => {
    const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (bytes.length > MAX_MESSAGE_BYTES) {
      opts.tap?.('in', bytes.subarray(0, 200).toString());
      return send(ws, {
        id: leadingId(bytes),
        result: {
          ok: false,
          error: {
            code: TransportErrorCodes.messageTooLarge,
            message: `The request is too large (${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes). Nothing was done.`,
            params: { size: bytes.length, limit: MAX_MESSAGE_BYTES },
          },
        },
      });
    }
    const text = bytes.toString();
    opts.tap?.('in', text);
    if (isBinary) return send(ws, { id: null, result: badRequest('Binary messages are not accepted; send JSON text.') });
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return send(ws, { id: null, result: badRequest('Malformed message (not JSON).') });
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      return send(ws, { id: null, result: badRequest('A request must be a JSON object {id, method, payload}.') });
    }
    const { id: rawId, method, payload } = msg as { id?: unknown; method?: unknown; payload?: unknown };
    const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : null;
    const result = await opts.router.call(method, payload, { transport: 'browser' });
    send(ws, { id, result });
  };

  const send = (ws: WebSocket, body: unknown) => {
    let data: string;
    try {
      data = JSON.stringify(body);
    } catch {
      data = JSON.stringify({ id: null, result: badRequest('The answer could not be encoded.') });
    }
    opts.tap?.('out', data);
    if (ws.readyState === ws.OPEN) ws.send(data);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    url: `${origin}/#token=${secret}`,
    secret,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The static folder itself may be reached through a link (e.g. /tmp on macOS): compare against its real path. */
function realRoot(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function badRequest(message: string) {
  return { ok: false, error: { code: TransportErrorCodes.badRequest, message } };
}

/** The id of a request too large to parse, when it starts the way every client writes it: {"id":123, … */
function leadingId(bytes: Buffer): number | string | null {
  const m = /^\s*\{\s*"id"\s*:\s*(?:(-?\d{1,15})|"([^"\\]{0,100})")/.exec(bytes.subarray(0, 160).toString('latin1'));
  if (!m) return null;
  return m[1] !== undefined ? Number(m[1]) : m[2]!;
}

function deny(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, port: number) {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return deny(res, 400, 'Bad path');
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = path.resolve(root, '.' + pathname);
  if (file !== root && !file.startsWith(root + path.sep)) return deny(res, 403, 'Forbidden');
  const headers = {
    'Content-Security-Policy': rendererCsp([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
  // Resolve symbolic links and check again: a link inside the static folder must not serve a file outside it.
  let real: string | null;
  try {
    real = realpathSync(file);
    if (!statSync(real).isFile()) real = null;
  } catch {
    real = null;
  }
  if (real !== null && real !== root && !real.startsWith(root + path.sep)) return deny(res, 403, 'Forbidden');
  if (real === null) {
    if (pathname === '/index.html') {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('The console UI is not built yet. Run "npm run build:renderer" (npm start does it for you).');
    }
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('Not found');
  }
  res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
  if (req.method === 'HEAD') return res.end();
  createReadStream(real).on('error', () => res.destroy()).pipe(res);
}
