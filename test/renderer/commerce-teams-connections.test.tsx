import { fireEvent, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionTestReport } from '../../preload/contract';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { newDraft, withKind } from '../../renderer/pages/connections/draft';
import { KIND_HELP, METHOD_NOTES } from '../../renderer/pages/connections/kinds';
import { TestResult } from '../../renderer/pages/connections/ProfileCard';
import { ProfileForm } from '../../renderer/pages/connections/ProfileForm';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

type Tree = { [k: string]: string | Tree };
const lookup = (lng: string, key: string): string | undefined => {
  let node: string | Tree | undefined = resources[lng as 'en'].connections as unknown as Tree;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
};
const errorsOf = (lng: string) => (resources[lng as 'en'].common as unknown as { errors: Record<string, string> }).errors;
const SANDBOX_AUTHORITY = 'https://login.sandbox.localhost';

beforeEach(() => {
  resetConnectionsStore();
});

describe('connections form: Commerce headquarters and Microsoft 365 (Graph)', () => {
  it('every kind help and method note exists in all four languages, translated', () => {
    const keys = [...KIND_HELP.map((k) => `form.kindHelp.${k}`), ...Object.entries(METHOD_NOTES).flatMap(([k, ms]) => ms.map((m) => `form.methodHint.${k}.${m}`)), 'form.sandboxCertificate'];
    expect(keys.length).toBeGreaterThan(8);
    for (const { code } of LANGUAGES) {
      for (const key of keys) {
        const text = lookup(code, key);
        expect(text, `${code}:${key}`).toBeTruthy();
        if (code !== 'en') expect(text, `${code}:${key}`).not.toBe(lookup('en', key));
      }
    }
  });

  for (const { code } of LANGUAGES) {
    it(`shows the kind's setup help and the method's needs, and follows a kind change (${code})`, () => {
      const { missing } = renderWith(<ProfileForm initial={withKind(newDraft(), 'graph')} onClose={() => {}} />, fakeTransport({}), code);
      const dialog = screen.getByRole('dialog');
      const help = within(dialog).getByTestId('kind-help');
      expect(help.getAttribute('data-kind')).toBe('graph');
      expect(help.textContent).toBe(lookup(code, 'form.kindHelp.graph'));
      // Graph: the application permissions the connection test checks are named.
      for (const permission of ['Group.ReadWrite.All', 'User.Read.All', 'TeamMember.ReadWrite.All', 'Tasks.ReadWrite.All']) expect(help.textContent).toContain(permission);
      expect(within(dialog).getByTestId('method-hint').textContent).toBe(lookup(code, `form.methodHint.graph.${withKind(newDraft(), 'graph').authMethod}`));

      fireEvent.change(within(dialog).getByLabelText(lookup(code, 'form.kind')!), { target: { value: 'commerce-hq' } });
      expect(within(dialog).getByTestId('kind-help').getAttribute('data-kind')).toBe('commerce-hq');
      expect(within(dialog).getByTestId('kind-help').textContent).toBe(lookup(code, 'form.kindHelp.commerce-hq'));
      expect(within(dialog).getByText(lookup(code, 'form.urlHint.commerce-hq')!)).toBeTruthy();
      fireEvent.change(within(dialog).getByLabelText(lookup(code, 'form.authMethod')!), { target: { value: 'client-secret' } });
      expect(within(dialog).getByTestId('method-hint').textContent).toBe(lookup(code, 'form.methodHint.commerce-hq.client-secret'));

      // Dataverse has no such help.
      fireEvent.change(within(dialog).getByLabelText(lookup(code, 'form.kind')!), { target: { value: 'dataverse' } });
      expect(within(dialog).queryByTestId('kind-help')).toBeNull();
      expect(within(dialog).queryByTestId('method-hint')).toBeNull();
      expect(missing).toEqual([]);
    });
  }

  it('says why certificate sign-in cannot work against the demo sandbox, and only there', () => {
    const draft = { ...withKind(newDraft(), 'commerce-hq'), authMethod: 'certificate' as const, authorityHost: SANDBOX_AUTHORITY };
    renderWith(<ProfileForm initial={draft} onClose={() => {}} />, fakeTransport({}));
    const hint = screen.getByTestId('method-hint');
    expect(hint.textContent).toContain(lookup('en', 'form.methodHint.commerce-hq.certificate'));
    expect(hint.textContent).toContain(lookup('en', 'form.sandboxCertificate'));
    fireEvent.change(screen.getByLabelText(/^Sign-in authority/), { target: { value: 'https://login.microsoftonline.com' } });
    expect(screen.getByTestId('method-hint').textContent).toBe(lookup('en', 'form.methodHint.commerce-hq.certificate'));
  });
});

describe('connection test results for Graph and Commerce headquarters', () => {
  const cases: [string, Record<string, string>][] = [
    ['CONNECTION_GRAPH_PERMISSION_MISSING', { permissions: 'TeamMember.ReadWrite.All, Tasks.ReadWrite.All' }],
    ['CONNECTION_GRAPH_NO_ADMIN_CONSENT', {}],
    ['CONNECTION_COMMERCE_APP_NOT_REGISTERED', { clientId: 'a4c2e6f8-1b3d-4f5a-9c7e-2d4f6a8b0c1e' }],
    ['CONNECTION_COMMERCE_AUDIENCE', { expected: 'https://nordlys.operations.dynamics.com' }],
    ['CONNECTION_COMMERCE_WRONG_TENANT', {}],
  ];
  for (const { code: lng } of LANGUAGES) {
    it(`renders each diagnosis translated, with its parameters and main's details (${lng})`, () => {
      for (const [code, params] of cases) {
        const report: ConnectionTestReport = {
          profileId: 'p', ok: false, user: null, version: null, details: {}, tokenMs: 5, latencyMs: null,
          error: { code, message: `MAIN SAYS ${code}`, params }, at: '2026-01-01T00:00:00.000Z',
        };
        const { unmount, missing } = renderWith(<TestResult report={report} />, fakeTransport({}), lng);
        const result = screen.getByTestId('test-result');
        expect(result.getAttribute('data-ok')).toBe('false');
        const template = errorsOf(lng)[code]!;
        expect(template, `${lng}:${code}`).toBeTruthy();
        const expected = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => params[k]!);
        expect(within(result).getByText(expected)).toBeTruthy();
        for (const v of Object.values(params)) expect(result.textContent).toContain(v);
        expect(result.textContent).toContain(`MAIN SAYS ${code}`);
        expect(missing).toEqual([]);
        unmount();
      }
    });
  }
});
