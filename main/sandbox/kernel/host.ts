/**
 * ONE loopback HTTP/HTTPS host for sandbox services: lifecycle (listen on 127.0.0.1, close with keep-alive sockets),
 * request body limits (413), the bearer-token check hook (the identity sandbox's `Authenticate`), the /_sandbox
 * administration routes (knobs, fault profiles, clock), named fault profiles, latency and generic random faults.
 * Services are plain `SandboxService` handlers started by name from the registry and mounted on path prefixes.
 *
 * Administration routes (only for requests whose Host is this loopback port, as the other sandboxes):
 *   GET   /_sandbox                 host summary: services, knobs, fault profiles (defined + active), clock
 *   GET   /_sandbox/knobs           PATCH /_sandbox/knobs  {latencyMs, faultRate, faultSeed, faultKinds, burstLength}
 *   GET   /_sandbox/faults          PUT /_sandbox/faults {"profiles": {"<name>": {params}}} (replaces the active set)
 *   POST  /_sandbox/faults/<name>   switch one on (body: params)   DELETE /_sandbox/faults/<name>  switch it off
 *   GET   /_sandbox/clock           POST /_sandbox/clock {"advanceMs": n}
 * Other /_sandbox/... paths go to the services (e.g. /_sandbox/graph).
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Authenticate } from '../auth';
import { adminHostAllowed, WRONG_HOST_MESSAGE } from './admin-host';
import { KnobStore, sleep } from './knobs';
import type { FaultKind, Knobs } from './knobs';
import { serviceFactory } from './registry';
import { ensureSandboxTls } from './tls';
import type { FaultProfileDefinition, FaultProfiles, KernelContext, SandboxClock, SandboxService } from './types';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HostOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Serve HTTPS with the per-data-folder CA (see tls.ts). `dataDir` omitted → a temporary folder. */
  https?: { dataDir?: string } | false;
  maxBodyBytes?: number;
  /** The identity sandbox's token verifier. Without it every authenticated call fails with a clear reason. */
  authenticate?: Authenticate;
  /** Base clock (ms since epoch); defaults to Date.now. The host adds an advanceable offset. */
  clock?: () => number;
  knobs?: Partial<Knobs>;
  /** Idle keep-alive timeout of client connections (ms). Default 5,000. */
  keepAliveTimeoutMs?: number;
}

export interface SandboxHost {
  /** Origin without trailing slash, e.g. https://127.0.0.1:49152. */
  origin: string;
  port: number;
  /** PEM path of the CA to trust (HTTPS hosts only). */
  caFile?: string;
  caPem?: string;
  clock: SandboxClock;
  faults: FaultProfiles;
  knobs: KnobStore;
  /** Start a registered service by name and mount it on path prefixes ('/v1.0', …); none → catch-all. */
  start<O>(name: string, options: O, mount?: { prefixes?: string[] }): Promise<SandboxService>;
  /** Mount an already-built service. */
  mount(service: SandboxService, prefixes?: string[]): void;
  close(): Promise<void>;
}

export function createClock(base: () => number = Date.now): SandboxClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance: (ms: number) => {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('The sandbox clock only moves forward: advanceMs must be a non-negative number.');
      offset += ms;
    },
  };
}

export function createFaultProfiles(): FaultProfiles {
  const defs = new Map<string, FaultProfileDefinition>();
  const on = new Map<string, Record<string, number | string>>();
  const known = () => [...defs.keys()].sort().join(', ') || '(none)';
  const check = (name: string, params: Record<string, number | string> = {}) => {
    const d = defs.get(name);
    if (!d) throw new Error(`Unknown fault profile '${name}'. Known profiles: ${known()}.`);
    for (const [k, v] of Object.entries(params)) {
      if (!(k in d.defaults)) throw new Error(`Fault profile '${name}' has no parameter '${k}'. Parameters: ${Object.keys(d.defaults).join(', ') || '(none)'}.`);
      if (typeof v !== typeof d.defaults[k]) throw new Error(`Parameter '${k}' of fault profile '${name}' must be a ${typeof d.defaults[k]}.`);
    }
    return { ...d.defaults, ...params };
  };
  return {
    define: (def) => void defs.set(def.name, def),
    defined: () => [...defs.values()],
    active: (name) => on.get(name),
    enable: (name, params) => void on.set(name, check(name, params)),
    disable: (name) => void on.delete(name),
    set: (profiles) => {
      const next = new Map(Object.entries(profiles).map(([n, p]) => [n, check(n, p)] as const));
      on.clear();
      for (const [n, p] of next) on.set(n, p);
    },
    list: () => Object.fromEntries(on),
  };
}

export async function startHost(opts: HostOptions = {}): Promise<SandboxHost> {
  const tls = opts.https ? ensureSandboxTls(opts.https.dataDir) : undefined;
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : createHttpServer();
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 5_000;
  const port = await listen(server, opts.port ?? 0);
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clock = createClock(opts.clock);
  const faults = createFaultProfiles();
  const knobs = new KnobStore(opts.knobs);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const mounts: { prefixes: string[]; service: SandboxService }[] = [];

  const ctx: KernelContext = {
    origin,
    clock,
    faults,
    knobs: () => knobs.get(),
    authenticate: (req, audience) => {
      if (!opts.authenticate) return { error: 'invalid_token', description: 'This sandbox host has no identity service attached, so no token can be verified. Start it with the identity sandbox.' };
      const h = req.headers.authorization;
      return opts.authenticate(Array.isArray(h) ? h[0] : h, audience);
    },
    setKnobs: (patch) => knobs.set(patch),
    nextFault: () => knobs.faults.next(),
    delay: async () => {
      const ms = knobs.get().latencyMs;
      if (ms > 0) await sleep(ms);
    },
  };

  const pick = (path: string): SandboxService | undefined => {
    let best: { len: number; service: SandboxService } | undefined;
    for (const m of mounts) {
      if (m.prefixes.length === 0) {
        if (!best) best = { len: 0, service: m.service };
        continue;
      }
      for (const p of m.prefixes) {
        const hit = path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`) || path.startsWith(`${p}?`);
        if (hit && (!best || p.length > best.len)) best = { len: p.length, service: m.service };
      }
    }
    return best?.service;
  };

  /** The service that claimed this /_sandbox path with `adminPaths`, if any. */
  const adminOwner = (path: string): SandboxService | undefined =>
    mounts.find((m) => m.service.adminPaths?.some((p) => path === p || path.startsWith(`${p}/`)))?.service;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((x: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalServerError', message: `Sandbox host failed: ${(x as Error).message}` } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The Date header is the server's clock (clients read it as "server now"): the sandbox's, not the computer's.
    res.setHeader('Date', new Date(clock.now()).toUTCString());
    const path = (req.url ?? '/').split('?')[0]!;
    const isAdmin = path === '/_sandbox' || path.startsWith('/_sandbox/');
    const owner = isAdmin ? adminOwner(path) : undefined;
    const service = owner ?? pick(path);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) return tooLarge(req, res, maxBody, service);
    const body = await readBody(req, maxBody);
    if (body === null) return tooLarge(req, res, maxBody, service);
    if (owner) return owner.handle(req, res, body);
    if (isAdmin) {
      if (!adminHostAllowed(req)) return sendJson(res, 421, { error: { code: 'MisdirectedRequest', message: WRONG_HOST_MESSAGE } });
      if (await admin(req, res, path.slice('/_sandbox'.length), body)) return;
    } else if (!service?.injectsOwnFaults) {
      await ctx.delay();
      const fault = knobs.faults.next();
      if (fault) return injectFault(res, fault);
    }
    if (!service) return sendJson(res, 404, { error: { code: 'NotFound', message: `No sandbox service answers ${path} on this host.` } });
    await service.handle(req, res, body);
  }

  async function admin(req: IncomingMessage, res: ServerResponse, sub: string, body: Buffer): Promise<boolean> {
    const method = req.method ?? 'GET';
    const json = (): Record<string, unknown> => {
      if (body.length === 0) return {};
      const v = JSON.parse(body.toString('utf8')) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('Send a JSON object.');
      return v as Record<string, unknown>;
    };
    const bad = (x: unknown) => sendJson(res, 400, { error: { code: 'BadRequest', message: (x as Error).message } });
    const summary = () => ({
      origin,
      caFile: tls?.caFile ?? null,
      services: mounts.map((m) => ({ name: m.service.name, prefixes: m.prefixes })),
      knobs: knobs.get(),
      faults: { defined: faults.defined(), active: faults.list() },
      clock: { now: new Date(clock.now()).toISOString() },
    });
    try {
      if (sub === '' && method === 'GET') return sendJson(res, 200, summary()), true;
      if (sub === '/knobs' && method === 'GET') return sendJson(res, 200, knobs.get()), true;
      if (sub === '/knobs' && method === 'PATCH') return sendJson(res, 200, knobs.set(validKnobs(json()))), true;
      if (sub === '/faults' && method === 'GET') return sendJson(res, 200, { defined: faults.defined(), active: faults.list() }), true;
      if (sub === '/faults' && method === 'PUT') {
        const p = json().profiles;
        if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new Error('Send {"profiles": {"<profile name>": {<parameters>}}}.');
        faults.set(p as Record<string, Record<string, number | string>>);
        return sendJson(res, 200, { active: faults.list() }), true;
      }
      const one = /^\/faults\/([a-z0-9-]+)$/.exec(sub);
      if (one && method === 'POST') return faults.enable(one[1]!, json() as Record<string, number | string>), sendJson(res, 200, { active: faults.list() }), true;
      if (one && method === 'DELETE') return faults.disable(one[1]!), sendJson(res, 200, { active: faults.list() }), true;
      if (sub === '/clock' && method === 'GET') return sendJson(res, 200, { now: new Date(clock.now()).toISOString() }), true;
      if (sub === '/clock' && method === 'POST') {
        clock.advance(Number(json().advanceMs));
        return sendJson(res, 200, { now: new Date(clock.now()).toISOString() }), true;
      }
    } catch (x) {
      return bad(x), true;
    }
    return false;
  }

  const sockets = new Set<Socket>();
  server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const mount = (service: SandboxService, prefixes: string[] = []) => void mounts.push({ prefixes, service });
  return {
    origin,
    port,
    ...(tls ? { caFile: tls.caFile, caPem: tls.caPem } : {}),
    clock,
    faults,
    knobs,
    mount,
    async start<O>(name: string, options: O, m?: { prefixes?: string[] }) {
      const service = await serviceFactory<O>(name)(ctx, options);
      mount(service, m?.prefixes);
      return service;
    },
    async close() {
      // Stop serving first (keep-alive sockets would hold close() open), then let the services release their stores.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      for (const m of mounts) await m.service.close?.();
    },
  };
}

function validKnobs(x: Record<string, unknown>): Partial<Knobs> {
  const out: Partial<Knobs> = {};
  const num = (k: string, min: number, max: number) => {
    const v = x[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${k} must be a number between ${min} and ${max}.`);
    return v;
  };
  for (const k of Object.keys(x)) if (!['latencyMs', 'faultRate', 'faultSeed', 'faultKinds', 'burstLength'].includes(k)) throw new Error(`Unknown knob '${k}'. Knobs: latencyMs, faultRate, faultSeed, faultKinds, burstLength.`);
  const l = num('latencyMs', 0, 60_000);
  if (l !== undefined) out.latencyMs = l;
  const r = num('faultRate', 0, 1);
  if (r !== undefined) out.faultRate = r;
  const s = num('faultSeed', 0, 2 ** 31);
  if (s !== undefined) out.faultSeed = s;
  const b = num('burstLength', 1, 1000);
  if (b !== undefined) out.burstLength = b;
  if (x.faultKinds !== undefined) {
    const kinds = x.faultKinds;
    if (!Array.isArray(kinds) || kinds.some((k) => !['5xx', 'reset', '429'].includes(k as string))) throw new Error("faultKinds must be a list of '5xx', 'reset', '429'.");
    out.faultKinds = kinds as FaultKind[];
  }
  return out;
}

function injectFault(res: ServerResponse, kind: FaultKind): void {
  if (kind === 'reset') {
    res.socket?.destroy();
    return;
  }
  if (kind === '429') {
    res.setHeader('Retry-After', '1');
    return sendJson(res, 429, { error: { code: 'TooManyRequests', message: 'Too many requests (sandbox fault injection). Retry after the number of seconds in Retry-After.' } });
  }
  sendJson(res, 503, { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable (sandbox fault injection). Retry later.' } });
}

function tooLarge(req: IncomingMessage, res: ServerResponse, max: number, service?: SandboxService): void {
  if (service?.tooLarge) {
    service.tooLarge(req, res, max);
    req.resume();
    return;
  }
  res.setHeader('Connection', 'close');
  sendJson(res, 413, { error: { code: 'RequestEntityTooLarge', message: `The request body is larger than this sandbox accepts (${max} bytes). Send smaller requests (split batches).` } });
  req.resume();
}

/** Whole body, or null when it exceeds `max` bytes (the rest is drained, not buffered). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`Port ${port} on 127.0.0.1 is already in use: choose another --port or stop the program using it.`) : e),
    );
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
