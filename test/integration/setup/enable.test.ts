/**
 * A fresh environment without the BC integration solution: the pre-flight finds it missing, Redeploy (with preview)
 * imports it and associates the roles, then the A.4 enable sequence creates the default mappings and jobs,
 * writes nav_connection and the sales-order flag; disable reverses what A.4 says it reverses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvancedSettings, PreflightInput } from '../../../preload/contract/sales/setup';
import type { DataverseClient } from '../../../main/clients';
import { startBusinessCentral, type BusinessCentralService } from '../../../main/sandbox/bc';
import { startDataverse, type DataverseService } from '../../../main/sandbox/dataverse';
import { startIdentity, type IdentityService } from '../../../main/sandbox/identity';
import { SANDBOX_CLIENTS } from '../../../main/sandbox/directory';
import { defaultJobs } from '../../../main/integrations/sales/mappings/jobs';
import { MappingStore } from '../../../main/integrations/sales/mappings/store';
import { JobQueue } from '../../../main/kernel/jobs/queue';
import { heldForInitialSync } from '../../../main/integrations/sales/sync/service/initial-hold';
import { DEFAULT_DRAFT } from '../../../main/integrations/sales/setup/state';
import { mappingOptionsFrom, SALES_MAPPING_SET, type SetupService } from '../../../main/integrations/sales/setup/service';
import type { Db } from '../../../main/db/database';
import { AppFailure } from '../../../main/rpc/errors';
import { appUser, setupService } from './harness';

let identity: IdentityService;
let dv: DataverseService;
let bc: BusinessCentralService;
let service: SetupService;
let db: Db;
let admin: DataverseClient;
const confidential = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;

const input = (over: Partial<PreflightInput> = {}): PreflightInput => ({
  dataverseProfileId: 'admin', integrationProfileId: 'integration', bcProfileId: 'bc', bcCompanyId: null,
  integrationUser: appUser, lcyCode: 'NOK', ownershipModel: 'team', ...over,
});
const advanced: AdvancedSettings = { ...DEFAULT_DRAFT.advanced, ownershipModel: 'team', legacySalesOrders: true, bcWebClientUrl: 'https://businesscentral.dynamics.com/nordlys/Sandbox' };

beforeAll(async () => {
  identity = await startIdentity({ port: 0 });
  dv = await startDataverse({ port: 0, authenticate: identity.authenticate, authority: identity.authority, seed: 'demo', solutionImported: false });
  bc = await startBusinessCentral({ port: 0, authenticate: identity.authenticate, seed: 'demo', records: 5 });
  const info = { identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint }, clients: { integration: { clientId: confidential.clientId, clientSecret: confidential.clientSecret! } } };
  const s = setupService({ dataverseUrl: dv.url, dataverseApiBase: dv.apiBase, bcApiBase: bc.apiBase, info });
  service = s.service;
  db = s.db;
  admin = await s.dataverse('admin');
}, 60_000);
afterAll(async () => {
  await bc?.close();
  await dv?.close();
  await identity?.close();
});

describe('solution missing → redeploy → enable → disable', () => {
  it('reports the missing solution with an import fix, and the integration user without roles', async () => {
    const r = await service.preflight(input());
    const sol = r.findings.find((f) => f.id === 'solution.installed')!;
    expect(sol.status).toBe('error');
    expect(sol.fixAction).toEqual({ kind: 'importSolution', params: { redeploy: false } });
    expect(r.findings.find((f) => f.id === 'user.hasRoles')!.status).toBe('error');
    expect(r.findings.find((f) => f.id === 'user.bcRoles')!.status).toBe('skipped');
    expect(r.ok).toBe(false);
  });

  it('enable refuses while a check fails and says which one', async () => {
    const err = await service.enable(input(), { ...advanced, importSolution: false }, 24, true).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AppFailure);
    expect((err as AppFailure).code).toBe('SETUP_PREFLIGHT_FAILED');
    expect(new MappingStore(db).findByName(SALES_MAPPING_SET)).toBeNull();
  });

  it('previews the redeploy, then imports the solution and associates both roles', async () => {
    const preview = await service.previewRedeploy('admin', appUser);
    expect(preview.blockers).toEqual([]);
    expect(preview.changes.map((c) => c.kind)).toEqual(['import-solution', 'add-role', 'add-role']);
    const done = await service.redeploy('admin', appUser);
    expect(done.changes).toEqual(preview.changes);
    const r = await service.preflight(input());
    expect(r.findings.filter((f) => f.status === 'error')).toEqual([]);
    expect(r.findings.find((f) => f.id === 'solution.current')!.status).toBe('ok');
    // Nothing left to do: a second preview only re-imports.
    expect((await service.previewRedeploy('admin', appUser)).changes.map((c) => c.kind)).toEqual(['import-solution']);
  });

  it('previews what enabling creates, enables, and names what a second enable would overwrite', async () => {
    const plan = service.previewEnable(advanced, 24);
    const options = mappingOptionsFrom(advanced, 24);
    expect(plan.jobs).toEqual(defaultJobs(options).map((j) => j.name));
    expect(plan.mappings).not.toContain('SALESPEOPLE'); // Team ownership removes it (E.11)
    expect(plan.overwrites).toEqual({ mappings: [], jobs: [] });
    const res = await service.enable(input(), advanced, 24, false);
    expect(res.status.enabled).toBe(true);
    expect(res.status.solutionVersion).toBe('24.0.0.0');
    const stored = new MappingStore(db).findByName(SALES_MAPPING_SET)!;
    expect(new MappingStore(db).load(stored).set.mappings.map((m) => m.name)).toEqual(plan.mappings);
    expect(new JobQueue(db, { now: () => Date.now() }).list().map((j) => j.name).sort()).toEqual([...plan.jobs].sort());
    // Issue 11: the recurring entries wait On Hold for the initial synchronization (the full synchronization review).
    const entries = new JobQueue(db, { now: () => Date.now() }).list().filter((j) => j.recurring);
    expect(entries.length).toBeGreaterThan(0);
    for (const j of entries) expect(j.status, j.name).toBe('On Hold');
    expect(heldForInitialSync(db).map((h) => h.name).sort()).toEqual(entries.map((j) => j.name).sort());
    const nav = await admin.retrieveAll<{ nav_dynamicsnavurl: string }>('nav_connections', { select: ['nav_dynamicsnavurl'] });
    expect(nav[0]!.nav_dynamicsnavurl).toBe(advanced.bcWebClientUrl);
    const org = await admin.retrieveAll<{ issopintegrationenabled: boolean }>('organizations', { select: ['issopintegrationenabled'] });
    expect(org[0]!.issopintegrationenabled).toBe(true);

    const second = service.previewEnable(advanced, 24);
    expect(second.overwrites.mappings).toEqual(plan.mappings);
    expect(second.overwrites.jobs.length).toBe(plan.jobs.length);
    expect(second.confirmation.code).toBe('enable.confirmOverwrite');
    await expect(service.enable(input(), advanced, 24, false)).rejects.toMatchObject({ code: 'SETUP_CONFIRM_OVERWRITE' });
    await expect(service.enable(input(), { ...advanced, bidirectionalSalesOrders: true }, 24, true)).rejects.toMatchObject({ code: 'SETUP_SO_MODES_EXCLUSIVE' });
  });

  it('redeploy is refused while the Sales connection is enabled (A.1 page action rule)', async () => {
    const preview = await service.previewRedeploy('admin', appUser);
    expect(preview.blockers.map((b) => b.code)).toEqual(['blocker.enabled']);
    await expect(service.redeploy('admin', appUser)).rejects.toMatchObject({ code: 'SETUP_REDEPLOY_BLOCKED' });
  });

  it('disable puts the Sales jobs on hold and clears the BC URL in nav_connection', async () => {
    const res = await service.disable('admin');
    expect(res.status.enabled).toBe(false);
    expect(res.jobsOnHold.length).toBeGreaterThan(0);
    const queue = new JobQueue(db, { now: () => Date.now() });
    for (const name of res.jobsOnHold) expect(queue.get(name)!.status).toBe('On Hold');
    const nav = await admin.retrieveAll<{ nav_dynamicsnavurl: string }>('nav_connections', { select: ['nav_dynamicsnavurl'] });
    expect(nav[0]!.nav_dynamicsnavurl).toBe('');
    expect(service.state.status().enabled).toBe(false);
  });
});

describe('enable with "Import solution" on (wizard Finish)', () => {
  it('imports the missing solution, associates both roles and enables in one go', async () => {
    const fresh = await startDataverse({ port: 0, authenticate: identity.authenticate, authority: identity.authority, seed: 'empty', solutionImported: false });
    try {
      const info = { identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint }, clients: { integration: { clientId: confidential.clientId, clientSecret: confidential.clientSecret! } } };
      const s = setupService({ dataverseUrl: fresh.url, dataverseApiBase: fresh.apiBase, bcApiBase: bc.apiBase, info });
      const before = await s.service.preflight(input());
      expect(before.findings.find((f) => f.id === 'solution.installed')!.status).toBe('error');
      const res = await s.service.enable(input(), { ...advanced, importSolution: true }, 24, false);
      expect(res.status.enabled).toBe(true);
      expect(res.report.ok).toBe(true);
      expect(res.report.findings.find((f) => f.id === 'user.bcRoles')!.status).toBe('ok');
    } finally {
      await fresh.close();
    }
  });
});
