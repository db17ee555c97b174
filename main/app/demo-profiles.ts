import type { ConnectionFields } from '../../preload/contract';
import type { ConnectionStore } from '../connections';
import type { Sandbox } from '../sandbox';
import { COMMERCE_CLIENT, GRAPH_CLIENT, SANDBOX_CLIENTS, SANDBOX_TENANT_ID } from '../sandbox/directory';

export const DEMO_PREFIX = 'Demo sandbox · ';
const DEMO_COLOUR = '#8764b8';

/**
 * Keep the "Demo sandbox" connection profiles pointing at this launch's sandbox (its ports change per launch):
 * Dataverse and Business Central with the integration app's client secret (works with no sign-in at all),
 * Dataverse with user sign-in through the sandbox's identity service, Microsoft 365 (Graph) with the Commerce ⇄
 * Teams Graph app's secret and with the admin's device-code sign-in, and Commerce headquarters with the app
 * registered on its Microsoft Entra applications page. Clearly labelled, tier development.
 */
export async function ensureDemoProfiles(store: ConnectionStore, sandbox: Sandbox, authorityHost: string): Promise<void> {
  const confidential = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;
  const publicClient = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
  const appSecret = { clientId: confidential.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost };
  const bcRoot = new URL(sandbox.info.businessCentral.apiBase).origin;
  // Graph profiles name the service root (the client adds /v1.0); the token scope stays https://graph.microsoft.com.
  const graphRoot = new URL(sandbox.info.graph.url).origin;
  const app = (c: typeof confidential) => ({ clientId: c.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost });
  const wanted: (ConnectionFields & { secrets?: { clientSecret: string } })[] = [
    {
      name: `${DEMO_PREFIX}Dataverse`, kind: 'dataverse', url: sandbox.dataverse.url, environmentName: null, company: null,
      tier: 'development', colour: DEMO_COLOUR, authMethod: 'client-secret', app: appSecret, userName: null, certificateThumbprint: null,
      secrets: { clientSecret: confidential.clientSecret! },
    },
    {
      name: `${DEMO_PREFIX}Dataverse (user sign-in)`, kind: 'dataverse', url: sandbox.dataverse.url, environmentName: null, company: null,
      tier: 'development', colour: DEMO_COLOUR, authMethod: 'device-code',
      app: { clientId: publicClient.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: 'http://localhost', authorityHost },
      userName: null, certificateThumbprint: null,
    },
    {
      name: `${DEMO_PREFIX}Business Central`, kind: 'bc-online', url: bcRoot, environmentName: sandbox.info.businessCentral.environment,
      company: null, tier: 'development', colour: DEMO_COLOUR, authMethod: 'client-secret', app: appSecret, userName: null,
      certificateThumbprint: null, secrets: { clientSecret: confidential.clientSecret! },
    },
    {
      name: `${DEMO_PREFIX}Microsoft 365 (Graph)`, kind: 'graph', url: graphRoot, environmentName: null, company: null,
      tier: 'development', colour: DEMO_COLOUR, authMethod: 'client-secret', app: app(GRAPH_CLIENT), userName: null,
      certificateThumbprint: null, secrets: { clientSecret: GRAPH_CLIENT.clientSecret! },
    },
    {
      name: `${DEMO_PREFIX}Microsoft 365 (Graph, admin sign-in)`, kind: 'graph', url: graphRoot, environmentName: null, company: null,
      tier: 'development', colour: DEMO_COLOUR, authMethod: 'device-code',
      app: { clientId: publicClient.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: 'http://localhost', authorityHost },
      userName: null, certificateThumbprint: null,
    },
    {
      name: `${DEMO_PREFIX}Commerce headquarters`, kind: 'commerce-hq', url: sandbox.info.commerce.url, environmentName: null, company: null,
      tier: 'development', colour: DEMO_COLOUR, authMethod: 'client-secret', app: app(COMMERCE_CLIENT), userName: null,
      certificateThumbprint: null, secrets: { clientSecret: COMMERCE_CLIENT.clientSecret! },
    },
  ];
  const existing = await store.list();
  for (const w of wanted) {
    const found = existing.find((p) => p.name === w.name);
    await store.save({ ...w, ...(found ? { id: found.id } : {}) });
  }
}
