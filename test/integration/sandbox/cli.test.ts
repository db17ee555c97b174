/**
 * `d365ic sandbox`: flag parsing, in-process run with a fake CliIo, and a real child process (bin.mjs) driven
 * the way scripted checks drive it: first stdout line → token → Dataverse WhoAmI → SIGTERM → clean exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../main/cli/io';
import type { CliIo } from '../../../main/cli/io';
// A static import: if a sandbox module does not load, this file fails (it never skips itself).
import * as cmd from '../../../main/cli/commands/sandbox';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
interface Info {
  identity: { authority: string; tokenEndpoint: string };
  dataverse: { url: string; apiBase: string };
  businessCentral: { apiBase: string; tenant: string; environment: string; companyId: string };
  graph: { url: string; betaUrl: string; scope: string; caFile: string };
  commerce: { url: string; scope: string };
  clients: Record<'integration' | 'graph' | 'commerce', { clientId: string; clientSecret: string }>;
  users: { username: string; password: string; roles: string[] }[];
}

async function clientCredentials(info: Info, client: { clientId: string; clientSecret: string }, scope: string): Promise<string> {
  const t = await fetch(info.identity.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope }),
  });
  const body = (await t.json()) as { access_token?: string };
  expect(t.status, JSON.stringify(body)).toBe(200);
  return body.access_token!;
}

/** The contract check for Graph: a clients.graph token for graph.scope, then GET users over HTTPS trusting graph.caFile only. */
async function graphFirstUser(info: Info): Promise<{ status: number; body: { value: { id: string; userPrincipalName: string }[] } }> {
  const token = await clientCredentials(info, info.clients.graph, info.graph.scope);
  return new Promise((resolve, reject) => {
    const req = request(`${info.graph.url}/users?$top=1`, { ca: readFileSync(info.graph.caFile), headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The contract check for Commerce: a clients.commerce token for commerce.scope, then the first store. */
async function commerceFirstStore(info: Info): Promise<{ status: number; body: { value: { StoreNumber: string }[] } }> {
  const token = await clientCredentials(info, info.clients.commerce, info.commerce.scope);
  const r = await fetch(`${info.commerce.url}/data/RetailStores?$top=1`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: (await r.json()) as { value: { StoreNumber: string }[] } };
}

/** The contract check: client-credentials token for Dataverse, then WhoAmI. */
async function whoAmI(info: Info): Promise<string> {
  const t = await fetch(info.identity.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clients.integration.clientId, client_secret: info.clients.integration.clientSecret, scope: `${info.dataverse.url}/.default` }),
  });
  expect(t.status).toBe(200);
  const tok = (await t.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(tok).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
  const r = await fetch(`${info.dataverse.apiBase}/WhoAmI`, { headers: { authorization: `Bearer ${tok.access_token}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { UserId: string }).UserId;
}

describe('parseSandboxArgs', () => {
  it('maps the contract flags', () => {
    expect(cmd.parseSandboxArgs(['--port', '7000', '--seed', 'bench', '--records', '500', '--latency-ms', '20', '--fault-rate', '0.05'])).toEqual({
      port: 7000, seed: 'bench', records: 500, latencyMs: 20, faultRate: 0.05,
    });
    expect(cmd.parseSandboxArgs(['--fault-rate=1', '--fault-seed', '42', '--bc-version', '16'])).toEqual({ faultRate: 1, faultSeed: 42, bcVersion: 16 });
    expect(cmd.parseSandboxArgs(['--records', '10'])).toEqual({ seed: 'bench', records: 10 });
    expect(cmd.parseSandboxArgs(['--data-dir', '/tmp/x'])).toEqual({ dataDir: path.resolve('/tmp/x') });
    expect(cmd.parseSandboxArgs([])).toEqual({});
  });

  it.each([
    [['--port', 'x'], /--port must be a whole number/],
    [['--port', '65532'], /--port must be a whole number from 0 to 65531/],
    [['--data-dir'], /--data-dir needs a folder path/],
    [['--seed', 'big'], /--seed must be "demo" or "bench"/],
    [['--seed', 'demo', '--records', '10'], /--records only applies with --seed bench/],
    [['--seed', 'bench', '--records', '0'], /--records must be a whole number from 1/],
    [['--fault-rate', '1.5'], /--fault-rate must be a number from 0 to 1/],
    [['--fault-rate', '-0.1'], /--fault-rate/],
    [['--bc-version', '17'], /--bc-version must be 14, 15, 16 or 24/],
    [['--latency'], /Unknown option --latency/],
    [['extra'], /Unexpected argument "extra"/],
  ])('rejects %j with a usage message', (args, message) => {
    expect(() => cmd.parseSandboxArgs(args)).toThrow(UsageError);
    expect(() => cmd.parseSandboxArgs(args)).toThrow(message);
  });
});

describe('sandboxCommand in-process', () => {
  it('prints the JSON first, serves until the signal, then closes and returns 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let stop!: (s: string) => void;
    let printed!: () => void;
    const firstLine = new Promise<void>((r) => (printed = r));
    const io: CliIo = {
      stdout: (t) => { out.push(t); printed(); }, stderr: (t) => void err.push(t), readStdin: async () => '', isTTY: false, env: {},
      untilSignal: () => new Promise((r) => (stop = r)),
    };
    const running = cmd.sandboxCommand(['--port', '0', '--latency-ms', '1'], io);
    await firstLine;
    expect(out).toHaveLength(1);
    const info = JSON.parse(out[0]!) as Info;
    expect(out[0]!.endsWith('\n')).toBe(true);
    expect(info.dataverse.apiBase.endsWith('/api/data/v9.2')).toBe(true);
    expect(await whoAmI(info)).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.join('')).toContain('Press Ctrl+C to stop');
    // The flag reached the resource servers' knobs.
    const knobs = (await (await fetch(`${info.dataverse.url}/_sandbox/knobs`)).json()) as { latencyMs: number };
    expect(knobs.latencyMs).toBe(1);
    for (const c of Object.values(info.clients)) expect(err.join('')).not.toContain(c.clientSecret);
    expect(err.join('')).toContain(info.graph.caFile);
    stop('SIGINT');
    await expect(running).resolves.toBe(0);
    await expect(fetch(info.identity.tokenEndpoint, { method: 'POST' })).rejects.toThrow();
  });
});

describe('d365ic sandbox as a child process', () => {
  it('first stdout line → tokens → WhoAmI, Graph users, Commerce stores → SIGTERM → exit 0', async () => {
    const bin = path.join(repo, 'main', 'cli', 'bin.mjs');
    const child = existsSync(bin)
      ? spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--seed', 'demo'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } })
      : spawn(process.execPath, ['--import', 'tsx', '-e', "const m = await import('./main/cli/index.ts'); process.exitCode = await m.main(['sandbox', '--port', '0', '--seed', 'demo']);"], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout! });
        rl.once('line', (l) => resolve(l));
        void exited.then((code) => reject(new Error(`d365ic sandbox exited (${code}) before printing its JSON line. stderr:\n${stderr}`)));
      });
      const info = JSON.parse(first) as Info;
      expect(Object.keys(info)).toEqual(['identity', 'dataverse', 'businessCentral', 'graph', 'commerce', 'clients', 'users']);
      expect(Object.keys(info.clients)).toEqual(['integration', 'graph', 'commerce']);
      expect(info.graph.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
      expect(info.graph.betaUrl).toBe(info.graph.url.replace(/\/v1\.0$/, '/beta'));
      expect(info.graph.scope).toBe('https://graph.microsoft.com/.default');
      expect(path.isAbsolute(info.graph.caFile)).toBe(true);
      expect(info.commerce.scope).toBe(`${info.commerce.url}/.default`);
      expect(await whoAmI(info)).toMatch(/^[0-9a-f-]{36}$/);
      const users = await graphFirstUser(info);
      expect(users.status).toBe(200);
      expect(users.body.value).toHaveLength(1);
      expect(users.body.value[0]!.userPrincipalName).toMatch(/@nordlys\.example$/);
      const stores = await commerceFirstStore(info);
      expect(stores.status).toBe(200);
      expect(stores.body.value).toHaveLength(1);
      expect(stores.body.value[0]!.StoreNumber).toMatch(/^\d{6}$/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM: stopping the sandbox');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
