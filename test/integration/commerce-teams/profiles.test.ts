/**
 * `--profile NAME` twice: the engine's clients from two connection profiles of a console data folder (SQLite store,
 * key-file secrets), signing in with client secrets through main/connections against the sandbox's identity service.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sandbox from '../../../main/sandbox';
import { SANDBOX_TENANT_ID } from '../../../main/sandbox/tenant';
import { connectProfileNames, parseTeamsConnectionArgs, TeamsUsageError } from '../../../main/integrations/commerce-teams/connect';
import { TeamsEngine } from '../../../main/integrations/commerce-teams/engine';
import { TeamLinkStore } from '../../../main/integrations/commerce-teams/links';
import { fetchTrustingCa } from '../../../main/clients/graph';
import { ConnectionStore } from '../../../main/connections';
import { openDatabase } from '../../../main/db/database';
import { databaseFile, keyFile } from '../../../main/platform/paths';
import { DbSecretStore } from '../../../main/secrets/store';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';

const AUTHORITY = 'https://login.sandbox.localhost';
let sb: Awaited<ReturnType<typeof sandbox.startSandbox>>;
let dir: string;

beforeAll(async () => {
  sb = await sandbox.startSandbox({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'd365ic-teams-profiles-'));
  const { db } = openDatabase(databaseFile(dir));
  const store = new ConnectionStore(db, new DbSecretStore(db, new KeyFileCipher(keyFile(dir))));
  const common = { environmentName: null, company: null, tier: 'test' as const, colour: '#1565c0', authMethod: 'client-secret' as const, userName: null, certificateThumbprint: null };
  await store.save({ ...common, name: 'HQ', kind: 'commerce-hq', url: sb.info.commerce.url, app: { clientId: sb.info.clients.commerce.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: AUTHORITY }, secrets: { clientSecret: sb.info.clients.commerce.clientSecret } });
  await store.save({ ...common, name: 'M365', kind: 'graph', url: new URL(sb.info.graph.url).origin, app: { clientId: sb.info.clients.graph.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: AUTHORITY }, secrets: { clientSecret: sb.info.clients.graph.clientSecret } });
  await store.save({ ...common, name: 'Other', kind: 'dataverse', url: 'https://org.crm4.dynamics.com', app: { clientId: sb.info.clients.graph.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: AUTHORITY }, secrets: { clientSecret: 'x' } });
  db.close();
});
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('teams connection from two profiles', () => {
  it('plans from the profiles named in any order', async () => {
    const { conn } = parseTeamsConnectionArgs(['--profile', 'M365', '--profile=HQ', '--data-dir', dir]);
    expect(conn).toEqual({ profiles: ['M365', 'HQ'], sandboxInfo: null, dataDir: dir });
    const c = await connectProfileNames(conn.profiles, dir, { routes: [{ authorityHost: AUTHORITY, target: sb.identity.url }], graphFetch: fetchTrustingCa(readFileSync(sb.info.graph.caFile, 'utf8')) });
    try {
      expect(c.source).toEqual({ kind: 'profiles', commerce: 'HQ', graph: 'M365' });
      const { db } = openDatabase(':memory:');
      const plan = await new TeamsEngine({ commerce: c.commerce, graph: c.graph, graphAuthorization: c.graphAuthorization, links: new TeamLinkStore(db, 'x'), sleep: async () => undefined }).plan();
      expect(plan.stores).toHaveLength(30);
      expect(plan.findings.map((f) => f.code)).not.toContain('TEAMS_GRAPH_PERMISSION_MISSING');
      db.close();
    } finally {
      await c.close();
    }
  });

  it('says which profile is wrong or missing; bad option combinations are usage errors', async () => {
    await expect(connectProfileNames(['HQ', 'Other'], dir)).rejects.toMatchObject({ code: 'TEAMS_PROFILE_WRONG_KIND' });
    await expect(connectProfileNames(['HQ'], dir)).rejects.toMatchObject({ code: 'TEAMS_PROFILE_NOT_FOUND' });
    await expect(connectProfileNames(['HQ', 'Nope'], dir)).rejects.toMatchObject({ code: 'TEAMS_PROFILE_NOT_FOUND' });
    expect(() => parseTeamsConnectionArgs([])).toThrow(TeamsUsageError);
    expect(() => parseTeamsConnectionArgs(['--profile', 'a', '--sandbox-info', 'f'])).toThrow(TeamsUsageError);
    expect(() => parseTeamsConnectionArgs(['--profile'])).toThrow(TeamsUsageError);
  });
});
