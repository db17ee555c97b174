import { fireEvent, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { FinishStep } from '../../renderer/pages/sales/setup/steps/FinishStep';
import { useAppStore } from '../../renderer/stores/app';
import { useSetupStore } from '../../renderer/stores/setup';
import { resetSyncStore, useSyncStore } from '../../renderer/stores/sync';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const enabled = { enabled: true, enabledAt: '2026-11-23T13:00:00.000Z', crmVersion: '9.2.24104.00182', solutionVersion: '24.0.0.0', mappingSetName: 'Dynamics 365 Sales', disableReason: null };
const disabled = { ...enabled, enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null, mappingSetName: null };

beforeEach(() => {
  resetSyncStore();
  useAppStore.setState({ page: 'setup' });
});

describe('setup ends on What next', () => {
  it('after Enable: says the job queue waits for the initial synchronization and leads to the full synchronization review', () => {
    useSetupStore.setState({ status: enabled, report: null, jobsOnHold: null });
    const { missing } = renderWith(<FinishStep />, fakeTransport({}));
    const next = screen.getByTestId('setup-what-next');
    expect(next.textContent).toContain('stay on hold until the initial synchronization is done');
    expect(next.textContent).toContain('full synchronization review');
    fireEvent.click(screen.getByTestId('setup-what-next-review'));
    expect(useAppStore.getState().page).toBe('sync');
    expect(useSyncStore.getState().focusReview).toBe(true);
    expect(missing).toEqual([]);
  });

  it('is not shown before the connection is enabled, and reads in every language', () => {
    useSetupStore.setState({ status: disabled, report: null, jobsOnHold: null });
    const first = renderWith(<FinishStep />, fakeTransport({}));
    expect(screen.queryByTestId('setup-what-next')).toBeNull();
    first.unmount();
    for (const lng of ['nb-NO', 'nl-NL', 'fi-FI'] as const) {
      useSetupStore.setState({ status: enabled });
      const { missing, unmount } = renderWith(<FinishStep />, fakeTransport({}), lng);
      expect(screen.getByTestId('setup-what-next').textContent).not.toContain('initial synchronization');
      expect(missing).toEqual([]);
      unmount();
    }
  });
});
