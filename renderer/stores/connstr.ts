import { create } from 'zustand';
import {
  CANONICAL_KEYS,
  SECRET_KEYS,
  type AppError,
  type ChecklistItem,
  type Finding,
  type Profile,
  type SdkVersion,
} from '../../preload/contract';
import { asAppError, call, RpcError } from '../transport/client';

export const MASK = '****';
/** Stands in for a secret kept in the SecretStore so validation sees "present"; never shown or copied. */
const STORED = 'stored-secret';
const isSecret = (k: string) => (SECRET_KEYS as readonly string[]).includes(k);

interface ConnstrState {
  /** Real values, including secrets the user typed in this session. */
  values: Record<string, string>;
  /** Secret keys stored for the loaded profile (their values never reach the renderer). */
  storedSecrets: string[];
  text: string;
  syntaxError: { code: string; message: string; position: number } | null;
  errors: Finding[];
  warnings: Finding[];
  sdkVersions: SdkVersion[];
  checklist: ChecklistItem[];
  profiles: Profile[];
  profileId: string | null;
  error: AppError | null;
  init(): Promise<void>;
  /** `mask`: rewrite the text at once with secrets masked (a pasted string must not show its password). */
  setText(text: string, opts?: { mask?: boolean }): Promise<void>;
  setField(key: string, value: string): Promise<void>;
  /** Rewrite the typed text in canonical form with secrets masked (when the user leaves the text box). */
  normalizeText(): Promise<void>;
  /** The connection string to copy; with secrets only when every secret is known to this window. */
  copyText(includeSecrets: boolean): Promise<string>;
  saveProfile(name: string, asNew: boolean): Promise<boolean>;
  loadProfile(id: string): Promise<void>;
  deleteProfile(id: string): Promise<void>;
  reset(): Promise<void>;
  clearError(): void;
}

let seq = 0;

export const useConnstrStore = create<ConnstrState>((set, get) => {
  const effective = (values: Record<string, string>, stored: string[]) => {
    const out = { ...values };
    for (const k of stored) if (!(k in out)) out[k] = STORED;
    return out;
  };
  /** Validate the real values and (optionally) rewrite the displayed string from them. */
  const rebuild = async (values: Record<string, string>, rewriteText: boolean) => {
    const mine = ++seq;
    try {
      const r = await call('connstr.build', { values: effective(values, get().storedSecrets), maskSecrets: true });
      if (mine !== seq) return;
      set({ values, errors: r.errors, warnings: r.warnings, ...(rewriteText ? { text: r.text, syntaxError: null } : {}) });
    } catch (x) {
      if (mine === seq) set({ error: asAppError(x) });
    }
  };

  return {
    values: {},
    storedSecrets: [],
    text: '',
    syntaxError: null,
    errors: [],
    warnings: [],
    sdkVersions: [],
    checklist: [],
    profiles: [],
    profileId: null,
    error: null,

    async init() {
      try {
        const [sdkVersions, checklist, profiles] = await Promise.all([
          call('connstr.sdkVersions', {}),
          call('connstr.checklist', {}),
          call('profiles.list', {}),
        ]);
        set({ sdkVersions, checklist, profiles: profiles.filter((p) => p.kind === 'bc-onprem-connstr') });
      } catch (x) {
        set({ error: asAppError(x) });
      }
    },

    async setText(text, opts) {
      set({ text });
      const mine = ++seq;
      try {
        const parsed = await call('connstr.parse', { text });
        if (mine !== seq) return;
        if (parsed.syntaxError) {
          set({ syntaxError: parsed.syntaxError });
          return;
        }
        const { values: previous, storedSecrets } = get();
        const values: Record<string, string> = { ...parsed.values };
        // A masked secret in the text means "keep the secret I already have".
        for (const k of SECRET_KEYS) {
          if (values[k] === MASK && (previous[k] !== undefined || storedSecrets.includes(k))) {
            if (previous[k] !== undefined) values[k] = previous[k]!;
            else delete values[k];
          }
        }
        set({ syntaxError: null });
        const visibleSecret = SECRET_KEYS.some((k) => values[k] !== undefined && values[k] !== '' && values[k] !== MASK);
        await rebuild(values, !!opts?.mask && visibleSecret);
      } catch (x) {
        if (mine === seq) set({ error: asAppError(x) });
      }
    },

    async setField(key, value) {
      const values = { ...get().values };
      if (value === '') delete values[key];
      else values[key] = value;
      await rebuild(values, true);
    },

    async normalizeText() {
      if (get().syntaxError || !get().text.trim()) return;
      await rebuild(get().values, true);
    },

    async copyText(includeSecrets) {
      const { values, storedSecrets } = get();
      if (includeSecrets) {
        const missing = storedSecrets.filter((k) => !(k in values));
        if (missing.length) {
          throw new RpcError({
            code: 'SECRET_NOT_IN_WINDOW',
            message: `Stored secrets never leave the secure store. Type ${missing.join(', ')} again to copy them.`,
            params: { keys: missing.join(', ') },
          });
        }
      }
      const r = await call('connstr.build', { values: effective(values, storedSecrets), maskSecrets: !includeSecrets });
      return r.text;
    },

    async saveProfile(name, asNew) {
      const { values, profileId } = get();
      const plain: Record<string, string> = {};
      const secrets: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(values)) {
        if (isSecret(k)) {
          if (v !== MASK) secrets[k] = v;
        } else plain[k] = v;
      }
      try {
        const saved = await call('profiles.save', {
          ...(profileId && !asNew ? { id: profileId } : {}),
          name,
          kind: 'bc-onprem-connstr',
          values: plain,
          secrets,
        });
        const profiles = (await call('profiles.list', {})).filter((p) => p.kind === 'bc-onprem-connstr');
        // Typed secrets are now stored: forget them in the window, keep showing "stored".
        const kept = Object.fromEntries(Object.entries(values).filter(([k]) => !isSecret(k)));
        set({ profiles, profileId: saved.id, storedSecrets: saved.secretsSet, values: kept, error: null });
        await rebuild(kept, true);
        return true;
      } catch (x) {
        set({ error: asAppError(x) });
        return false;
      }
    },

    async loadProfile(id) {
      const p = get().profiles.find((x) => x.id === id);
      if (!p) return;
      set({ profileId: p.id, storedSecrets: p.secretsSet });
      await rebuild({ ...p.values }, true);
    },

    async deleteProfile(id) {
      try {
        await call('profiles.delete', { id });
        const profiles = (await call('profiles.list', {})).filter((p) => p.kind === 'bc-onprem-connstr');
        set({ profiles, ...(get().profileId === id ? { profileId: null, storedSecrets: [] } : {}) });
      } catch (x) {
        set({ error: asAppError(x) });
      }
    },

    async reset() {
      set({ profileId: null, storedSecrets: [], values: {}, text: '', syntaxError: null, errors: [], warnings: [] });
    },

    clearError: () => set({ error: null }),
  };
});

export const KNOWN_KEYS = CANONICAL_KEYS;
