/** The pre-flight finding bc.companionExtension (issue 18), from facts alone. */
import { describe, expect, it } from 'vitest';
import { BC_ROLE_IDS, evaluate, type Facts } from '../../../main/integrations/sales/setup/checks';

const impact = { unavailable: ['OPPORTUNITY', 'POSTEDSALESINV-INV'], degraded: [{ mapping: 'CUSTOMER', fields: ['Contact', 'Fax No.'] }, { mapping: 'ITEM-PRODUCT', fields: ['Unit Volume'] }] };
const facts = (companion: Facts['companion'], major = 24): Facts => ({
  integrationUser: { kind: 'application', applicationId: '00000000-0000-4000-8000-000000000001' }, lcyCode: 'NOK', ownershipModel: 'team',
  connection: { ok: true, version: '9.2.24101.00000' }, clockSkewMs: 0,
  user: { systemuserid: 'u', fullname: 'App', isdisabled: false, islicensed: false, accessmode: 4,
    roles: [{ roleid: BC_ROLE_IDS.administrator, name: 'A', roletemplateid: null }, { roleid: BC_ROLE_IDS.user, name: 'U', roletemplateid: null }] },
  bcRolesDeployed: true, solutionVersion: `${major}.0.0.0`, requiredSolutionVersion: `${major}.0`, lcyFound: true, probe: null,
  bc: { ok: true, major, api: 'v2.0' }, uncoupledSalespeople: null, companion,
});
const finding = (f: Facts) => evaluate(f).find((x) => x.id === 'bc.companionExtension');

describe('bc.companionExtension', () => {
  it('installed: ok with the version (or without one when only its API answered)', () => {
    expect(finding(facts({ state: 'installed', version: '1.0.0.0', minimumVersion: '1.0.0.0', source: 'extensions', impact }))).toMatchObject({ status: 'ok', title: { code: 'check.companionOk', params: { version: '1.0.0.0' } } });
    expect(finding(facts({ state: 'installed', version: null, minimumVersion: '1.0.0.0', source: 'api', impact }))!.title.code).toBe('check.companionApi');
  });

  it('missing: a warning (not blocking) listing what cannot run and what runs degraded, and how to install it', () => {
    const f = finding(facts({ state: 'missing', version: null, minimumVersion: '1.0.0.0', source: 'extensions', impact }))!;
    expect(f.status).toBe('warning');
    expect(f.cause).toMatchObject({ code: 'cause.companionMissing', params: { unavailableCount: 2, unavailable: 'OPPORTUNITY, POSTEDSALESINV-INV', degradedCount: 2, degraded: 'CUSTOMER (Contact, Fax No.); ITEM-PRODUCT (Unit Volume)' } });
    expect(f.fix!.code).toBe('fix.companion');
    for (const s of ['bc-extension', 'Upload Extension', 'Publish-NAVApp', 'D365IC INTEGRATION']) expect(f.fix!.text).toContain(s);
  });

  it('older than the console needs: a warning with both versions', () => {
    const f = finding(facts({ state: 'outdated', version: '0.9.0.0', minimumVersion: '1.0.0.0', source: 'extensions', impact }))!;
    expect(f).toMatchObject({ status: 'warning', cause: { code: 'cause.companionOutdated', params: { version: '0.9.0.0', minimum: '1.0.0.0' } }, fix: { code: 'fix.companion' } });
  });

  it('missing on a BC older than the extension supports: the fix says to upgrade first', () => {
    const f = finding(facts({ state: 'missing', version: null, minimumVersion: '1.0.0.0', source: 'api', impact }, 17))!;
    expect(f.fix).toMatchObject({ code: 'fix.companionUpgrade', params: { required: 19, major: 17 } });
  });

  it('unknown: skipped with the reason; absent on the connection-string path', () => {
    expect(finding(facts({ state: 'unknown', version: null, minimumVersion: '1.0.0.0', source: 'api', detail: 'timeout', impact }))).toMatchObject({ status: 'skipped', cause: { code: 'cause.companionUnknown' } });
    const legacy = facts(null);
    legacy.bc = { ok: true, major: 14, api: 'odatav4' };
    expect(finding(legacy)).toBeUndefined();
  });
});
