import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../main/sandbox';

/** Sandbox administration (GET included) answers only requests addressed to this computer's loopback names. */
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 'bench' as never });
}, 120_000);
afterAll(async () => {
  await sb?.close();
});

function get(base: string, path: string, host?: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: u.port, path, headers: host ? { host } : {} }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('sandbox admin endpoints check the Host header (DNS rebinding)', () => {
  const cases = () => [
    { name: 'Dataverse', url: sb.dataverse.url, path: '/_sandbox/knobs' },
    { name: 'Business Central', url: sb.businessCentral.url, path: '/_sandbox/knobs' },
    { name: 'Business Central limits', url: sb.businessCentral.url, path: '/_sandbox/limits' },
    { name: 'Business Central extensions', url: sb.businessCentral.url, path: '/_sandbox/extensions' },
    { name: 'identity', url: sb.identity.url, path: '/_sandbox/identity' },
    { name: 'identity device codes', url: sb.identity.url, path: '/_sandbox/identity/devicecodes' },
  ];

  it('refuses a foreign Host with 421', async () => {
    for (const c of cases()) {
      const port = new URL(c.url).port;
      for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`]) {
        const r = await get(c.url, c.path, host);
        expect(r.status, `${c.name} with Host ${host}`).toBe(421);
        expect(r.body).not.toMatch(/latencyMs|userCode/);
      }
    }
  });

  it('still answers the loopback names of its own port', async () => {
    for (const c of cases()) {
      const port = new URL(c.url).port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        expect((await get(c.url, c.path, host)).status, `${c.name} with Host ${host}`).toBe(200);
      }
    }
  });
});
