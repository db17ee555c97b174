import { create } from 'zustand';
import {
  TeamsChangedSchema,
  type AppError,
  type TeamsConfig,
  type TeamsConsoleFinding,
  type TeamsFix,
  type TeamsMessage,
} from '../../../../preload/contract';
import { asAppError, call, subscription } from '../../../transport/client';

/** A one-click fix whose preview is on screen (nothing is written until Apply). */
export interface PendingFix {
  finding: TeamsConsoleFinding;
  fix: TeamsFix;
  changes: TeamsMessage[];
}

type ErrorSlot = 'page' | 'config' | 'enable' | 'check' | 'fix';

interface TeamsSetupState {
  loaded: boolean;
  config: TeamsConfig | null;
  findings: TeamsConsoleFinding[] | null;
  checkedAt: number | null;
  checking: boolean;
  /** Main said the findings may have changed since this check (a run, a fix elsewhere): check again to see. */
  findingsStale: boolean;
  /** The finding whose fix preview is being fetched (its index in `findings`). */
  previewing: number | null;
  pending: PendingFix | null;
  applying: boolean;
  /** What the last fix, enable or disable did (codes + params, translated by the page). */
  applied: { kind: 'fix' | 'enable' | 'disable'; messages: TeamsMessage[] } | null;
  /** disable({dryRun:true}): what disabling would stop, shown before the user confirms. */
  disablePreview: TeamsMessage[] | null;
  busy: { config?: boolean; enable?: boolean; disable?: boolean };
  errors: Partial<Record<ErrorSlot, AppError>>;
  load(): Promise<void>;
  setProfile(which: 'commerce' | 'graph', profileId: string | null): Promise<void>;
  /** Accepts the data-sharing consent (if not yet) and enables. */
  enable(consent: boolean): Promise<boolean>;
  previewDisable(): Promise<void>;
  cancelDisable(): void;
  disable(): Promise<boolean>;
  check(): Promise<void>;
  requestFix(index: number): Promise<void>;
  confirmFix(): Promise<void>;
  cancelFix(): void;
  clearApplied(): void;
  clearError(slot: ErrorSlot): void;
}

const INITIAL = {
  loaded: false, config: null, findings: null, checkedAt: null, checking: false, findingsStale: false, previewing: null, pending: null, applying: false,
  applied: null, disablePreview: null, busy: {}, errors: {},
} satisfies Partial<TeamsSetupState>;

let events: { reset(): void } | null = null;

/** Tests: forget state and event subscriptions between renders. */
export function resetTeamsSetupStore(): void {
  events?.reset();
  useTeamsSetupStore.setState(INITIAL);
}

export const useTeamsSetupStore = create<TeamsSetupState>((set, get) => {
  const fail = (slot: ErrorSlot, x: unknown) => set({ errors: { ...get().errors, [slot]: asAppError(x) } });
  const clear = (slot: ErrorSlot) => {
    const errors = { ...get().errors };
    delete errors[slot];
    set({ errors });
  };

  // Main says when the configuration or the findings changed (another window, the CLI, a fix): reload that, no polling.
  const subscribed = subscription((t) => [
    t.on('teams.changed', (p) => {
      const r = TeamsChangedSchema.safeParse(p);
      if (!r.success) return;
      if (r.data.what.includes('config')) void call('teams.getConfig', {}).then((config) => set({ config }), () => undefined);
      if (r.data.what.includes('findings') && get().findings && !get().checking) set({ findingsStale: true });
    }),
  ]);
  events = subscribed;

  return {
    ...INITIAL,

    async load() {
      subscribed.ensure();
      try {
        set({ config: await call('teams.getConfig', {}), loaded: true });
        clear('page');
      } catch (x) {
        set({ loaded: true });
        fail('page', x);
      }
    },

    async setProfile(which, profileId) {
      set({ busy: { ...get().busy, config: true } });
      clear('config');
      try {
        const config = await call('teams.setConfig', which === 'commerce' ? { commerceProfileId: profileId } : { graphProfileId: profileId });
        set({ config });
      } catch (x) {
        fail('config', x);
      } finally {
        set({ busy: { ...get().busy, config: false } });
      }
    },

    async enable(consent) {
      set({ busy: { ...get().busy, enable: true }, applied: null });
      clear('enable');
      try {
        if (consent && !get().config?.dataSharingConsent.accepted) set({ config: await call('teams.setConfig', { dataSharingConsent: true }) });
        const r = await call('teams.enable', {});
        set({ config: r.config, applied: { kind: 'enable', messages: r.effects } });
        return true;
      } catch (x) {
        fail('enable', x);
        return false;
      } finally {
        set({ busy: { ...get().busy, enable: false } });
      }
    },

    async previewDisable() {
      set({ busy: { ...get().busy, disable: true }, applied: null });
      clear('enable');
      try {
        const r = await call('teams.disable', { dryRun: true });
        set({ disablePreview: r.effects });
      } catch (x) {
        fail('enable', x);
      } finally {
        set({ busy: { ...get().busy, disable: false } });
      }
    },
    cancelDisable: () => set({ disablePreview: null }),

    async disable() {
      set({ busy: { ...get().busy, disable: true } });
      clear('enable');
      try {
        const r = await call('teams.disable', { dryRun: false });
        set({ config: r.config, disablePreview: null, applied: { kind: 'disable', messages: r.effects } });
        return true;
      } catch (x) {
        fail('enable', x);
        return false;
      } finally {
        set({ busy: { ...get().busy, disable: false } });
      }
    },

    async check() {
      set({ checking: true, applied: null });
      clear('check');
      try {
        const r = await call('teams.check', {});
        set({ findings: r.findings, checkedAt: r.checkedAt, findingsStale: false });
      } catch (x) {
        fail('check', x);
      } finally {
        set({ checking: false });
      }
    },

    async requestFix(index) {
      const finding = get().findings?.[index];
      if (!finding?.fix) return;
      const fix = finding.fix;
      set({ previewing: index, applied: null });
      clear('fix');
      try {
        const r = await call('teams.previewFix', { fixId: fix.fixId, params: fix.params });
        set({ pending: { finding, fix, changes: r.changes } });
      } catch (x) {
        fail('fix', x);
      } finally {
        set({ previewing: null });
      }
    },

    async confirmFix() {
      const p = get().pending;
      if (!p) return;
      set({ applying: true });
      clear('fix');
      try {
        const r = await call('teams.applyFix', { fixId: p.fix.fixId, params: p.fix.params });
        set({ pending: null, findings: r.findings, checkedAt: Date.now(), applied: { kind: 'fix', messages: r.applied } });
      } catch (x) {
        fail('fix', x);
      } finally {
        set({ applying: false });
      }
    },
    cancelFix: () => {
      set({ pending: null });
      clear('fix');
    },
    clearApplied: () => set({ applied: null }),
    clearError: (slot) => clear(slot),
  };
});
