/**
 * Every pre-flight failure path, triggered by breaking the real sandbox on purpose, and each one-click fix proven
 * by the re-check turning green.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightInput, PreflightReport, SetupFinding } from '../../../preload/contract/sales/setup';
import type { DataverseClient } from '../../../main/clients';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { ROLE_IDS, SANDBOX_CLIENTS } from '../../../main/sandbox/directory';
import { nameGuid } from '../../../main/sandbox/dataverse/security';
import type { SetupService } from '../../../main/integrations/sales/setup/service';
import { APP_USER_ID, appUser, setupService } from './harness';

let sb: Sandbox;
let service: SetupService;
let admin: DataverseClient;
const SYSADMIN_ROLE = nameGuid('role:System Administrator');

const input = (over: Partial<PreflightInput> = {}): PreflightInput => ({
  dataverseProfileId: 'admin', integrationProfileId: 'integration', bcProfileId: 'bc', bcCompanyId: null,
  integrationUser: appUser, lcyCode: 'NOK', ownershipModel: 'person', ...over,
});
const byId = (r: PreflightReport, id: string): SetupFinding => {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}; got ${r.findings.map((x) => x.id).join(', ')}`);
  return f;
};
const errors = (r: PreflightReport) => r.findings.filter((f) => f.status === 'error').map((f) => f.id);
const rolesOf = async (userId: string) => {
  const r = await admin.retrieve<{ systemuserroles_association: { roleid: string }[] }>('systemusers', userId, { select: ['systemuserid'], expand: 'systemuserroles_association($select=roleid)' });
  return r.notModified ? [] : r.row.systemuserroles_association.map((x) => x.roleid).sort();
};

beforeAll(async () => {
  sb = await startSandbox({ seed: 'demo' });
  const s = setupService({ dataverseUrl: sb.info.dataverse.url, dataverseApiBase: sb.info.dataverse.apiBase, bcApiBase: sb.info.businessCentral.apiBase, info: sb.info });
  service = s.service;
  admin = await s.dataverse('admin');
}, 60_000);
afterAll(async () => {
  await sb?.close();
});
afterEach(() => {
  sb.dataverse.setAdminMode(false);
});

describe('pre-flight against a healthy sandbox', () => {
  it('passes every BC check and tries a harmless read per mapped table as the integration user', async () => {
    const r = await service.preflight(input());
    expect(errors(r)).toEqual([]);
    expect(r.ok).toBe(true);
    for (const id of ['dataverse.connection', 'dataverse.version', 'clock.skew', 'user.exists', 'user.enabled', 'user.hasRoles', 'user.notSystemAdministrator',
      'user.bcRoles', 'solution.installed', 'currency.lcy', 'environment.adminMode', 'privileges.read', 'bc.version']) {
      expect(byId(r, id).status, id).toBe('ok');
    }
    // Application users need no licence: BC skips that check for OAuth users too.
    expect(byId(r, 'user.licensed').status).toBe('skipped');
    expect(Number(byId(r, 'privileges.read').title.params.count)).toBeGreaterThanOrEqual(10);
    // Ola Lund (OL) has no Dataverse user in the demo data, so Person ownership warns (F.3).
    const sp = byId(r, 'salespeople.coupled');
    expect(sp.status).toBe('warning');
    expect(sp.cause!.text).toContain('OL');
  });
});

describe('failure paths and one-click fixes', () => {
  it('a removed BC role → error with assignRoles; the fix re-assigns it and the re-check is green', async () => {
    await admin.disassociate('systemusers', APP_USER_ID, 'systemuserroles_association', ROLE_IDS.bcIntegrationUser);
    const r = await service.preflight(input());
    const f = byId(r, 'user.bcRoles');
    expect(f.status).toBe('error');
    expect(f.cause!.text).toContain('Dynamics 365 Business Central Integration User');
    expect(f.fixAction).toEqual({ kind: 'assignRoles', params: { systemUserId: APP_USER_ID, roleIds: [ROLE_IDS.bcIntegrationUser] } });
    const fixed = await service.applyFix(f.fixAction!, input());
    expect(fixed.applied.code).toBe('applied.assignRoles');
    expect(byId(fixed.report, 'user.bcRoles').status).toBe('ok');
    expect(fixed.report.ok).toBe(true);
  });

  it('integration user made System Administrator → error with resetRoles; preview names the role, the fix removes it', async () => {
    await admin.associate('systemusers', APP_USER_ID, 'systemuserroles_association', 'roles', SYSADMIN_ROLE);
    const r = await service.preflight(input());
    const f = byId(r, 'user.notSystemAdministrator');
    expect(f.status).toBe('error');
    expect(f.fixAction).toEqual({ kind: 'resetRoles', params: { systemUserId: APP_USER_ID } });
    const preview = await service.previewResetRoles('admin', appUser);
    expect(preview.blockers).toEqual([]);
    expect(preview.changes.map((c) => [c.kind, c.message.params.role])).toEqual([['remove-role', 'System Administrator']]);
    const fixed = await service.applyFix(f.fixAction!, input());
    expect(byId(fixed.report, 'user.notSystemAdministrator').status).toBe('ok');
    expect(await rolesOf(APP_USER_ID)).toEqual([ROLE_IDS.bcIntegrationUser, ROLE_IDS.bcIntegrationAdministrator].sort());
  });

  it('no roles at all → the integration user\'s reads are refused (privileges actually usable), reset roles repairs both', async () => {
    await admin.disassociate('systemusers', APP_USER_ID, 'systemuserroles_association', ROLE_IDS.bcIntegrationUser);
    await admin.disassociate('systemusers', APP_USER_ID, 'systemuserroles_association', ROLE_IDS.bcIntegrationAdministrator);
    const r = await service.preflight(input());
    expect(byId(r, 'user.hasRoles').status).toBe('error');
    const denied = r.findings.filter((x) => x.id.startsWith('privileges.') && x.status === 'error');
    expect(denied.map((x) => x.id)).toContain('privileges.accounts');
    expect(denied[0]!.cause!.text).toMatch(/missing prvRead/);
    const reset = await service.resetRoles('admin', appUser);
    expect(reset.changes.filter((c) => c.kind === 'add-role')).toHaveLength(2);
    const again = await service.preflight(input());
    expect(errors(again)).toEqual([]);
  });

  it('local currency missing in Dataverse → error with createCurrency; the fix creates it', async () => {
    const sek = await admin.retrieveAll<{ transactioncurrencyid: string }>('transactioncurrencies', { filter: "isocurrencycode eq 'SEK'", select: ['transactioncurrencyid'] });
    await admin.delete('transactioncurrencies', sek[0]!.transactioncurrencyid);
    const r = await service.preflight(input({ lcyCode: 'sek' }));
    const f = byId(r, 'currency.lcy');
    expect(f.status).toBe('error');
    expect(f.cause!.text).toContain('SEK');
    expect(f.fixAction).toEqual({ kind: 'createCurrency', params: { isoCode: 'SEK' } });
    const fixed = await service.applyFix(f.fixAction!, input({ lcyCode: 'sek' }));
    expect(byId(fixed.report, 'currency.lcy').status).toBe('ok');
  });

  it('administration mode → error found through the integration user (no one-click fix; says where to turn it off)', async () => {
    sb.dataverse.setAdminMode(true);
    const r = await service.preflight(input());
    const f = byId(r, 'environment.adminMode');
    expect(f.status).toBe('error');
    expect(f.fixAction).toBeNull();
    expect(f.fix!.text).toMatch(/Administration mode off/);
    sb.dataverse.setAdminMode(false);
    expect(byId(await service.preflight(input()), 'environment.adminMode').status).toBe('ok');
  });

  it('missing consent for the admin sign-in app → consent finding, nothing else is tried', async () => {
    const publicClient = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!.clientId;
    sb.identity.authorityState.setKnobs({ consentMissing: [publicClient] });
    try {
      const r = await service.preflight(input());
      expect(r.findings.map((f) => [f.id, f.status])).toEqual([['dataverse.consent', 'error']]);
      expect(r.findings[0]!.cause!.text).toContain('AADSTS65001');
    } finally {
      sb.identity.authorityState.setKnobs({ consentMissing: [] });
    }
    expect((await service.preflight(input())).findings[0]).toMatchObject({ id: 'dataverse.connection', status: 'ok' });
  });

  it('a disabled or unknown integration user is reported with a plain cause', async () => {
    const kari = 'kari.nordmann@nordlys.example';
    await admin.update('systemusers', '00000000-0000-4000-8000-000000000103', { isdisabled: true, islicensed: false });
    try {
      const r = await service.preflight(input({ integrationProfileId: null, integrationUser: { kind: 'user', email: kari } }));
      expect(byId(r, 'user.enabled').status).toBe('error');
      expect(byId(r, 'user.licensed').status).toBe('error');
      expect(byId(r, 'user.bcRoles').status).toBe('error');
      expect(byId(r, 'privileges.read').status).toBe('skipped');
    } finally {
      await admin.update('systemusers', '00000000-0000-4000-8000-000000000103', { isdisabled: false, islicensed: true });
    }
    // A quote in the address must not break (or inject into) the $filter.
    const r2 = await service.preflight(input({ integrationUser: { kind: 'user', email: "o'brien@nordlys.example' or true" }, integrationProfileId: null }));
    expect(byId(r2, 'user.exists').status).toBe('error');
  });
});

describe('salespeople', () => {
  it('lists both sides, suggests by e-mail, and coupling clears the pre-flight warning for them', async () => {
    const view = await service.salespeople('admin', 'bc', null);
    expect(view.bc.map((s) => s.code).sort()).toEqual(['AV', 'JDV', 'KN', 'OL']);
    expect(view.dataverse.every((u) => u.email === null || u.email.includes('@'))).toBe(true);
    const byCode = new Map(view.bc.map((s) => [s.id, s.code]));
    const sugg = view.suggestions.map((s) => [byCode.get(s.bcId), s.dvId, s.by]).sort();
    expect(sugg).toEqual([
      ['AV', '00000000-0000-4000-8000-000000000105', 'email'],
      ['JDV', '00000000-0000-4000-8000-000000000104', 'email'],
      ['KN', '00000000-0000-4000-8000-000000000103', 'email'],
    ]);
    expect(view.explanation.text).toMatch(/must be coupled/);
    const res = service.coupleSalespeople(view.suggestions.map((s) => ({ bcId: s.bcId, dvId: s.dvId })));
    expect(res).toEqual({ coupled: 3, replaced: 0 });
    const again = await service.salespeople('admin', 'bc', null);
    expect(again.suggestions).toEqual([]);
    expect(again.bc.filter((s) => s.coupledTo).length).toBe(3);
    const r = await service.preflight(input());
    expect(byId(r, 'salespeople.coupled').cause!.params.count).toBe(1);
  });
});
