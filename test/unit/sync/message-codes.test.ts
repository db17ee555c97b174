import { describe, expect, it } from 'vitest';
import { messageCode } from '../../../main/integrations/sales/sync/service/messages';

/** Demo-data failures a user meets after the first synchronization read in the UI language (codes, not English). */
describe('runtime texts of the demo failures have codes', () => {
  it('a price in another currency than its Sales price list', () => {
    const m = 'The price for V001020 is in currency EUR but the Dynamics 365 Sales price list PARTNER is in another currency. A Sales price list holds one currency: put prices in other currencies on a price list in that currency.';
    expect(messageCode(m)).toEqual({ code: 'priceListCurrency', params: { asset: 'V001020', currency: 'EUR', list: 'PARTNER' } });
  });
  it('a contact whose customer or vendor is not coupled', () => {
    const m = 'The contact KT000004 belongs to Customer K10001, which is not coupled to a Dataverse account. Synchronize CUSTOMER (or couple the customer) first.';
    expect(messageCode(m)).toEqual({ code: 'contactPartyNotCoupled', params: { contact: 'KT000004', party: 'K10001', mapping: 'CUSTOMER' } });
    expect(messageCode(m.replace('Customer', 'Vendor').replace('CUSTOMER', 'VENDOR').replace('the customer', 'the vendor'))?.params.mapping).toBe('VENDOR');
  });
});
