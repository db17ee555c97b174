import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETUP_DRAFT, type AdvancedSettings, type SetupDraft } from '../../preload/contract/sales/setup';
import {
  ADVANCED_FLAGS,
  advancedProblem,
  allowedSdkVersions,
  enableBlockers,
  lockedFlags,
  nextBlocker,
  preflightInputOf,
  railState,
  toggleAdvanced,
  withAllowedSdk,
  withDemoDefaults,
} from '../../renderer/pages/sales/setup/logic';
import { APP_CLIENT_ID, demoProfiles, finding, m, report } from './setup-fixtures';

const A = DEFAULT_SETUP_DRAFT.advanced;

describe('setup rules', () => {
  it('no sequence of toggles (of unlocked switches) reaches a combination main refuses', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...ADVANCED_FLAGS), fc.boolean()), { maxLength: 30 }), (moves) => {
        let a: AdvancedSettings = A;
        for (const [flag, on] of moves) {
          // The UI disables locked switches, so those clicks never happen.
          if (lockedFlags(a)[flag]) continue;
          a = toggleAdvanced(a, flag, on);
          expect(a.legacySalesOrders && a.bidirectionalSalesOrders).toBe(false);
          expect(a.autoCreateSalesOrders && !a.legacySalesOrders).toBe(false);
          expect(a.itemAvailability && !a.importSolution).toBe(false);
          expect(advancedProblem({ ...DEFAULT_SETUP_DRAFT, advanced: a })).toBeNull();
        }
      }),
    );
  });

  it('locks auto-create without legacy orders, item availability without the import, unit groups while enabled', () => {
    expect(lockedFlags(A)).toEqual({ autoCreateSalesOrders: 'adv.locked.autoCreateNeedsLegacy' });
    expect(lockedFlags({ ...A, legacySalesOrders: true, importSolution: false })).toEqual({ itemAvailability: 'adv.locked.itemNeedsSolution' });
    expect(lockedFlags({ ...A, legacySalesOrders: true }, true)).toEqual({ unitGroupMapping: 'adv.locked.unitGroupWhileEnabled' });
  });

  it('offers the SDK versions main accepts and moves the draft to the highest one when its value is not offered', () => {
    const onprem14: SetupDraft = { ...DEFAULT_SETUP_DRAFT, bc: { kind: 'onprem', url: null, userName: null, profileId: null }, bcVersion: { major: 14, api: 'odatav4', path: 'connection-string' } };
    expect(allowedSdkVersions(onprem14)).toEqual([8, 9, 91]);
    expect(withAllowedSdk(onprem14).advanced.sdkVersion).toBe(91);
    // An online environment on the connection-string path is offered what detectBc offers (not just 100).
    expect(allowedSdkVersions({ ...onprem14, bc: DEFAULT_SETUP_DRAFT.bc })).toEqual([8, 9, 91]);
    expect(allowedSdkVersions(DEFAULT_SETUP_DRAFT)).toEqual([100]);
    const kept = { ...onprem14, advanced: { ...A, sdkVersion: 9 as const } };
    expect(withAllowedSdk(kept)).toBe(kept);
  });

  it('says why Next is blocked per step, and nothing once the step is complete', () => {
    const ctx = { dataverseSignedIn: false, report: null };
    const d = (patch: Partial<SetupDraft>): SetupDraft => ({ ...DEFAULT_SETUP_DRAFT, ...patch });
    expect(nextBlocker(d({ step: 'business-central' }), ctx)).toBe('reason.bcProfile');
    expect(nextBlocker(d({ step: 'business-central', bc: { kind: 'online', profileId: 'p', companyId: null, companyName: null } }), ctx)).toBe('reason.bcDetect');
    expect(nextBlocker(d({ step: 'dataverse', dataverseProfileId: 'p' }), ctx)).toBe('reason.dvSignIn');
    expect(nextBlocker(d({ step: 'dataverse', dataverseProfileId: 'p' }), { ...ctx, dataverseSignedIn: true })).toBeNull();
    expect(nextBlocker(d({ step: 'integration-user', integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, lcyCode: 'NO' }), ctx)).toBe('reason.lcy');
    expect(nextBlocker(d({ step: 'integration-user', integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, lcyCode: 'nok' }), ctx)).toBeNull();
    expect(nextBlocker(d({ step: 'preflight' }), ctx)).toBe('reason.preflightRun');
    expect(nextBlocker(d({ step: 'preflight' }), { ...ctx, report: report([]) })).toBeNull();
    expect(railState('start', 'advanced')).toBe('done');
    expect(railState('finish', 'advanced')).toBe('todo');
  });

  it('builds the pre-flight input from the draft (ISO code upper-cased, company only for online)', () => {
    const draft: SetupDraft = {
      ...DEFAULT_SETUP_DRAFT, dataverseProfileId: 'admin', integrationUser: { kind: 'user', email: ' kari@nordlys.example ' }, lcyCode: ' nok',
      bc: { kind: 'onprem', url: 'https://bc', userName: 'u', profileId: 'bc' }, advanced: { ...A, ownershipModel: 'team' },
    };
    expect(preflightInputOf(draft)).toEqual({
      dataverseProfileId: 'admin', integrationProfileId: null, bcProfileId: 'bc', bcCompanyId: null,
      integrationUser: { kind: 'user', email: 'kari@nordlys.example' }, lcyCode: 'NOK', ownershipModel: 'team',
    });
    expect(preflightInputOf({ ...draft, lcyCode: null })).toBeNull();
  });

  it('a missing solution does not block enabling while "Import solution" is on; any other error does', () => {
    const missing = finding('solution.installed', 'error', m('check.solutionInstalled', 'x'));
    const lcy = finding('currency.lcy', 'error', m('check.lcy', 'x'));
    expect(enableBlockers(report([missing]), A)).toEqual([]);
    expect(enableBlockers(report([missing]), { ...A, importSolution: false })).toEqual([missing]);
    expect(enableBlockers(report([missing, lcy, finding('clock.skew', 'warning', m('check.clock', 'x'))]), A)).toEqual([lcy]);
    expect(enableBlockers(null, A)).toEqual([]);
  });

  it('fills only empty fields with the demo values', () => {
    const p = demoProfiles();
    const filled = withDemoDefaults(DEFAULT_SETUP_DRAFT, Object.values(p));
    expect(filled).toMatchObject({ dataverseProfileId: p.admin.id, integrationProfileId: p.dv.id, lcyCode: 'NOK', integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID } });
    const mine: SetupDraft = { ...DEFAULT_SETUP_DRAFT, lcyCode: 'EUR', dataverseProfileId: 'mine', integrationUser: { kind: 'user', email: 'me@contoso.com' } };
    expect(withDemoDefaults(mine, Object.values(p))).toMatchObject({ lcyCode: 'EUR', dataverseProfileId: 'mine', integrationUser: { kind: 'user', email: 'me@contoso.com' } });
    expect(withDemoDefaults(DEFAULT_SETUP_DRAFT, [])).toBe(DEFAULT_SETUP_DRAFT);
  });
});
