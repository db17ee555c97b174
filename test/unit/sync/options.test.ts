import { describe, expect, it } from 'vitest';
import { runOptionMapping, type OptionSetPort, type OptionValue } from '../../../main/integrations/sales/sync/engine/options';
import { field, itemMapping, world } from './fakes';

class FakeOptions implements OptionSetPort {
  constructor(public values: OptionValue[] = [], public next = 100_000_000, public failOn: string | null = null) {}
  async listOptions(): Promise<OptionValue[]> {
    return this.values.map((v) => ({ ...v }));
  }
  async insertOption(_e: string, _a: string, label: string): Promise<number> {
    if (label === this.failOn) throw new Error('Metadata service unavailable');
    const value = this.next++;
    this.values.push({ value, label });
    return value;
  }
  async updateOptionLabel(_e: string, _a: string, value: number, label: string): Promise<void> {
    this.values.find((v) => v.value === value)!.label = label;
  }
}

const paymentTerms = (o = {}) =>
  itemMapping({
    name: 'PAYMENT TERMS', bcTable: 'Payment Terms', bcTableId: 3, dataverseEntity: 'account', dataverseEntitySet: 'accounts',
    integrationUidField: 'paymenttermscode', isOptionMapping: true, direction: 'ToIntegrationTable', synchOnlyCoupled: false,
    fields: [field('Code', 'paymenttermscode', 'ToIntegrationTable')], ...o,
  });

describe('option mappings (E.13)', () => {
  it('To: couples codes to existing captions, adds missing values, then only pushes modified codes', async () => {
    const w = world();
    const port = new FakeOptions([{ value: 1, label: 'Net 30' }, { value: 2, label: '14 DAYS' }]);
    w.bc.put('Payment Terms', 'pt-1', { Code: '14 DAYS' });
    w.bc.put('Payment Terms', 'pt-2', { Code: '1M(8D)' });
    const m = paymentTerms();
    const r = await runOptionMapping(w.engine, m, port);
    expect(r.to).toMatchObject({ coupled: 1, inserted: 1, failed: 0 });
    expect(w.engine.couplings.optionByCode(m.name, '14 DAYS')!.optionValue).toBe(2);
    expect(port.values.map((v) => v.label)).toEqual(['Net 30', '14 DAYS', '1M(8D)']);
    const again = await runOptionMapping(w.engine, m, port);
    expect(again.to).toMatchObject({ inserted: 0, coupled: 0, unchanged: 0 });
    expect(again.changed).toBe(false);
  });

  it('To: refuses commas and captions whose first 10 characters collide', async () => {
    const w = world();
    const port = new FakeOptions([{ value: 1, label: 'CASH ON DELIVERY' }]);
    w.bc.put('Payment Terms', 'pt-1', { Code: 'A,B' });
    w.bc.put('Payment Terms', 'pt-2', { Code: 'CASH ON DE' });
    const r = await runOptionMapping(w.engine, paymentTerms(), port);
    expect(r.to!.failed).toBe(2);
    const messages = w.engine.log.errors(r.to!.id).map((e) => e.message).join('\n');
    expect(messages).toMatch(/contains a comma/);
    expect(messages).toMatch(/first 10 characters match the existing option "CASH ON DELIVERY"/);
  });

  it('To: a failed push is retried on the next run although the BC record did not change', async () => {
    const w = world();
    const port = new FakeOptions([{ value: 1, label: 'OLD' }]);
    const m = paymentTerms();
    w.engine.couplings.coupleOption(m.name, 'NEW', 1, 'OLD');
    w.bc.put('Payment Terms', 'pt-1', { Code: 'NEW' });
    port.updateOptionLabel = async () => {
      throw new Error('Metadata service unavailable');
    };
    const r1 = await runOptionMapping(w.engine, m, port);
    expect(r1.to!.failed).toBe(1);
    port.updateOptionLabel = FakeOptions.prototype.updateOptionLabel.bind(port);
    const r2 = await runOptionMapping(w.engine, m, port);
    expect(r2.to!.modified).toBe(1);
    expect(port.values[0]!.label).toBe('NEW');
  });

  it('From: creates BC codes for uncoupled option values unless Synch. Only Coupled Records', async () => {
    const w = world();
    const port = new FakeOptions([{ value: 1, label: 'Airborne' }, { value: 2, label: 'DHL' }]);
    const m = paymentTerms({ name: 'SHIPPING AGENT', bcTable: 'Shipping Agent', bcTableId: 291, direction: 'FromIntegrationTable', integrationUidField: 'address1_shippingmethodcode', fields: [field('Code', 'address1_shippingmethodcode', 'FromIntegrationTable')] });
    const only = await runOptionMapping(w.engine, { ...m, synchOnlyCoupled: true }, port);
    expect(only.from).toMatchObject({ skipped: 2, inserted: 0 });
    const r = await runOptionMapping(w.engine, m, port);
    expect(r.from!.inserted).toBe(2);
    expect(w.bc.all('Shipping Agent').map((x) => x.values.Code).sort()).toEqual(['AIRBORNE', 'DHL']);
    expect((await runOptionMapping(w.engine, m, port)).from).toMatchObject({ inserted: 0, unchanged: 2 });
    expect(w.bc.all('Shipping Agent')).toHaveLength(2);
  });

  it('refuses non-option and bidirectional option mappings', async () => {
    const w = world();
    await expect(runOptionMapping(w.engine, itemMapping(), new FakeOptions())).rejects.toThrow(/not an option mapping/);
    await expect(runOptionMapping(w.engine, paymentTerms({ direction: 'Bidirectional' }), new FakeOptions())).rejects.toThrow(/cannot be Bidirectional/);
  });
});
