import { fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETUP_DRAFT, type SetupDraft } from '../../preload/contract/setup';
import { railState } from '../../renderer/pages/setup/logic';
import { SetupPage } from '../../renderer/pages/setup/SetupPage';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { resetSetupStore } from '../../renderer/stores/setup';
import { renderWith } from './render';
import { APP_CLIENT_ID, backend, COMPANY_ID, demoProfiles } from './setup-fixtures';

const draftAt = (step: SetupDraft['step'], p: ReturnType<typeof demoProfiles>): SetupDraft => ({
  ...DEFAULT_SETUP_DRAFT, step,
  bc: { kind: 'online', profileId: p.bc.id, companyId: COMPANY_ID, companyName: 'CRONUS' },
  bcVersion: { major: 24, api: 'v2.0', path: 'api' }, dataverseProfileId: p.admin.id, dataverseUrl: p.admin.url,
  integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, integrationProfileId: p.dv.id, lcyCode: 'NOK',
});

beforeEach(() => {
  resetSetupStore();
  resetConnectionsStore();
});

describe('setup rail while the connection is enabled', () => {
  it('keeps every step ticked when you go back to one of them (e.g. to sign in again at step 3)', () => {
    expect(railState('salespeople', 'dataverse', true)).toBe('done');
    expect(railState('finish', 'dataverse', true)).toBe('done');
    expect(railState('dataverse', 'dataverse', true)).toBe('current');
    // Not enabled: later steps are still to do.
    expect(railState('salespeople', 'dataverse', false)).toBe('todo');
  });

  it('on the page: re-signing at step 3 leaves the later steps ticked and reachable', async () => {
    const p = demoProfiles();
    const b = backend({ profiles: Object.values(p), draft: draftAt('finish', p), savedAt: '2026-11-23T12:00:00.000Z' });
    b.state.status = { ...b.state.status, enabled: true, enabledAt: '2026-11-23T12:30:00.000Z' };
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-rail');
    fireEvent.click(screen.getByTestId('rail-step-dataverse'));
    await waitFor(() => expect(screen.getByTestId('rail-step-dataverse').getAttribute('data-state')).toBe('current'));
    fireEvent.click(await screen.findByTestId('setup-dv-signin'));
    await waitFor(() => expect(b.callsOf('connections.test')).toHaveLength(1));
    for (const step of ['integration-user', 'advanced', 'preflight', 'salespeople', 'finish']) {
      expect(screen.getByTestId(`rail-step-${step}`).getAttribute('data-state'), step).toBe('done');
    }
    fireEvent.click(screen.getByTestId('rail-step-finish'));
    await waitFor(() => expect(screen.getByTestId('rail-step-finish').getAttribute('data-state')).toBe('current'));
  });
});
