/** The Commerce service started by name on the sandbox kernel's host (audience = the host origin). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../../main/sandbox/commerce';
import { startHost } from '../../../main/sandbox/kernel';
import { startIdentity } from '../../../main/sandbox/identity';
import type { IdentityService } from '../../../main/sandbox/identity';
import { APP } from './helpers';

let identity: IdentityService;
let host: Awaited<ReturnType<typeof startHost>>;

beforeAll(async () => {
  identity = await startIdentity();
  host = await startHost({ authenticate: identity.authenticate });
  await host.start('commerce', { seed: 'demo' }, { prefixes: ['/data', '/Metadata'] });
});
afterAll(async () => {
  await host.close();
  await identity.close();
});

it('serves /data and /Metadata on the kernel host with tokens for the host origin', async () => {
  const form = { grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.clientSecret!, scope: `${host.origin}/.default` };
  const t = (await (await fetch(identity.tokenEndpoint, { method: 'POST', body: new URLSearchParams(form) })).json()) as { access_token: string };
  const auth = { Authorization: `Bearer ${t.access_token}` };
  const stores = await fetch(`${host.origin}/data/RetailStores/$count?cross-company=true`, { headers: auth });
  expect(stores.status).toBe(200);
  expect(await stores.text()).toBe('30');
  const entities = (await (await fetch(`${host.origin}/Metadata/DataEntities?$select=PublicCollectionName`, { headers: auth })).json()) as { value: { PublicCollectionName: string }[] };
  expect(entities.value.map((e) => e.PublicCollectionName)).toContain('RetailTeamsSourceTeamMappings');
  expect((await fetch(`${host.origin}/data/RetailStores`)).status).toBe(401);
});
