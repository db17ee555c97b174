import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
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
  const staticRoot = path.resolve(opts.staticDir);

  const server = createServer((req, res) => {
    if (!allowedHosts(port).has(req.headers.host ?? '')) return deny(res, 421, 'Wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed');
    serveStatic(req, res, staticRoot, port);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * 1024 * 1024,
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
    ws.on('message', async (raw) => {
      const text = raw.toString();
      opts.tap?.('in', text);
      let msg: { id?: unknown; method?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(text);
      } catch {
        return send(ws, { id: null, result: { ok: false, error: { code: TransportErrorCodes.badRequest, message: 'Malformed message (not JSON).' } } });
      }
      const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
      const result = await opts.router.call(msg.method, msg.payload, { transport: 'browser' });
      send(ws, { id, result });
    });
  });

  const send = (ws: WebSocket, body: unknown) => {
    const data = JSON.stringify(body);
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
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (pathname === '/index.html') {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('The console UI is not built yet. Run "npm run build:renderer" (npm start does it for you).');
    }
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('Not found');
  }
  res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}
