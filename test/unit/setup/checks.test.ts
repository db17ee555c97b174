import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../../main/rpc/errors';
import { ServiceError } from '../../../main/http/errors';
import { BC_ROLE_IDS, SYSTEM_ADMINISTRATOR_TEMPLATE, compareVersions, evaluate, isSupportedCrmVersion, reportOk, type Facts } from '../../../main/integrations/sales/setup/checks';
import { classifyFailure } from '../../../main/integrations/sales/setup/service';

const USER_ID = '00000000-0000-4000-8000-000000000102';
const healthy = (): Facts => ({
  integrationUser: { kind: 'user', email: 'bc-integration@contoso.example' }, lcyCode: 'NOK', ownershipModel: 'person',
  connection: { ok: true, version: '9.2.24101.00000' }, clockSkewMs: 1200,
  user: {
    systemuserid: USER_ID, fullname: 'BC Integration', isdisabled: false, islicensed: true, accessmode: 0,
    roles: [{ roleid: BC_ROLE_IDS.administrator, name: 'A', roletemplateid: null }, { roleid: BC_ROLE_IDS.user, name: 'U', roletemplateid: null }],
  },
  bcRolesDeployed: true, solutionVersion: '24.0.0.0', requiredSolutionVersion: '24.0', lcyFound: true,
  probe: { connect: null, denied: [], readable: ['accounts', 'contacts'] },
  bc: { ok: true, major: 24, api: 'v2.0' }, uncoupledSalespeople: [],
});
const status = (f: Facts, id: string) => evaluate(f).find((x) => x.id === id)?.status;

describe('evaluate', () => {
  it('a healthy environment has no errors or warnings', () => {
    const out = evaluate(healthy());
    expect(out.filter((x) => x.status !== 'ok')).toEqual([]);
    expect(reportOk(out)).toBe(true);
  });

  it('flags each BC requirement on its own, with the one-click fix where the console can do it', () => {
    const f = healthy();
    f.user!.roles = [{ roleid: BC_ROLE_IDS.administrator, name: 'A', roletemplateid: null }];
    const bcRoles = evaluate(f).find((x) => x.id === 'user.bcRoles')!;
    expect(bcRoles.status).toBe('error');
    expect(bcRoles.fixAction).toEqual({ kind: 'assignRoles', params: { systemUserId: USER_ID, roleIds: [BC_ROLE_IDS.user] } });

    const g = healthy();
    g.lcyFound = false;
    g.lcyCode = 'eur';
    const lcy = evaluate(g).find((x) => x.id === 'currency.lcy')!;
    expect(lcy.fixAction).toEqual({ kind: 'createCurrency', params: { isoCode: 'EUR' } });
    expect(lcy.cause!.text).toBe('Your local currency code EUR does not match any ISO currency code in the Dataverse currency table.');

    const h = healthy();
    h.solutionVersion = null;
    expect(evaluate(h).find((x) => x.id === 'solution.installed')!.fixAction).toEqual({ kind: 'importSolution', params: { redeploy: false } });
    const i = healthy();
    i.solutionVersion = '23.5.0.0';
    const cur = evaluate(i).find((x) => x.id === 'solution.current')!;
    expect([cur.status, cur.fixAction]).toEqual(['warning', { kind: 'importSolution', params: { redeploy: true } }]);
  });

  it('the licence check is skipped for application users and enforced for interactive ones', () => {
    const f = healthy();
    f.user!.islicensed = false;
    expect(status(f, 'user.licensed')).toBe('error');
    f.user!.accessmode = 4;
    expect(status(f, 'user.licensed')).toBe('skipped');
  });

  it('stops after a failed admin connection and names consent / admin mode when that is the cause', () => {
    const f = healthy();
    f.connection = { ok: false, failure: { kind: 'consent', message: 'AADSTS65001' } };
    expect(evaluate(f).map((x) => [x.id, x.status])).toEqual([['dataverse.consent', 'error']]);
    f.connection = { ok: false, failure: { kind: 'admin-mode', message: 'admin only' } };
    expect(evaluate(f).map((x) => x.id)).toEqual(['environment.adminMode']);
  });

  it('clock skew beyond five minutes warns', () => {
    const f = healthy();
    f.clockSkewMs = -6 * 60_000;
    const c = evaluate(f).find((x) => x.id === 'clock.skew')!;
    expect(c.status).toBe('warning');
    expect(c.cause!.params.minutes).toBe(6);
    f.clockSkewMs = null;
    expect(status(f, 'clock.skew')).toBe('skipped');
  });

  it('BC before v16 warns and points at the connection-string path', () => {
    const f = healthy();
    f.bc = { ok: true, major: 14, api: 'odatav4' };
    expect(evaluate(f).find((x) => x.id === 'bc.version')!.fix!.code).toBe('fix.bcLegacy');
  });

  it('property: System Administrator is an error exactly when a role carries its template, and then a reset is offered', () => {
    const role = fc.record({
      roleid: fc.uuid(), name: fc.string(), roletemplateid: fc.oneof(fc.constant(null), fc.uuid(), fc.constant(SYSTEM_ADMINISTRATOR_TEMPLATE.toUpperCase())),
    });
    fc.assert(fc.property(fc.array(role, { maxLength: 6 }), fc.boolean(), fc.boolean(), (roles, disabled, deployed) => {
      const f = healthy();
      f.user!.roles = roles;
      f.user!.isdisabled = disabled;
      f.bcRolesDeployed = deployed;
      const out = evaluate(f);
      const admin = roles.some((r) => r.roletemplateid?.toLowerCase() === SYSTEM_ADMINISTRATOR_TEMPLATE);
      const finding = out.find((x) => x.id === 'user.notSystemAdministrator')!;
      expect(finding.status).toBe(admin ? 'error' : 'ok');
      expect(finding.fixAction?.kind ?? null).toBe(admin ? 'resetRoles' : null);
      // Any error makes the report not ok; no error → ok.
      expect(reportOk(out)).toBe(!out.some((x) => x.status === 'error'));
      if (disabled || admin || roles.length === 0) expect(reportOk(out)).toBe(false);
      // Every finding that is not ok explains itself.
      for (const x of out) if (x.status === 'error' || x.status === 'warning') expect(x.cause && x.fix).toBeTruthy();
    }));
  });
});

describe('versions', () => {
  it('CRM version rule: major > 6 and not 7.1', () => {
    expect(['9.2.24101.1', '8.2', '7.0.1', '9.0'].map(isSupportedCrmVersion)).toEqual([true, true, true, true]);
    expect(['6.1.0', '7.1.0.0', 'x', ''].map(isSupportedCrmVersion)).toEqual([false, false, false, false]);
  });
  it('compareVersions is a consistent order', () => {
    const v = fc.array(fc.nat(30), { minLength: 1, maxLength: 4 }).map((a) => a.join('.'));
    fc.assert(fc.property(v, v, v, (a, b, c) => {
      expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
      if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
    }));
    expect(compareVersions('9.10', '9.9')).toBe(1);
    expect(compareVersions('24.0', '24.0.0.0')).toBe(0);
  });
});

describe('classifyFailure', () => {
  it('recognises admin mode, consent, privilege and sign-in failures', () => {
    expect(classifyFailure(new ServiceError(403, '0x8004e00c', 'The organization is in administration mode')).kind).toBe('admin-mode');
    expect(classifyFailure(new AppFailure('AUTH_CONSENT_MISSING', 'no consent')).kind).toBe('consent');
    expect(classifyFailure(new ServiceError(400, 'invalid_grant', 'AADSTS65001: The user or administrator has not consented')).kind).toBe('consent');
    expect(classifyFailure(new ServiceError(403, '0x80040220', 'missing prvReadAccount')).kind).toBe('privilege');
    expect(classifyFailure(new ServiceError(401, 'HTTP_401', 'expired')).kind).toBe('sign-in');
    expect(classifyFailure(new Error('boom'))).toEqual({ kind: 'other', message: 'boom' });
  });
});
