import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionEvents, connectionMethods } from '../../../preload/contract/core/connections';
import type { FetchFn } from '../../../main/auth/network';
import type { ConnectionHandlers } from '../../../main/connections/handlers';
import type { Logger } from '../../../main/ports';
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../../main/sandbox/directory';
import { tempStore, type TestStore } from '../../unit/connections/support';
import { ADMIN, ALIAS, CONFIDENTIAL_CLIENT, dataverseProfile, headlessBrowser, startSandboxes, wire, type Sandboxes } from './harness';

const VALID_PEM = readFileSync(path.join(import.meta.dirname, '../../unit/auth/fixtures/valid.pem'), 'utf8');

let sb: Sandboxes;
let store: TestStore;
beforeAll(async () => {
  sb = await startSandboxes();
  store = tempStore();
});
afterAll(async () => {
  await sb?.close();
  store?.cleanup();
});

/** Token-shaped strings: JWTs and long base64/base64url runs (refresh tokens, keys, encrypted blobs). */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.?[A-Za-z0-9_-]*/;
const LONG_BASE64 = /[A-Za-z0-9+/_-]{40,}={0,2}/;

function findLeaks(text: string, known: string[]): string[] {
  const leaks: string[] = [];
  const jwt = JWT.exec(text);
  if (jwt) leaks.push(`JWT ${jwt[0].slice(0, 20)}…`);
  // Random base64 of 40+ characters practically always mixes upper case, lower case and digits; URL paths and
  // GUID runs (lower-case hex) do not, so they are not reported.
  for (const m of text.matchAll(new RegExp(LONG_BASE64.source, 'g'))) {
    if (/[A-Z]/.test(m[0]) && /[a-z]/.test(m[0]) && /[0-9]/.test(m[0])) leaks.push(`base64 run ${m[0].slice(0, 20)}…`);
  }
  for (const k of known) if (k && text.includes(k)) leaks.push(`known secret ${k.slice(0, 6)}…`);
  return leaks;
}

describe('secret-leak scan', () => {
  it('no handler return value, event or log line carries a token, refresh token or secret', async () => {
    // Every token the identity service hands out is captured so the scan can look for the exact values.
    const issued: string[] = [];
    const capture: FetchFn = async (url, init) => {
      const res = await fetch(url, init);
      if (url.includes('/oauth2/v2.0/token')) {
        const body = (await res.clone().json()) as Record<string, unknown>;
        for (const k of ['access_token', 'refresh_token', 'id_token', 'client_info']) if (typeof body[k] === 'string') issued.push(body[k] as string);
      }
      return res;
    };
    const logLines: string[] = [];
    const log = (m: string, d?: unknown) => logLines.push(`${m} ${d === undefined ? '' : d instanceof Error ? d.stack : JSON.stringify(d)}`);
    const logger: Logger = { info: log, warn: log, error: log };
    const app = wire(store, sb, headlessBrowser(ADMIN).browser, { fetchFn: capture, logger });

    // Record every payload the renderer could see, validated by the contract like the router does.
    const returned: unknown[] = [];
    const h = new Proxy(app.handlers, {
      get(target, name: keyof ConnectionHandlers) {
        const fn = target[name] as (i: unknown) => Promise<unknown>;
        return async (input: unknown) => {
          try {
            const out = await fn(connectionMethods[name].input.parse(input));
            connectionMethods[name].output.parse(out);
            returned.push({ name, out });
            return out;
          } catch (x) {
            returned.push({ name, error: (x as { toData?: () => unknown }).toData?.() ?? String(x) });
            throw x;
          }
        };
      },
    }) as ConnectionHandlers;

    const user = await h['connections.save'](dataverseProfile(sb, { name: 'Leak user', tier: 'production', colour: '#c62828' }));
    await h['auth.signIn']({ profileId: user.id, method: 'interactive' });
    await h['connections.test']({ profileId: user.id });
    const appProfile = await h['connections.save']({
      ...dataverseProfile(sb, { name: 'Leak app', authMethod: 'client-secret' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: ALIAS },
      secrets: { clientSecret: CONFIDENTIAL_CLIENT.clientSecret! },
    });
    await h['auth.signIn']({ profileId: appProfile.id });
    await h['connections.test']({ profileId: appProfile.id });
    const certProfile = await h['connections.save']({
      ...dataverseProfile(sb, { name: 'Leak cert', authMethod: 'certificate' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: ALIAS },
      secrets: { certificatePem: VALID_PEM },
    });
    await h['auth.signIn']({ profileId: certProfile.id }).catch(() => undefined); // not registered: an error payload is scanned too
    const onprem = await h['connections.save']({
      ...dataverseProfile(sb, { name: 'Leak BC', kind: 'bc-onprem', url: `${sb.bc.url}/BC`, authMethod: 'bc-access-key', app: null, userName: ADMIN.username }),
      secrets: { accessKey: ADMIN.bc!.webServiceAccessKey! },
    });
    await h['auth.signIn']({ profileId: onprem.id });
    await h['connections.test']({ profileId: onprem.id });
    sb.identity.authorityState.setKnobs({ deviceCodeIntervalSeconds: 1 });
    const device = await h['connections.save'](dataverseProfile(sb, { name: 'Leak device', authMethod: 'device-code' }));
    const pending = h['auth.signIn']({ profileId: device.id });
    const code = await app.rec.deviceCode();
    await fetch(`${sb.identity.url}/_sandbox/identity/devicecodes/approve`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userCode: code.userCode, username: ADMIN.username }) });
    await pending;
    await h['auth.status']({});
    await h['connections.list']({});
    const exported = await h['connections.export']({});
    await h['connections.duplicate']({ id: appProfile.id });
    await h['connections.import']({ json: exported.json });
    await h['auth.signOut']({ profileId: user.id });
    await h['connections.test']({ profileId: user.id }); // auth-required path
    await h['connections.delete']({ id: device.id });

    for (const e of app.rec.events) connectionEvents[e.name as keyof typeof connectionEvents].parse(e.payload);

    // The scan must have something to find: the flow issued real tokens and used real secrets.
    expect(issued.filter((t) => JWT.test(t)).length).toBeGreaterThanOrEqual(3);
    const known = [
      ...issued,
      CONFIDENTIAL_CLIENT.clientSecret!,
      ADMIN.bc!.webServiceAccessKey!,
      ...SANDBOX_USERS.map((u) => u.password).filter(Boolean),
      ...VALID_PEM.split('\n').filter((l) => l.length > 40),
      Buffer.from(`${ADMIN.username}:${ADMIN.bc!.webServiceAccessKey}`).toString('base64'),
    ];
    // Sanity: the detector does fire on what it is meant to catch.
    expect(findLeaks(JSON.stringify({ t: issued[0] }), known).length).toBeGreaterThan(0);
    expect(findLeaks(JSON.stringify({ s: CONFIDENTIAL_CLIENT.clientSecret }), known).length).toBeGreaterThan(0);
    expect(findLeaks(`opaque refresh token ${randomBytes(48).toString('base64')}`, [])).toHaveLength(1);

    expect(returned.length).toBeGreaterThan(15);
    expect(app.rec.events.length).toBeGreaterThan(8);
    expect(logLines.length).toBeGreaterThan(0);
    const payloads = JSON.stringify({ returned, events: app.rec.events });
    expect(findLeaks(payloads, known)).toEqual([]);
    expect(findLeaks(logLines.join('\n'), known)).toEqual([]);
    expect(findLeaks(exported.json, known)).toEqual([]);
  });
});
