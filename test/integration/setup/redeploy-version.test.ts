/**
 * Redeploy imports the solution version of the Business Central it is set up for (A.6: the solution follows the
 * BC platform major), and its preview says that same version — here a BC 16 against an environment without the solution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataverseClient } from '../../../main/clients';
import { startBusinessCentral, type BusinessCentralService } from '../../../main/sandbox/bc';
import { startDataverse, type DataverseService } from '../../../main/sandbox/dataverse';
import { SANDBOX_CLIENTS } from '../../../main/sandbox/directory';
import { startIdentity, type IdentityService } from '../../../main/sandbox/identity';
import { createSetupHandlers } from '../../../main/integrations/sales/setup/handlers';
import type { SetupService } from '../../../main/integrations/sales/setup/service';
import { setupMethods } from '../../../preload/contract/sales/setup';
import { appUser, setupService } from './harness';

let identity: IdentityService;
let dv: DataverseService;
let bc: BusinessCentralService;
let service: SetupService;
let admin: DataverseClient;
const confidential = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;

beforeAll(async () => {
  identity = await startIdentity({ port: 0 });
  dv = await startDataverse({ port: 0, authenticate: identity.authenticate, authority: identity.authority, seed: 'demo', solutionImported: false });
  bc = await startBusinessCentral({ port: 0, authenticate: identity.authenticate, seed: 'demo', records: 2, version: 16 });
  const info = { identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint }, clients: { integration: { clientId: confidential.clientId, clientSecret: confidential.clientSecret! } } };
  const s = setupService({ dataverseUrl: dv.url, dataverseApiBase: dv.apiBase, bcApiBase: bc.apiBase, info });
  service = s.service;
  admin = await s.dataverse('admin');
}, 60_000);
afterAll(async () => {
  await bc?.close();
  await dv?.close();
  await identity?.close();
});

describe('redeploy with the Business Central profile', () => {
  it('previews and imports the BC 16 solution version (the contract keeps bcProfileId optional)', async () => {
    const handlers = createSetupHandlers({ service });
    const withoutBc = setupMethods['setup.previewRedeploy'].input.parse({ dataverseProfileId: 'admin', integrationUser: appUser });
    expect(withoutBc.bcProfileId).toBeNull();
    const fallback = await handlers['setup.previewRedeploy'](withoutBc);
    expect(fallback.changes[0]!.message).toMatchObject({ code: 'change.importSolution', params: { version: '24.0.0.0' } });

    const input = setupMethods['setup.previewRedeploy'].input.parse({ dataverseProfileId: 'admin', integrationUser: appUser, bcProfileId: 'bc' });
    const preview = await handlers['setup.previewRedeploy'](input);
    expect(preview.changes[0]!.message).toMatchObject({ code: 'change.importSolution', params: { version: '16.0.0.0' } });
    await handlers['setup.redeploy'](input);
    const rows = await admin.retrieveAll<{ version: string }>('solutions', { filter: "uniquename eq 'MicrosoftDynamicsNavIntegration'", select: ['version'] });
    expect(rows.map((r) => r.version)).toEqual(['16.0.0.0']);
  });
});
