import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleApp } from '../../../main/app/create-app';
import { DEFAULT_DRAFT, draftProblems, sdkVersionsFor } from '../../../main/integrations/sales/setup/state';
import type { SetupDraft } from '../../../preload/contract/sales/setup';
import { testApp } from '../../support/app';

let app: ConsoleApp;
let cleanup: () => void;
let dir: string;
beforeEach(() => {
  ({ app, cleanup, dir } = testApp());
});
afterEach(() => cleanup());
const call = (m: string, p: unknown = {}) => app.router.call(m, p, { transport: 'memory' });

describe('setup.getState / setup.saveState (resumable wizard)', () => {
  it('starts from BC\'s defaults and keeps what was entered across a restart of the console', async () => {
    const first = await call('setup.getState');
    expect(first).toMatchObject({ ok: true, value: { draft: DEFAULT_DRAFT, status: { enabled: false }, savedAt: null } });
    const draft: SetupDraft = {
      ...DEFAULT_DRAFT, step: 'integration-user', dataverseUrl: 'https://contoso.crm4.dynamics.com',
      bc: { kind: 'onprem', url: 'https://bc.contoso.local:7048/BC', userName: 'CONTOSO\\admin', profileId: null },
      bcVersion: { major: 14, api: 'odatav4', path: 'connection-string' },
      integrationUser: { kind: 'user', email: 'bc-integration@contoso.example' }, lcyCode: 'NOK',
      advanced: { ...DEFAULT_DRAFT.advanced, sdkVersion: 91, legacySalesOrders: true, autoCreateSalesOrders: true },
    };
    expect((await call('setup.saveState', { draft })).ok).toBe(true);
    app.close();
    const { createApp } = await import('../../../main/app/create-app');
    const { KeyFileCipher } = await import('../../../main/secrets/key-file-cipher');
    const { keyFile } = await import('../../../main/platform/paths');
    const { quietLogger } = await import('../../support/app');
    app = createApp({ host: 'memory', dataDir: dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
    const again = await call('setup.getState');
    expect(again.ok && (again.value as { draft: SetupDraft }).draft).toEqual(draft);
  });

  it('refuses secrets (no field can hold one) and mutually exclusive settings, with a code the UI translates', async () => {
    const withPassword = await call('setup.saveState', { draft: { ...DEFAULT_DRAFT, password: 'hunter2' } });
    expect(withPassword).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const both = await call('setup.saveState', { draft: { ...DEFAULT_DRAFT, advanced: { ...DEFAULT_DRAFT.advanced, legacySalesOrders: true, bidirectionalSalesOrders: true } } });
    expect(both).toMatchObject({ ok: false, error: { code: 'SETUP_DRAFT_INVALID', params: { field: 'advanced.bidirectionalSalesOrders' } } });
  });

  it('previews enabling on an empty store: creates the defaults, overwrites nothing', async () => {
    const r = await call('setup.previewEnable', { advanced: DEFAULT_DRAFT.advanced });
    expect(r.ok).toBe(true);
    const plan = (r as { value: { mappings: string[]; jobs: string[]; overwrites: { mappings: string[] }; confirmation: { code: string } } }).value;
    expect(plan.mappings).toContain('SALESPEOPLE');
    expect(plan.jobs.length).toBeGreaterThan(5);
    expect(plan.overwrites.mappings).toEqual([]);
    expect(plan.confirmation.code).toBe('enable.confirmNew');
  });
});

describe('draft rules (A.1 / A.5 / A.6)', () => {
  it('SDK versions: online is always 100; on-premises follows the BC version', () => {
    expect(sdkVersionsFor(24, true)).toEqual([100]);
    expect(sdkVersionsFor(14, false)).toEqual([8, 9, 91]);
    expect(sdkVersionsFor(18, false)).toEqual([9, 91, 100]);
    expect(sdkVersionsFor(23, false)).toEqual([91, 100]);
  });

  it('property: legacy + bidirectional is always a problem; item availability needs the solution import', () => {
    const adv = fc.record({
      importSolution: fc.boolean(), itemAvailability: fc.boolean(), legacySalesOrders: fc.boolean(), bidirectionalSalesOrders: fc.boolean(),
      autoCreateSalesOrders: fc.boolean(), autoProcessQuotes: fc.boolean(), sdkVersion: fc.constantFrom(8 as const, 9 as const, 91 as const, 100 as const),
    });
    fc.assert(fc.property(adv, fc.constantFrom('online' as const, 'onprem' as const), fc.option(fc.integer({ min: 9, max: 26 }), { nil: null }), (a, kind, major) => {
      const d: SetupDraft = {
        ...DEFAULT_DRAFT, advanced: { ...DEFAULT_DRAFT.advanced, ...a },
        bc: kind === 'online' ? DEFAULT_DRAFT.bc : { kind: 'onprem', url: null, userName: null, profileId: null },
        bcVersion: major === null ? null : { major, api: 'v2.0', path: 'api' },
      };
      const codes = draftProblems(d).map((p) => p.code);
      expect(codes.includes('SO_MODES_EXCLUSIVE')).toBe(a.legacySalesOrders && a.bidirectionalSalesOrders);
      expect(codes.includes('ITEM_AVAILABILITY_NEEDS_SOLUTION')).toBe(a.itemAvailability && !a.importSolution);
      expect(codes.includes('SDK_VERSION_NOT_ALLOWED')).toBe(!sdkVersionsFor(major, kind === 'online').includes(a.sdkVersion));
    }));
  });
});

describe('setup.applyFix input', () => {
  it('refuses to hand out any role but the two BC integration roles', async () => {
    const r = await call('setup.applyFix', {
      fix: { kind: 'assignRoles', params: { systemUserId: '00000000-0000-4000-8000-000000000106', roleIds: ['627090ff-40a3-4053-8790-584edc5be201'] } },
      preflight: { dataverseProfileId: 'x', integrationUser: { kind: 'user', email: 'a@b.example' }, lcyCode: 'NOK' },
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
