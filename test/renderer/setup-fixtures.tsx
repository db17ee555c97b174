/** An in-memory main for the setup wizard tests: profiles, the setup draft and scripted setup.* answers. */
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { AppError, AuthStatus, ConnectionProfile, MethodOutput, Result } from '../../preload/contract';
import { DEFAULT_SETUP_DRAFT, type PreflightReport, type SetupDraft, type SetupFinding, type SetupMessage } from '../../preload/contract/sales/setup';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import type { Transport } from '../../renderer/transport/types';

export const APP_CLIENT_ID = 'a4c2e6f8-1b3d-4f5a-9c7e-2d4f6a8b0c1e';
export const PUBLIC_CLIENT_ID = '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60';
export const TENANT = '5e1f0c3a-7d2b-4c8e-9a41-0b6d3f2e9c11';
export const COMPANY_ID = '11111111-2222-4333-8444-555555555555';
export const ADMIN_USER_ID = '00000000-0000-4000-8000-000000000101';

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;

export function profile(p: Partial<ConnectionProfile> & Pick<ConnectionProfile, 'name'>): ConnectionProfile {
  return {
    id: uuid(), kind: 'dataverse', url: 'http://127.0.0.1:5555', environmentName: null, company: null, tier: 'development', colour: '#8764b8', authMethod: 'client-secret',
    app: { clientId: APP_CLIENT_ID, tenantId: TENANT, redirectUri: null, authorityHost: 'http://127.0.0.1:5556' }, userName: null, certificateThumbprint: null,
    secretsSet: [], secretsMissing: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, ...p,
  };
}

/** The three demo profiles the console creates, plus one ordinary profile. */
export function demoProfiles() {
  return {
    dv: profile({ name: 'Demo sandbox · Dataverse' }),
    admin: profile({ name: 'Demo sandbox · Dataverse (user sign-in)', authMethod: 'device-code', app: { clientId: PUBLIC_CLIENT_ID, tenantId: TENANT, redirectUri: 'http://localhost', authorityHost: 'http://127.0.0.1:5556' } }),
    bc: profile({ name: 'Demo sandbox · Business Central', kind: 'bc-online', url: 'http://127.0.0.1:5557', environmentName: 'Production' }),
    onprem: profile({ name: 'Contoso BC 14', kind: 'bc-onprem', url: 'https://bc14.contoso.local:7048/BC140', userName: 'CONTOSO\\svc-bc', authMethod: 'bc-access-key', app: null }),
  };
}

export const m = (code: string, text: string, params: Record<string, string | number> = {}): SetupMessage => ({ code, text, params });

export function finding(id: string, status: SetupFinding['status'], title: SetupMessage, rest: Partial<SetupFinding> = {}): SetupFinding {
  return { id, status, title, cause: null, fix: null, fixAction: null, ...rest };
}

export const report = (findings: SetupFinding[]): PreflightReport => ({ ok: findings.every((f) => f.status !== 'error'), checkedAt: '2026-11-23T13:00:00.000Z', findings });

const status = (profileId: string, state: AuthStatus['state']): AuthStatus => ({
  profileId, state, account: null, expiresAt: null, expiresInSeconds: null, scopes: [], error: null, at: new Date().toISOString(),
});

export type DetectOut = MethodOutput<'setup.detectBc'>;

export function backend(opts: { profiles: ConnectionProfile[]; draft?: SetupDraft; savedAt?: string | null; handlers?: FakeHandlers }) {
  const state = {
    draft: opts.draft ?? DEFAULT_SETUP_DRAFT,
    savedAt: opts.savedAt ?? null,
    status: { enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null, mappingSetName: null, disableReason: null } as MethodOutput<'setup.getState'>['status'],
  };
  const saved: SetupDraft[] = [];
  const fail: Record<string, AppError> = {};
  const fake = fakeTransport({
    'connections.list': () => opts.profiles,
    'auth.status': ({ profileId }) => (profileId ? [status(profileId, 'signed-out')] : opts.profiles.map((p) => status(p.id, 'signed-out'))),
    'connections.test': ({ profileId }) => ({
      profileId, ok: true, user: 'admin@nordlys.example', version: '9.2.24104.00182', details: { fullName: 'Ingrid Admin' }, tokenMs: 5, latencyMs: 9, error: null, at: new Date().toISOString(),
    }),
    'auth.signIn': ({ profileId }) => ({ ...status(profileId, 'signed-in'), account: { username: 'admin@nordlys.example', name: 'Ingrid Admin' } }),
    'setup.getState': () => ({ draft: state.draft, status: state.status, savedAt: state.savedAt }),
    'setup.saveState': ({ draft }) => {
      saved.push(draft);
      state.draft = draft;
      state.savedAt = '2026-11-23T13:00:00.000Z';
      return { draft, status: state.status, savedAt: state.savedAt };
    },
    ...opts.handlers,
  });
  const transport: Transport & { calls: typeof fake.calls } = {
    kind: 'memory',
    calls: fake.calls,
    on: fake.on,
    async invoke(method, payload): Promise<Result<unknown>> {
      if (fail[method]) {
        fake.calls.push({ method, payload });
        return { ok: false, error: fail[method]! };
      }
      return fake.invoke(method, payload);
    },
  };
  return { transport, state, saved, fail, callsOf: (method: string) => fake.calls.filter((c) => c.method === method).map((c) => c.payload as never) };
}

/** Open a Fluent combobox (Dropdown) by test id and pick the option with this accessible name. */
export async function pick(testId: string, option: string | RegExp) {
  fireEvent.click(screen.getByTestId(testId));
  // Role queries check visibility through getComputedStyle for the whole page, which is slow in jsdom: plain selectors.
  const list = await waitFor(() => {
    const l = document.querySelector('[role="listbox"]');
    if (!l) throw new Error(`The ${testId} list did not open`);
    return l;
  });
  const all = [...list.querySelectorAll('[role="option"]')];
  const opt = all.find((o) => (typeof option === 'string' ? o.textContent === option : option.test(o.textContent ?? '')));
  if (!opt) throw new Error(`No option ${String(option)} in ${testId}: ${all.map((o) => o.textContent).join(', ')}`);
  await act(async () => {
    fireEvent.click(opt);
  });
}

export const flush = () => act(async () => {
  await new Promise((r) => setTimeout(r, 0));
});
