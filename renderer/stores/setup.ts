import { create } from 'zustand';
import type { AppError, MethodOutput } from '../../preload/contract';
import {
  DEFAULT_SETUP_DRAFT,
  type BC_INTEGRATION_ROLE_IDS,
  type EnablePlan,
  type FixAction,
  type PreflightReport,
  type SetupChange,
  type SetupDraft,
  type SetupFinding,
  type SetupMessage,
  type SetupStatus,
} from '../../preload/contract/sales/setup';
import { defaultWebClientUrl, enableBcVersion, isEmail, isGuid, nextStep, preflightInputOf, prevStep, withAllowedSdk, withBcLcy, withDemoDefaults, type Step } from '../pages/sales/setup/logic';
import { asAppError, call, RpcError } from '../transport/client';
import { useConnectionsStore } from './connections';

export type DetectResult = MethodOutput<'setup.detectBc'>;
export type SalespeopleView = MethodOutput<'setup.salespeople'>;

/** Where an error is shown: next to the action that failed. */
export type ErrorArea = 'page' | 'save' | 'bc' | 'dv' | 'preflight' | 'fix' | 'sp' | 'enable' | 'disable';

/** A change waiting for confirmation in the preview dialog. */
export interface PendingChange {
  kind: 'fix' | 'redeploy' | 'resetRoles';
  fix: FixAction | null;
  /** Title of the finding (fix) — null for the Redeploy / Reset roles buttons. */
  finding: SetupMessage | null;
  changes: SetupChange[];
  blockers: SetupMessage[];
}

/** What the status line after a change says: main's message, or a key of ours with params. */
export type Applied = { message: SetupMessage } | { key: string; params: Record<string, string | number> };

const ROLE_NAMES: Record<(typeof BC_INTEGRATION_ROLE_IDS)[number], string> = {
  '8c8d4f51-a72b-e511-80d9-3863bb349780': 'Dynamics 365 Business Central Integration Administrator',
  '6f960e32-a72b-e511-80d9-3863bb349780': 'Dynamics 365 Business Central Integration User',
};

interface SetupState {
  loaded: boolean;
  draft: SetupDraft;
  status: SetupStatus;
  savedAt: string | null;
  /** The page opened on a saved draft. */
  resumed: boolean;
  errors: Partial<Record<ErrorArea, AppError>>;
  detect: DetectResult | null;
  detecting: boolean;
  /** Signed-in admin (name) per Dataverse profile, from the sign-in / connection test of this session. */
  whoami: Record<string, string>;
  signingIn: boolean;
  report: PreflightReport | null;
  running: boolean;
  pending: PendingChange | null;
  previewing: string | null;
  applying: boolean;
  applied: Applied | null;
  salespeople: SalespeopleView | null;
  /** bcId → chosen Dataverse user id ('' = none). */
  spChoice: Record<string, string>;
  /** bcId → include in the next coupling. */
  spAccepted: Record<string, boolean>;
  spLoading: boolean;
  spResult: { coupled: number; replaced: number } | null;
  enablePlan: EnablePlan | null;
  enabling: boolean;
  jobsOnHold: string[] | null;
  /** What is typed for the integration user; the draft only ever holds a valid one (main refuses anything else). */
  iu: IuForm;

  load(): Promise<void>;
  /** Change the draft locally (saved on blur / step change / discrete choices). */
  update(patch: Partial<SetupDraft> | ((d: SetupDraft) => SetupDraft)): void;
  save(): Promise<boolean>;
  goTo(step: Step): Promise<void>;
  next(): Promise<void>;
  back(): Promise<void>;
  begin(): Promise<void>;
  startOver(): Promise<void>;
  detectBc(): Promise<void>;
  signInDataverse(): Promise<void>;
  runPreflight(): Promise<void>;
  requestFix(f: SetupFinding): Promise<void>;
  requestRedeploy(): Promise<void>;
  requestResetRoles(): Promise<void>;
  confirmPending(): Promise<void>;
  cancelPending(): void;
  loadSalespeople(): Promise<void>;
  chooseUser(bcId: string, dvId: string): void;
  accept(bcId: string, on: boolean): void;
  acceptAll(): void;
  couple(): Promise<void>;
  previewEnable(): Promise<void>;
  cancelEnable(): void;
  enable(): Promise<void>;
  disable(): Promise<void>;
  setIu(patch: Partial<IuForm>): void;
  clearError(area: ErrorArea): void;
}

export interface IuForm { kind: 'user' | 'application'; email: string; appId: string }
const iuOf = (d: SetupDraft): IuForm =>
  d.integrationUser?.kind === 'user' ? { kind: 'user', email: d.integrationUser.email, appId: '' }
    : { kind: 'application', email: '', appId: d.integrationUser?.applicationId ?? '' };

/** A.5: the Sales URL is copied from the Dataverse setup; the web client URL is BC's own (online: tenant + environment). */
function withUrlDefaults(d: SetupDraft): SetupDraft {
  const bcProfile = useConnectionsStore.getState().profiles.find((p) => p.id === d.bc.profileId);
  const salesUrl = d.advanced.salesUrl ?? d.dataverseUrl;
  const bcWebClientUrl = d.advanced.bcWebClientUrl ?? defaultWebClientUrl(bcProfile);
  return { ...d, advanced: { ...d.advanced, salesUrl: salesUrl?.slice(0, 250) ?? null, bcWebClientUrl: bcWebClientUrl?.slice(0, 250) ?? null } };
}

const INITIAL = {
  loaded: false, draft: DEFAULT_SETUP_DRAFT, status: { enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null, mappingSetName: null, disableReason: null },
  savedAt: null, resumed: false, errors: {}, detect: null, detecting: false, whoami: {}, signingIn: false, report: null, running: false,
  pending: null, previewing: null, applying: false, applied: null, salespeople: null, spChoice: {}, spAccepted: {}, spLoading: false, spResult: null,
  enablePlan: null, enabling: false, jobsOnHold: null, iu: { kind: 'application', email: '', appId: '' },
} satisfies Partial<SetupState>;

export const useSetupStore = create<SetupState>((set, get) => {
  const fail = (area: ErrorArea, x: unknown) => set({ errors: { ...get().errors, [area]: asAppError(x) } });
  const ok = (area: ErrorArea) => {
    if (!get().errors[area]) return;
    const { [area]: _gone, ...rest } = get().errors;
    set({ errors: rest });
  };
  const input = () => preflightInputOf(get().draft);
  const rolesInput = () => {
    const d = get().draft;
    return d.dataverseProfileId && d.integrationUser
      ? { dataverseProfileId: d.dataverseProfileId, integrationUser: input()?.integrationUser ?? d.integrationUser, bcProfileId: d.bc.profileId }
      : null;
  };
  const missingInput = (area: ErrorArea) =>
    fail(area, new RpcError({ code: 'SETUP_INPUT_INCOMPLETE', message: 'Choose the admin profile, the integration user and the local currency first.' }));

  return {
    ...INITIAL,

    async load() {
      try {
        const [state] = await Promise.all([call('setup.getState', {}), useConnectionsStore.getState().init()]);
        // "Resumed" is news once per session, not each time the page is opened again from the navigation.
        const resumed = !get().loaded && state.savedAt !== null && state.draft.step !== 'start';
        set({ loaded: true, draft: state.draft, iu: iuOf(state.draft), status: state.status, savedAt: state.savedAt, resumed });
      } catch (x) {
        set({ loaded: true });
        fail('page', x);
      }
    },

    update(patch) {
      const d = get().draft;
      set({ draft: typeof patch === 'function' ? patch(d) : { ...d, ...patch } });
    },

    async save() {
      try {
        const state = await call('setup.saveState', { draft: get().draft });
        set({ savedAt: state.savedAt });
        ok('save');
        return true;
      } catch (x) {
        fail('save', x);
        return false;
      }
    },

    async goTo(step) {
      let d: SetupDraft = { ...get().draft, step };
      if (step === 'advanced') d = withUrlDefaults(d);
      set({ draft: d, resumed: false });
      await get().save();
    },
    async next() {
      const n = nextStep(get().draft.step);
      if (n) await get().goTo(n);
    },
    async back() {
      const p = prevStep(get().draft.step);
      if (p) await get().goTo(p);
    },

    async begin() {
      const profiles = useConnectionsStore.getState().profiles;
      const draft = withAllowedSdk(withDemoDefaults(get().draft, profiles));
      set({ draft, iu: iuOf(draft) });
      await get().goTo('business-central');
    },

    async startOver() {
      set({ ...INITIAL, loaded: true, status: get().status, draft: DEFAULT_SETUP_DRAFT, iu: iuOf(DEFAULT_SETUP_DRAFT) });
      await get().save();
      set({ resumed: false });
    },

    async detectBc() {
      const id = get().draft.bc.profileId;
      if (!id) return;
      set({ detecting: true });
      try {
        const r = await call('setup.detectBc', { bcProfileId: id });
        const d = get().draft;
        let bc = d.bc;
        if (bc.kind === 'online') {
          const companies = r.companies ?? [];
          const keep = companies.find((c) => c.id === (bc.kind === 'online' ? bc.companyId : null));
          const profile = useConnectionsStore.getState().profiles.find((p) => p.id === id);
          const byProfile = companies.find((c) => profile?.company && (c.name === profile.company || c.displayName === profile.company));
          const chosen = keep ?? byProfile ?? companies[0];
          bc = { ...bc, companyId: chosen?.id ?? null, companyName: chosen ? (chosen.displayName ?? chosen.name) : null };
        }
        const next: SetupDraft = withBcLcy({ ...d, bc, bcVersion: { major: r.major, api: r.api, path: r.path } }, r.companies);
        set({ detect: r, draft: withAllowedSdk(next, r.sdkVersions) });
        ok('bc');
        await get().save();
      } catch (x) {
        fail('bc', x);
      } finally {
        set({ detecting: false });
      }
    },

    async signInDataverse() {
      const id = get().draft.dataverseProfileId;
      if (!id) return;
      const cs = useConnectionsStore.getState;
      const profile = cs().profiles.find((p) => p.id === id);
      set({ signingIn: true });
      try {
        // A user profile signs in first (device code / browser, as on the Connections page); the test then proves it.
        if (profile && (profile.authMethod === 'interactive' || profile.authMethod === 'device-code') && cs().statuses[id]?.state !== 'signed-in') {
          await cs().signIn(id);
          const st = cs().statuses[id];
          if (st?.state !== 'signed-in') {
            const e = st?.error ?? cs().error;
            if (e) fail('dv', new RpcError(e));
            return;
          }
        }
        await cs().test(id);
        const report = cs().tests[id];
        if (report?.ok) {
          set({ whoami: { ...get().whoami, [id]: report.details.fullName || report.user || id } });
          ok('dv');
        } else if (report?.error) {
          fail('dv', new RpcError(report.error));
        }
      } finally {
        set({ signingIn: false });
      }
    },

    async runPreflight() {
      const i = input();
      if (!i) return missingInput('preflight');
      set({ running: true, applied: null });
      try {
        set({ report: await call('setup.preflight', i) });
        ok('preflight');
      } catch (x) {
        fail('preflight', x);
      } finally {
        set({ running: false });
      }
    },

    async requestFix(f) {
      const i = input();
      const r = rolesInput();
      if (!f.fixAction || !i || !r) return missingInput('fix');
      set({ previewing: f.id, applied: null });
      try {
        const a = f.fixAction;
        let plan: { changes: SetupChange[]; blockers: SetupMessage[] };
        if (a.kind === 'createCurrency') {
          // One new row in Dataverse's currency table, exactly as main writes it (exchange rate 1 until someone sets it).
          const iso = a.params.isoCode.toUpperCase();
          plan = {
            changes: [{ kind: 'create-currency', target: iso, message: { code: 'change.createCurrency', params: { iso }, text: `Create the currency ${iso} in Dataverse (name and symbol ${iso}, exchange rate 1, 2 decimals)` } }],
            blockers: [],
          };
        } else if (a.kind === 'resetRoles') plan = await call('setup.previewResetRoles', r);
        else if (a.kind === 'importSolution') {
          // The fix only imports (role assignments are their own findings), and only a redeploy is barred while enabled.
          const p = await call('setup.previewRedeploy', r);
          plan = { changes: p.changes.filter((c) => c.kind === 'import-solution'), blockers: a.params.redeploy ? p.blockers.filter((b) => b.code === 'blocker.enabled') : [] };
        }
        else {
          plan = {
            changes: a.params.roleIds.map((id) => ({ kind: 'add-role' as const, target: id, message: { code: 'change.addRole', params: { role: ROLE_NAMES[id] }, text: `Add role "${ROLE_NAMES[id]}"` } })),
            blockers: [],
          };
        }
        set({ pending: { kind: 'fix', fix: a, finding: f.title, changes: plan.changes, blockers: plan.blockers } });
        ok('fix');
      } catch (x) {
        fail('fix', x);
      } finally {
        set({ previewing: null });
      }
    },

    async requestRedeploy() {
      const r = rolesInput();
      if (!r) return missingInput('fix');
      set({ previewing: 'redeploy', applied: null });
      try {
        const plan = await call('setup.previewRedeploy', r);
        set({ pending: { kind: 'redeploy', fix: null, finding: null, ...plan } });
        ok('fix');
      } catch (x) {
        fail('fix', x);
      } finally {
        set({ previewing: null });
      }
    },

    async requestResetRoles() {
      const r = rolesInput();
      if (!r) return missingInput('fix');
      set({ previewing: 'resetRoles', applied: null });
      try {
        const plan = await call('setup.previewResetRoles', r);
        set({ pending: { kind: 'resetRoles', fix: null, finding: null, ...plan } });
        ok('fix');
      } catch (x) {
        fail('fix', x);
      } finally {
        set({ previewing: null });
      }
    },

    async confirmPending() {
      const p = get().pending;
      if (p) await applyNow(p);
    },
    cancelPending: () => set({ pending: null }),

    async loadSalespeople() {
      const d = get().draft;
      if (!d.dataverseProfileId || !d.bc.profileId) {
        fail('sp', new RpcError({ code: 'SETUP_INPUT_INCOMPLETE', message: 'Choose the Business Central and admin Dataverse profiles first.' }));
        return;
      }
      set({ spLoading: true, spResult: null });
      try {
        const view = await call('setup.salespeople', { dataverseProfileId: d.dataverseProfileId, bcProfileId: d.bc.profileId, bcCompanyId: d.bc.kind === 'online' ? d.bc.companyId : null });
        const choice: Record<string, string> = {};
        const accepted: Record<string, boolean> = {};
        for (const s of view.bc) choice[s.id] = s.coupledTo ?? '';
        // Suggestions come preselected and accepted: "Couple" alone takes them; the user unticks what is wrong.
        for (const g of view.suggestions) { choice[g.bcId] = g.dvId; accepted[g.bcId] = true; }
        set({ salespeople: view, spChoice: choice, spAccepted: accepted });
        ok('sp');
      } catch (x) {
        fail('sp', x);
      } finally {
        set({ spLoading: false });
      }
    },
    chooseUser(bcId, dvId) {
      set({ spChoice: { ...get().spChoice, [bcId]: dvId }, spAccepted: { ...get().spAccepted, [bcId]: dvId !== '' } });
    },
    accept(bcId, on) {
      set({ spAccepted: { ...get().spAccepted, [bcId]: on } });
    },
    acceptAll() {
      const view = get().salespeople;
      if (!view) return;
      const choice = { ...get().spChoice };
      const accepted = { ...get().spAccepted };
      for (const g of view.suggestions) { choice[g.bcId] = g.dvId; accepted[g.bcId] = true; }
      set({ spChoice: choice, spAccepted: accepted });
    },
    async couple() {
      const pairs = Object.entries(get().spAccepted).filter(([bcId, on]) => on && get().spChoice[bcId]).map(([bcId]) => ({ bcId, dvId: get().spChoice[bcId]! }));
      if (!pairs.length) return;
      try {
        const r = await call('setup.coupleSalespeople', { pairs });
        set({ spResult: r });
        ok('sp');
        await get().loadSalespeople();
        set({ spResult: r });
      } catch (x) {
        fail('sp', x);
      }
    },

    async previewEnable() {
      const d = get().draft;
      try {
        set({ enablePlan: await call('setup.previewEnable', { advanced: d.advanced, bcVersion: enableBcVersion(d) }) });
        ok('enable');
      } catch (x) {
        fail('enable', x);
      }
    },
    cancelEnable: () => set({ enablePlan: null }),

    async enable() {
      const d = get().draft;
      const i = input();
      if (!i) return missingInput('enable');
      set({ enabling: true });
      try {
        // The dialog listed what gets overwritten, so confirming it is the overwrite confirmation.
        const r = await call('setup.enable', { preflight: i, advanced: d.advanced, bcVersion: enableBcVersion(d), confirmOverwrite: true });
        set({ status: r.status, report: r.report, enablePlan: null, jobsOnHold: null });
        ok('enable');
      } catch (x) {
        set({ enablePlan: null });
        fail('enable', x);
      } finally {
        set({ enabling: false });
      }
    },

    async disable() {
      try {
        const r = await call('setup.disable', { dataverseProfileId: get().draft.dataverseProfileId });
        set({ status: r.status, jobsOnHold: r.jobsOnHold });
        ok('disable');
      } catch (x) {
        fail('disable', x);
      }
    },

    setIu(patch) {
      const iu = { ...get().iu, ...patch };
      const email = iu.email.trim();
      const appId = iu.appId.trim();
      const user = iu.kind === 'user'
        ? (isEmail(email) && email.length <= 250 ? { kind: 'user' as const, email } : null)
        : (isGuid(appId) ? { kind: 'application' as const, applicationId: appId } : null);
      set({ iu, draft: { ...get().draft, integrationUser: user } });
    },

    clearError: (area) => ok(area),
  };

  async function applyNow(p: PendingChange) {
    const i = input();
    const r = rolesInput();
    if (!i || !r) return missingInput('fix');
    set({ applying: true });
    try {
      if (p.kind === 'fix' && p.fix) {
        const res = await call('setup.applyFix', { fix: p.fix, preflight: i });
        set({ report: res.report, applied: { message: res.applied }, pending: null });
      } else {
        const res = p.kind === 'redeploy' ? await call('setup.redeploy', r) : await call('setup.resetRoles', r);
        set({ pending: null, applied: { key: p.kind === 'redeploy' ? 'pre.redeployed' : 'pre.rolesReset', params: { count: res.changes.length } } });
        // The change is done; the list must show its effect, so the checks run again.
        await get().runPreflight();
        set({ applied: { key: p.kind === 'redeploy' ? 'pre.redeployed' : 'pre.rolesReset', params: { count: res.changes.length } } });
      }
      ok('fix');
    } catch (x) {
      fail('fix', x);
    } finally {
      set({ applying: false });
    }
  }
});

/** Test helper: forget everything. */
export function resetSetupStore(): void {
  useSetupStore.setState({ ...INITIAL });
}
