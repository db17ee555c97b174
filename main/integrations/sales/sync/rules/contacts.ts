/**
 * CONTACT (reference §C.4 CONTACT, §F.14): a person contact's parent account.
 *
 * BC → DV: the contact's Company No. names a company contact; the customer (or vendor) whose Company Contact No. is
 * that company is its business relation, and the Dataverse account coupled to that customer / vendor becomes
 * parentcustomerid (type account). No such customer / vendor → BC's "The contact %1 must have a contact company that
 * has a business relation to a customer"; one that is not coupled yet → "… synchronize CUSTOMER (or VENDOR) first".
 * DV → BC: parentcustomerid (an account) → the customer or vendor coupled to it → its Company Contact No. becomes the
 * contact's Company No.; none → "The contact cannot be synchronized because the company does not exist". New
 * contacts from Dataverse get Name = first, middle and last name (BC's page computes it the same way).
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { setIfChanged, type MappingRules } from '../engine/hooks';
import type { Row } from '../ports';
import { BcByNumber, code, coupledBcId, coupledDvId, text } from './documents';
import type { RuleDeps, RuleModule } from './types';

export const VENDOR_TABLE_ID = 23;
const CUSTOMER_TABLE_ID = 18;

export const isContactMapping = (m: TableMapping): boolean => m.bcTable === 'Contact' && m.dataverseEntity === 'contact' && !m.isOptionMapping;

export const noBusinessRelation = (no: string): string =>
  `The contact ${no} must have a contact company that has a business relation to a customer or vendor. Set its Company No. to the company contact of a customer or vendor.`;
export const partyNotCoupled = (no: string, kind: 'Customer' | 'Vendor', partyNo: string): string =>
  `The contact ${no} belongs to ${kind} ${partyNo}, which is not coupled to a Dataverse account. Synchronize ${kind === 'Customer' ? 'CUSTOMER' : 'VENDOR'} (or couple the ${kind.toLowerCase()}) first.`;
export const COMPANY_DOES_NOT_EXIST = 'The contact cannot be synchronized because the company does not exist. Couple or synchronize its parent account (CUSTOMER or VENDOR) first.';

function contactMappingRules(deps: RuleDeps): MappingRules {
  const customers = new BcByNumber(deps.sides.bc, 'Customer', 'Company Contact No.');
  const vendors = new BcByNumber(deps.sides.bc, 'Vendor', 'Company Contact No.');
  /** BC customer / vendor SystemId → its row (DV → BC), read once per pass. */
  const parties = new Map<string, Row | null>();

  const partyOf = (companyNo: string): { kind: 'Customer' | 'Vendor'; row: Row } | null => {
    const c = customers.get(companyNo);
    if (c) return { kind: 'Customer', row: c };
    const v = vendors.get(companyNo);
    return v ? { kind: 'Vendor', row: v } : null;
  };

  return {
    async beforeBatch(_m, dir, rows) {
      if (dir === 'to') {
        const companies = rows.map((r) => r.values['Company No.']);
        await customers.load(companies);
        // Vendors only for companies that are no customer's.
        await vendors.load(companies.filter((c) => !customers.get(c)));
        return;
      }
      const want: { table: 'Customer' | 'Vendor'; id: string }[] = [];
      for (const r of rows) {
        const account = r.values.parentcustomerid;
        if (typeof account !== 'string' || account === '') continue;
        const cust = coupledBcId(deps.couplings, CUSTOMER_TABLE_ID, account);
        const vend = cust ? null : coupledBcId(deps.couplings, VENDOR_TABLE_ID, account);
        const id = cust ?? vend;
        if (id && !parties.has(id)) want.push({ table: cust ? 'Customer' : 'Vendor', id });
      }
      for (const table of ['Customer', 'Vendor'] as const) {
        const ids = want.filter((w) => w.table === table).map((w) => w.id);
        if (ids.length === 0) continue;
        const found = new Map((await deps.sides.bc.getByIds(table, ids)).map((r) => [r.id.toLowerCase(), r]));
        for (const id of ids) parties.set(id.toLowerCase(), found.get(id.toLowerCase()) ?? null);
      }
    },
    prepare(ctx, values) {
      const v = ctx.source.values;
      if (ctx.dir === 'to') {
        const no = text(v['No.']);
        const companyNo = code(v['Company No.']);
        const party = companyNo ? partyOf(companyNo) : null;
        if (!party) return noBusinessRelation(no);
        const account = coupledDvId(deps.couplings, party.kind === 'Customer' ? CUSTOMER_TABLE_ID : VENDOR_TABLE_ID, party.row.id);
        if (!account) return partyNotCoupled(no, party.kind, text(party.row.values['No.']));
        setIfChanged(values, ctx.dest, 'parentcustomerid', account);
        if ('parentcustomerid' in values) values.parentcustomeridtype = 'account';
        else delete values.parentcustomeridtype;
        return null;
      }
      const account = v.parentcustomerid;
      if (typeof account !== 'string' || account === '') return COMPANY_DOES_NOT_EXIST;
      const id = coupledBcId(deps.couplings, CUSTOMER_TABLE_ID, account) ?? coupledBcId(deps.couplings, VENDOR_TABLE_ID, account);
      const party = id ? parties.get(id.toLowerCase()) : null;
      const companyNo = party ? code(party.values['Company Contact No.']) : '';
      if (!companyNo) return COMPANY_DOES_NOT_EXIST;
      setIfChanged(values, ctx.dest, 'Company No.', companyNo);
      if (ctx.dest === null) {
        values.Type = 'Person';
        const name = [v.firstname, v.middlename, v.lastname].map(text).filter((x) => x !== '').join(' ');
        if (name) values.Name = name.slice(0, 100);
      }
      return null;
    },
  };
}

/** Rule module: the CONTACT mapping's parent account. */
export const contactRules: RuleModule = (deps) => (mapping) => (isContactMapping(mapping) ? contactMappingRules(deps) : null);
