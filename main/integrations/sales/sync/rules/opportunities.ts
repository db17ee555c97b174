/**
 * Opportunities (OPPORTUNITY, Bidirectional; reference §C.4 OPPORTUNITY, §E.11).
 *
 * BC → Dataverse: `Contact No.` → parentcontactid through the contact's coupling (CONTACT); `Contact Company No.` →
 * parentaccountid = the account the coupled Dataverse contact belongs to (its parentcustomerid), which is the account
 * coupled to the customer of the contact's company — a company contact is never coupled itself; the potential
 * customer (customerid) is that account, else the contact. Estimated Value is in LCY, so the opportunity's currency
 * is the LCY currency. Owner: the owner rules (Salesperson Code → ownerid).
 * Dataverse → BC: the contact comes back as `Contact No.` of the BC contact coupled to parentcontactid (BC needs a
 * contact on every opportunity); no coupled contact → a message that says to couple it.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { PassDirection } from '../coupling/store';
import { setIfChanged, type MappingRules, type RuleContext } from '../engine/hooks';
import type { Row } from '../ports';
import { BcByNumber, coupledBcId, coupledDvId, normalizeDates, TABLE, text } from './documents';
import type { RuleDeps } from './types';
import { lcyCurrencyId } from './pricelists';

export const OPPORTUNITY_MAPPING = 'OPPORTUNITY';
const isOpportunity = (m: TableMapping) => m.bcTable === 'Opportunity' && m.dataverseEntity === 'opportunity';

export function opportunityRules(deps: RuleDeps): (mapping: TableMapping) => MappingRules | null {
  return (mapping) => (isOpportunity(mapping) ? new OpportunityPass(deps).rules() : null);
}

const guid = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

class OpportunityPass {
  private readonly contacts: BcByNumber;
  /** Dataverse contacts (by id) of this batch's opportunities: their parent account. */
  private readonly dvContacts = new Map<string, Row>();
  /** BC contacts (by SystemId) coupled to the Dataverse contacts of this batch. */
  private readonly bcContacts = new Map<string, Row>();
  private lcy: string | null | undefined;

  constructor(private readonly deps: RuleDeps) {
    this.contacts = new BcByNumber(deps.sides.bc, 'Contact');
  }

  rules(): MappingRules {
    return {
      beforeBatch: (_m, dir, rows) => this.beforeBatch(dir, rows),
      prepare: (ctx, values) => (ctx.dir === 'to' ? this.prepareTo(ctx, values) : this.prepareFrom(ctx, values)),
    };
  }

  private async beforeBatch(dir: PassDirection, rows: readonly Row[]): Promise<void> {
    const { bc, dataverse } = this.deps.sides;
    if (dir === 'to') {
      await this.contacts.load(rows.map((r) => r.values['Contact No.']));
      const dvIds = rows.map((r) => this.contacts.get(r.values['Contact No.'])).filter((c): c is Row => !!c)
        .map((c) => coupledDvId(this.deps.couplings, TABLE.contact, c.id)).filter((x): x is string => x !== null && !this.dvContacts.has(x));
      for (const c of dvIds.length ? await dataverse.getByIds('contacts', [...new Set(dvIds)]) : []) this.dvContacts.set(c.id.toLowerCase(), c);
      if (this.lcy === undefined) this.lcy = await lcyCurrencyId(this.deps).catch(() => null);
    } else {
      const bcIds = rows.map((r) => guid(r.values.parentcontactid)).filter((x): x is string => x !== null)
        .map((id) => coupledBcId(this.deps.couplings, TABLE.contact, id)).filter((x): x is string => x !== null && !this.bcContacts.has(x));
      for (const c of bcIds.length ? await bc.getByIds('Contact', [...new Set(bcIds)]) : []) this.bcContacts.set(c.id.toLowerCase(), c);
    }
  }

  private prepareTo(ctx: RuleContext, values: Record<string, unknown>): string | null {
    const v = ctx.source.values;
    const no = text(v['No.']);
    const contactNo = text(v['Contact No.']);
    const contact = this.contacts.get(contactNo);
    if (!contact) return `Contact ${contactNo || '(blank)'} of opportunity ${no} could not be found in Business Central. Every opportunity needs a contact.`;
    const dvContact = coupledDvId(this.deps.couplings, TABLE.contact, contact.id);
    if (!dvContact) {
      return `Contact ${contactNo} must be coupled to a Dataverse contact before opportunity ${no} can be synchronized. ` +
        'Couple the contact (or synchronize CONTACT, after CUSTOMER) first.';
    }
    const row = this.dvContacts.get(dvContact);
    // The company's account: the coupled contact's parent account (company contacts are not coupled themselves).
    const account = row && (row.values.parentcustomeridtype ?? 'account') === 'account' ? guid(row.values.parentcustomerid) : null;
    normalizeDates('to', values, ctx.dest);
    setIfChanged(values, ctx.dest, 'parentcontactid', dvContact);
    setIfChanged(values, ctx.dest, 'parentaccountid', account);
    setIfChanged(values, ctx.dest, 'customerid', account ?? dvContact);
    if ('customerid' in values) values.customeridtype = account ? 'account' : 'contact';
    if (this.lcy) setIfChanged(values, ctx.dest, 'transactioncurrencyid', this.lcy);
    return null;
  }

  private prepareFrom(ctx: RuleContext, values: Record<string, unknown>): string | null {
    normalizeDates('from', values, ctx.dest);
    const dvContact = guid(ctx.source.values.parentcontactid);
    const bcId = dvContact ? coupledBcId(this.deps.couplings, TABLE.contact, dvContact) : null;
    const contact = bcId ? this.bcContacts.get(bcId.toLowerCase()) : undefined;
    if (!contact) {
      // An existing BC opportunity keeps its contact; a new one cannot be made without one.
      if (ctx.dest) return null;
      const name = text(ctx.source.values.name);
      return dvContact
        ? `The contact of opportunity "${name}" is not coupled to a Business Central contact. Couple the contact (CONTACT) first, then synchronize again.`
        : `Opportunity "${name}" has no contact. Business Central needs a contact on every opportunity: set the opportunity's contact in Sales.`;
    }
    if (!ctx.dest || text(ctx.dest.values['Contact No.']).toUpperCase() !== text(contact.values['No.']).toUpperCase()) values['Contact No.'] = contact.values['No.'];
    return null;
  }
}
