import { create } from 'zustand';
import { checkFileSize, textSource } from '../transport/upload';
import {
  AuthStatusSchema,
  ConnectionSaveInputSchema,
  connectionUrlProblem,
  DeviceCodeInfoSchema,
  type AppError,
  type AuthStatus,
  type ConnectionProfile,
  type ConnectionSaveInput,
  type ConnectionTestReport,
  type DeviceCodeInfo,
} from '../../preload/contract';
import { asAppError, call, subscription } from '../transport/client';

/** Field path ("url", "app.clientId", "secrets.clientSecret") → English message from the contract or main. */
export type FieldErrors = Record<string, string>;

export type SaveOutcome = { ok: true; profile: ConnectionProfile } | { ok: false; fieldErrors: FieldErrors; error: AppError };

interface ConnectionsState {
  profiles: ConnectionProfile[];
  statuses: Record<string, AuthStatus>;
  tests: Record<string, ConnectionTestReport>;
  /** Profiles with a test or a sign-in request in flight (buttons are disabled meanwhile). */
  testing: Record<string, boolean>;
  signingIn: Record<string, boolean>;
  /** The device code to show; cleared when the profile's status leaves "signing-in". */
  deviceCode: DeviceCodeInfo | null;
  lastImport: { count: number; renamed: [string, string][] } | null;
  loaded: boolean;
  error: AppError | null;
  init(): Promise<void>;
  refresh(): Promise<void>;
  save(input: ConnectionSaveInput): Promise<SaveOutcome>;
  remove(id: string): Promise<boolean>;
  duplicate(id: string): Promise<ConnectionProfile | null>;
  test(profileId: string): Promise<void>;
  signIn(profileId: string, method?: 'interactive' | 'deviceCode'): Promise<void>;
  cancelSignIn(profileId: string): Promise<void>;
  signOut(profileId: string): Promise<void>;
  exportJson(ids?: string[]): Promise<{ json: string; count: number } | null>;
  /** The export's text, or the chosen file itself when it is over the size limit (refused with the limit). */
  importJson(json: string | { name: string; size: number }): Promise<boolean>;
  clearError(): void;
  clearImport(): void;
}

/**
 * Validation problems → field paths. The contract's issues (client-side parse or the router's BAD_REQUEST) carry
 * dotted paths; main's cross-field CONNECTION_INVALID names its field in params.field.
 */
export function fieldErrorsOf(error: AppError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of error.issues ?? []) if (!(i.path in out)) out[i.path] = i.message;
  if (error.code === 'CONNECTION_INVALID' && typeof error.params?.field === 'string') out[error.params.field] = error.message;
  if (error.code === 'CONNECTION_NAME_TAKEN') out.name = error.message;
  return out;
}

/** Check a draft against the same schema main applies, so field errors show before a round trip. */
export function validateDraft(input: ConnectionSaveInput): FieldErrors {
  const r = ConnectionSaveInputSchema.safeParse(input);
  const out = r.success ? {} : fieldErrorsOf({ code: 'BAD_REQUEST', message: '', issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) });
  // The URL rules main applies (https, no query…) in the same pass, so one Save shows every problem at once.
  const urlProblem = connectionUrlProblem(input.kind, input.url ?? null);
  if (urlProblem && !('url' in out)) out.url = urlProblem;
  return out;
}

export const useConnectionsStore = create<ConnectionsState>((set, get) => {
  const setStatus = (s: AuthStatus) => {
    const dc = get().deviceCode;
    // The device-code dialog belongs to one sign-in: any outcome (signed in, cancelled, failed) ends it.
    const endsDialog = dc && dc.profileId === s.profileId && s.state !== 'signing-in';
    // A failed test is answered by signing in: once signed in, the old "Connection test failed" is stale.
    const failedTest = s.state === 'signed-in' && get().tests[s.profileId]?.ok === false;
    const tests = failedTest ? Object.fromEntries(Object.entries(get().tests).filter(([id]) => id !== s.profileId)) : get().tests;
    set({ statuses: { ...get().statuses, [s.profileId]: s }, tests, ...(endsDialog ? { deviceCode: null } : {}) });
  };

  const events = subscription((t) => [
    t.on('auth.status', (p) => {
      const s = AuthStatusSchema.safeParse(p);
      if (s.success) setStatus(s.data);
    }),
    t.on('auth.deviceCode', (p) => {
      const d = DeviceCodeInfoSchema.safeParse(p);
      if (d.success) set({ deviceCode: d.data });
    }),
  ]);

  const flag = (key: 'testing' | 'signingIn', id: string, on: boolean) => {
    const next = { ...get()[key] };
    if (on) next[id] = true;
    else delete next[id];
    set({ [key]: next } as Partial<ConnectionsState>);
  };

  const refreshStatus = async (profileId: string) => {
    try {
      const [s] = await call('auth.status', { profileId });
      if (s) setStatus(s);
    } catch {
      // The status line keeps its last value; the action's own error is already shown.
    }
  };

  return {
    profiles: [],
    statuses: {},
    tests: {},
    testing: {},
    signingIn: {},
    deviceCode: null,
    lastImport: null,
    loaded: false,
    error: null,

    async init() {
      events.ensure();
      await get().refresh();
    },

    async refresh() {
      try {
        const [profiles, statuses] = await Promise.all([call('connections.list', {}), call('auth.status', {})]);
        set({ profiles, statuses: Object.fromEntries(statuses.map((s) => [s.profileId, s])), loaded: true });
      } catch (x) {
        set({ error: asAppError(x), loaded: true });
      }
    },

    async save(input) {
      const local = validateDraft(input);
      if (Object.keys(local).length) {
        return { ok: false, fieldErrors: local, error: { code: 'BAD_REQUEST', message: 'Invalid input.' } };
      }
      try {
        const profile = await call('connections.save', input);
        const profiles = get().profiles.some((p) => p.id === profile.id) ? get().profiles.map((p) => (p.id === profile.id ? profile : p)) : [...get().profiles, profile];
        set({ profiles, error: null });
        return { ok: true, profile };
      } catch (x) {
        const error = asAppError(x);
        return { ok: false, fieldErrors: fieldErrorsOf(error), error };
      }
    },

    async remove(id) {
      try {
        await call('connections.delete', { id });
        const { [id]: _s, ...statuses } = get().statuses;
        const { [id]: _t, ...tests } = get().tests;
        set({ profiles: get().profiles.filter((p) => p.id !== id), statuses, tests, error: null });
        return true;
      } catch (x) {
        set({ error: asAppError(x) });
        return false;
      }
    },

    async duplicate(id) {
      try {
        const copy = await call('connections.duplicate', { id });
        set({ profiles: [...get().profiles, copy], error: null });
        return copy;
      } catch (x) {
        set({ error: asAppError(x) });
        return null;
      }
    },

    async test(profileId) {
      flag('testing', profileId, true);
      try {
        const report = await call('connections.test', { profileId });
        set({ tests: { ...get().tests, [profileId]: report } });
        if (report.ok) set({ profiles: get().profiles.map((p) => (p.id === profileId ? { ...p, lastUsedAt: report.at } : p)) });
      } catch (x) {
        const error = asAppError(x);
        set({ tests: { ...get().tests, [profileId]: { profileId, ok: false, user: null, version: null, details: {}, tokenMs: null, latencyMs: null, error, at: new Date().toISOString() } } });
      } finally {
        flag('testing', profileId, false);
      }
    },

    async signIn(profileId, method) {
      // One sign-in per profile: a second click while the first is open would only get AUTH_IN_PROGRESS.
      if (get().signingIn[profileId]) return;
      flag('signingIn', profileId, true);
      try {
        setStatus(await call('auth.signIn', { profileId, ...(method ? { method } : {}) }));
      } catch (x) {
        // Main has already pushed the failed status (state error / signed-out); fetch it in case the event was missed.
        const error = asAppError(x);
        await refreshStatus(profileId);
        // The card already shows a failure carried by the status; only what it cannot show goes to the page.
        if (error.code !== 'AUTH_CANCELLED' && get().statuses[profileId]?.error?.code !== error.code) set({ error });
      } finally {
        flag('signingIn', profileId, false);
        if (get().deviceCode?.profileId === profileId) set({ deviceCode: null });
      }
    },

    async cancelSignIn(profileId) {
      try {
        await call('auth.cancel', { profileId });
      } catch (x) {
        set({ error: asAppError(x) });
      }
      if (get().deviceCode?.profileId === profileId) set({ deviceCode: null });
    },

    async signOut(profileId) {
      try {
        setStatus(await call('auth.signOut', { profileId }));
      } catch (x) {
        set({ error: asAppError(x) });
      }
    },

    async exportJson(ids) {
      try {
        return await call('connections.export', ids ? { ids } : {});
      } catch (x) {
        set({ error: asAppError(x) });
        return null;
      }
    },

    async importJson(json) {
      try {
        if (typeof json !== 'string') checkFileSize(json);
        // Over ~2 MB of UTF-8 the text goes in chunks (uploads.*): the transport carries at most 4 MiB per message.
        const r = await call('connections.import', await textSource('connections.json', json as string));
        set({ profiles: [...get().profiles, ...r.imported], lastImport: { count: r.imported.length, renamed: r.renamed }, error: null });
        return true;
      } catch (x) {
        set({ error: asAppError(x), lastImport: null });
        return false;
      }
    },

    clearError: () => set({ error: null }),
    clearImport: () => set({ lastImport: null }),
  };
});

/** Test helper and page reset: forget everything (the event subscription is kept per transport). */
export function resetConnectionsStore(): void {
  useConnectionsStore.setState({ profiles: [], statuses: {}, tests: {}, testing: {}, signingIn: {}, deviceCode: null, lastImport: null, loaded: false, error: null });
}
