/** The not-carried information (issue 18) in the mappings editor and on the Sync page, in every language. */
import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CompanionStatus } from '../../preload/contract';
import { NotCarriedCard, NotCarriedLine } from '../../renderer/components/NotCarried';
import { LANGUAGES } from '../../renderer/i18n';
import { useCompanionStore } from '../../renderer/stores/companion';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const status = (state: CompanionStatus['state']): CompanionStatus => ({
  connection: 'Demo sandbox · Business Central', state, version: state === 'installed' ? '1.0.0.0' : null, minimumVersion: '1.0.0.0', checkedAt: '2026-12-07T03:00:00.000Z',
  mappings: [
    {
      mapping: 'CUSTOMER', runs: true,
      fields: state === 'missing'
        ? [{ bcField: 'Fax No.', dataverseField: 'fax', reason: 'needsCompanion' }, { bcField: 'Primary Contact No.', dataverseField: 'primarycontactid', reason: 'notSupported' }]
        : [{ bcField: 'Primary Contact No.', dataverseField: 'primarycontactid', reason: 'notSupported' }],
    },
    { mapping: 'OPPORTUNITY', runs: state !== 'missing', fields: [] },
  ],
});
const FIELDS = [{ bcField: 'Fax No.', dataverseField: 'fax' }, { bcField: 'Primary Contact No.', dataverseField: 'primarycontactid' }, { bcField: 'Name', dataverseField: 'name' }];

beforeEach(() => useCompanionStore.setState({ status: null }));

describe('not carried on this connection', () => {
  for (const { code } of LANGUAGES) {
    it(`lists the fields and the reasons without the extension, and what cannot run (${code})`, async () => {
      const fake = fakeTransport({ 'companion.status': () => status('missing') });
      const { missing } = renderWith(
        <>
          <NotCarriedCard mapping="CUSTOMER" fields={FIELDS} />
          <NotCarriedCard mapping="OPPORTUNITY" fields={[]} />
          <NotCarriedLine mapping="CUSTOMER" />
          <NotCarriedLine mapping="OPPORTUNITY" />
        </>,
        fake, code,
      );
      const card = await screen.findByTestId('not-carried-CUSTOMER');
      expect(card.getAttribute('data-count')).toBe('2');
      expect(within(card).getAllByTestId('not-carried-field').map((li) => li.getAttribute('data-reason'))).toEqual(['needsCompanion', 'notSupported']);
      expect(card.textContent).toContain('Fax No. → fax');
      expect(card.textContent).toContain('Demo sandbox · Business Central');
      expect(screen.getByTestId('not-carried-OPPORTUNITY')).toBeTruthy();
      expect(screen.getByTestId('sync-not-carried-CUSTOMER').textContent).toContain('Fax No.');
      expect(screen.getByTestId('sync-not-carried-OPPORTUNITY')).toBeTruthy();
      // One request for all four components, with refresh (a change in BC shows at the next page visit).
      expect(fake.calls.filter((c) => c.method === 'companion.status')).toEqual([{ method: 'companion.status', payload: { refresh: true } }]);
      expect(missing).toEqual([]);
    });
  }

  it('with the extension installed only what no connection carries is listed, as information', async () => {
    const fake = fakeTransport({ 'companion.status': () => status('installed') });
    renderWith(<><NotCarriedCard mapping="CUSTOMER" fields={FIELDS} /><NotCarriedLine mapping="OPPORTUNITY" /></>, fake);
    const card = await screen.findByTestId('not-carried-CUSTOMER');
    expect(within(card).getAllByTestId('not-carried-field').map((li) => li.getAttribute('data-reason'))).toEqual(['notSupported']);
    expect(card.textContent).toContain('1.0.0.0');
    expect(screen.queryByTestId('sync-not-carried-OPPORTUNITY')).toBeNull();
  });

  it('an edited mapping shows only the field mappings it still has; a failed status call shows nothing', async () => {
    const fake = fakeTransport({ 'companion.status': () => status('missing') });
    renderWith(<NotCarriedCard mapping="CUSTOMER" fields={[{ bcField: 'Name', dataverseField: 'name' }]} />, fake);
    await waitFor(() => expect(useCompanionStore.getState().status).not.toBeNull());
    expect(screen.queryByTestId('not-carried-CUSTOMER')).toBeNull();
    useCompanionStore.setState({ status: null });
    renderWith(<NotCarriedCard mapping="CUSTOMER" fields={FIELDS} />, fakeTransport({}));
    await waitFor(() => expect(useCompanionStore.getState().status).toBeNull());
    expect(screen.queryByTestId('not-carried-CUSTOMER')).toBeNull();
  });
});
