/**
 * OPPORTUNITY against the sandbox over HTTP: a BC opportunity reaches Sales with its coupled contact, the contact's
 * account and the LCY currency; an opportunity made in Sales becomes a BC opportunity (companion API) with the coupled
 * contact's No.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BcRow, BusinessCentralClient } from '../../../main/clients/bc';
import { CURRENCY_IDS } from '../../../main/sandbox/dataverse/seed';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { combineRules } from '../../../main/integrations/sales/sync/engine/hooks';
import { OPPORTUNITY_MAPPING, opportunityRules } from '../../../main/integrations/sales/sync/rules/opportunities';
import { tempDir } from '../../support/app';
import { allRows, coupleNew, engineWith, startDocSandbox, type DocSandbox } from './documents-support';

const tmp = tempDir('d365ic-rules-opportunities-');
let sb: DocSandbox;
beforeAll(async () => {
  sb = await startDocSandbox(tmp.dir);
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

const mapping = (() => {
  const m = adapterMappings({}, [OPPORTUNITY_MAPPING])[0]!;
  return { ...m, fields: m.fields.filter((f) => f.dataverseField !== 'ownerid' && f.dataverseField !== 'owneridtype') };
})();

describe('opportunities (sandbox)', () => {
  it('BC → Sales with contact, account and LCY currency; Sales → BC with the coupled contact', async () => {
    const { engine, deps } = engineWith(`${tmp.dir}/opp.sqlite`, sb, (d) => (m) => combineRules(opportunityRules(d)(m)));
    const bc = sb.c.bc as unknown as { v2: BusinessCentralClient; custom: BusinessCentralClient };
    const company = sb.bc.companyId;
    const opps = await bc.custom.listAll(company, 'opportunities', { filter: "status eq 'In Progress'" as never });
    const opp = opps.find((o) => o.contactNumber !== '')!;
    const [contact] = await bc.v2.listAll<BcRow>(company, 'contacts', { filter: `number eq '${String(opp.contactNumber)}'` as never });
    const account = '5a100000-0000-4000-8000-000000000001';
    const dvContact = '5a100000-0000-4000-8000-000000000002';
    await coupleNew(sb, deps, 18, 'accounts', 'account', '00000000-0000-4000-8000-00000000f00d', account, { name: 'Kontakt AS' });
    await coupleNew(sb, deps, 5050, 'contacts', 'contact', String(contact!.id), dvContact, { lastname: String(contact!.displayName), parentcustomerid: account, parentcustomeridtype: 'account' });

    const r = await engine.runMapping(mapping, { only: 'to', ids: [String(opp.id)] });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const dvId = deps.couplings.byBc(5092, String(opp.id))!.dvId;
    const [row] = await sb.c.dataverse.getByIds('opportunities', [dvId]);
    expect(row!.values).toMatchObject({
      name: opp.description, parentcontactid: dvContact, parentaccountid: account, customerid: account, estimatedvalue: opp.estimatedValueLcy,
      transactioncurrencyid: CURRENCY_IDS.NOK.toLowerCase(),
    });

    // Made in Sales: BC gets an opportunity for the coupled contact.
    const fromSales = '5a100000-0000-4000-8000-000000000003';
    const [w] = await sb.c.dataverse.write('opportunities', [{ kind: 'insert', id: fromSales, idempotencyKey: fromSales, validate: [], template: null,
      values: { name: 'Ny flåte til Bergen', parentcontactid: dvContact } }]);
    expect(w?.ok).toBe(true);
    const r2 = await engine.runMapping(mapping, { only: 'from', ids: [fromSales] });
    expect(engine.log.errors(r2.from!.id)).toEqual([]);
    expect(r2.from?.inserted).toBe(1);
    const bcId = deps.couplings.byDv(5092, fromSales)!.bcId!;
    const made = await bc.custom.get(company, 'opportunities', bcId);
    expect(made).toMatchObject({ description: 'Ny flåte til Bergen', contactNumber: opp.contactNumber });
    // Exactly one BC opportunity with that description (the idempotent insert did not repeat).
    expect((await allRows(sb.c.bc, 'Opportunity')).filter((o) => o.values.Description === 'Ny flåte til Bergen')).toHaveLength(1);
  }, 30_000);
});
