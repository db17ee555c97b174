import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { startHost } from '../../../main/sandbox/kernel';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let cleanup: () => void;
const call = async (method: string, payload: unknown = {}) => {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as never;
};

beforeAll(async () => {
  const t = tempDir();
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  cleanup = t.cleanup;
}, 60_000);
afterAll(async () => {
  app.close();
  await sandbox.close();
  cleanup();
});

describe('a new console with the embedded demo sandbox', () => {
  it('has clearly labelled demo profiles pointing at this launch', async () => {
    const list = (await call('connections.list')) as { name: string; url: string | null; tier: string; secretsSet: string[] }[];
    const names = list.map((p) => p.name).sort();
    expect(names).toEqual([
      'Demo sandbox · Business Central', 'Demo sandbox · Commerce headquarters', 'Demo sandbox · Dataverse', 'Demo sandbox · Dataverse (user sign-in)',
      'Demo sandbox · Microsoft 365 (Graph)', 'Demo sandbox · Microsoft 365 (Graph, admin sign-in)',
    ]);
    const graph = list.find((p) => p.name === 'Demo sandbox · Microsoft 365 (Graph)')!;
    expect(graph.url).toBe(sandbox.handle!.graph.host.origin);
    expect(graph.secretsSet).toEqual(['clientSecret']);
    expect(list.find((p) => p.name === 'Demo sandbox · Commerce headquarters')!.url).toBe(sandbox.handle!.info.commerce.url);
    for (const c of Object.values(sandbox.handle!.info.clients)) expect(JSON.stringify(list)).not.toContain(c.clientSecret);
    const dv = list.find((p) => p.name === 'Demo sandbox · Dataverse')!;
    expect(dv.url).toBe(sandbox.handle!.dataverse.url);
    expect(dv.tier).toBe('development');
    expect(dv.secretsSet).toEqual(['clientSecret']);
    expect(JSON.stringify(list)).not.toContain(sandbox.handle!.info.clients.integration.clientSecret);
  });

  it('connects to Dataverse and Business Central with no account (connection test)', async () => {
    const list = (await call('connections.list')) as { id: string; name: string }[];
    const dv = (await call('connections.test', { profileId: list.find((p) => p.name === 'Demo sandbox · Dataverse')!.id })) as { ok: boolean; user: string | null; version: string | null; error: unknown };
    expect(dv.error).toBeNull();
    expect(dv.ok).toBe(true);
    expect(dv.user).toBeTruthy();
    expect(dv.version).toMatch(/^9\.2/);
    const bc = (await call('connections.test', { profileId: list.find((p) => p.name === 'Demo sandbox · Business Central')!.id })) as { ok: boolean; details: Record<string, string> };
    expect(bc.ok).toBe(true);
  });

  it('connects to Graph over HTTPS (the sandbox CA trusted for its origin only) and to Commerce headquarters', async () => {
    const list = (await call('connections.list')) as { id: string; name: string }[];
    const test = async (name: string) => (await call('connections.test', { profileId: list.find((p) => p.name === name)!.id })) as { ok: boolean; error: unknown };
    const graph = await test('Demo sandbox · Microsoft 365 (Graph)');
    expect(graph.error).toBeNull();
    expect(graph.ok).toBe(true);
    const commerce = await test('Demo sandbox · Commerce headquarters');
    expect(commerce.error).toBeNull();
    expect(commerce.ok).toBe(true);
  });

  it('trusts the sandbox CA only for the Graph sandbox origin, never globally', async () => {
    const f = sandbox.fetch!;
    const init = { method: 'GET', headers: {}, signal: new AbortController().signal };
    const r = await f(`${sandbox.handle!.info.graph.url}/users?$top=1`, init);
    expect(r.status).toBe(401); // TLS accepted; the service asks for a token
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
    // The same URL through plain fetch: the certificate is not trusted by the process.
    await expect(fetch(`${sandbox.handle!.info.graph.url}/users?$top=1`)).rejects.toThrow();
    // Another https origin goes to the normal fetch (system trust store) and is refused.
    const other = await startHost({ https: {} });
    try {
      await expect(f(`${other.origin}/_sandbox`, init)).rejects.toThrow();
    } finally {
      await other.close();
    }
  });

  it('exposes the sandbox endpoints and knobs to the sandbox page, without the client secret', async () => {
    const status = (await call('sandbox.status')) as { running: boolean; endpoints: { dataverseApiBase: string }; knobs: { dataverse: { latencyMs: number } } };
    expect(status.running).toBe(true);
    expect(status.endpoints.dataverseApiBase).toBe(sandbox.handle!.info.dataverse.apiBase);
    expect(JSON.stringify(status)).not.toContain(sandbox.handle!.info.clients.integration.clientSecret);
    const knobs = (await call('sandbox.setKnobs', { service: 'dataverse', knobs: { latencyMs: 25 } })) as { latencyMs: number };
    expect(knobs.latencyMs).toBe(25);
    expect(sandbox.handle!.dataverse.knobs.get().latencyMs).toBe(25);
    await call('sandbox.setKnobs', { service: 'dataverse', knobs: { latencyMs: 0 } });
  });
});
