/**
 * Which field mappings a connection carries, and why not (issue 18). Business Central's standard API v2.0 lacks much
 * of what the default mappings need; the Integration Console companion extension (bc-extension/, api/d365ic/
 * integration/v1.0) publishes the rest. With the extension the adapters read Item / Customer / Vendor / Contact
 * through its *Details pages and the price, unit, opportunity and invoice tables through its other pages; without it
 * they fall back to the v2.0 pages below, and every field only the extension has is "not carried on this connection".
 *
 * `fieldsNotCarried` is the one answer: the adapters filter mappings with it (adapterMappings), the setup pre-flight
 * lists what runs degraded, and the mappings editor, the Synchronization page and the XLSX review show it per mapping.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { BC_ENTITIES, DV_ENTITIES, type BcEntity, type BcProp } from './entities';

/**
 * - needsCompanion: Business Central publishes the field (or the whole table) only through the companion extension,
 *   which this connection does not have.
 * - notInStandardApi: neither BC's standard API nor the companion extension publishes the field to the console.
 * - notSupported: the console does not carry the Dataverse side yet (a lookup or option value nothing translates, an
 *   attribute the environment's metadata lacks, or a table the adapters do not know).
 */
/**
 * Dataverse lookups and option sets that only the domain rules translate (RULE_LOOKUPS below), and lookups nothing
 * translates yet (vendorid of products, primarycontactid of accounts: BC numbers of a vendor / contact → the coupled
 * row; see docs/sync-rules-master-data.md).
 */
const NOT_CARRIED = new Set([
  'transactioncurrencyid', 'vendorid', 'defaultuomscheduleid', 'defaultuomid', 'ownerid', 'owneridtype', 'primarycontactid',
  // Not in the sandbox's product metadata (main/sandbox/dataverse/metadata.ts has vendorname only).
  'vendorpartnumber',
  'parentcustomerid', 'parentcustomeridtype', 'pricelevelid', 'address1_freighttermscode', 'address1_shippingmethodcode', 'paymenttermscode',
]);

/**
 * Per Dataverse entity set: attributes the sandbox's metadata does not have (main/sandbox/dataverse/metadata.ts), option
 * sets without an option mapping (the option mappings couple the account's option sets only; documents have their own), and lookups the document rules set themselves (customerid from the Sell-to
 * customer's coupling: a raw customer number would read as a change, and as a conflict on bidirectional orders).
 */
const NOT_CARRIED_BY_ENTITY: Record<string, ReadonlySet<string>> = {
  invoices: new Set(['shipto_name', 'shipto_line1', 'shipto_line2', 'shipto_city', 'shipto_country', 'shipto_postalcode', 'shipto_stateorprovince',
    'billto_name', 'billto_line1', 'billto_line2', 'billto_city', 'billto_country', 'billto_postalcode', 'billto_stateorprovince', 'totalamountlessfreight',
    'shippingmethodcode', 'paymenttermscode']),
  salesorders: new Set(['shipto_line2', 'shipto_stateorprovince', 'billto_name', 'billto_line1', 'billto_line2', 'billto_city', 'billto_country',
    'billto_postalcode', 'billto_stateorprovince', 'totalamountlessfreight', 'bcbi_businesscentralordernumber', 'shippingmethodcode', 'freighttermscode', 'paymenttermscode',
    'customerid', 'customeridtype']),
};

/**
 * Lookups that only the domain rules translate (BC code → Dataverse id): carried when the engine runs with
 * `rules: domainRules(...)` and adapterMappings is asked `{ withRules: true }`. Without the rules a raw code would
 * reach Dataverse (DataverseSide refuses a non-GUID lookup value per record).
 */
export const RULE_LOOKUPS = new Set(['transactioncurrencyid', 'ownerid', 'owneridtype',
  // rules/products.ts, pricelists.ts (unit groups, units, price lists).
  'defaultuomscheduleid', 'defaultuomid', 'pricelevelid',
  // rules/options.ts: account option sets ⇄ BC codes through the option mappings' couplings (E.13).
  'paymenttermscode', 'address1_freighttermscode', 'address1_shippingmethodcode',
  // rules/contacts.ts: a contact's parent account from its company's coupled customer / vendor.
  'parentcustomerid', 'parentcustomeridtype']);
/** Whether the adapters carry this Dataverse attribute of that entity set (carried.ts fieldsNotCarried asks). */
export function dataverseCarried(set: string, attribute: string | null, withRules = false): boolean {
  if (DV_ENTITIES[set] === undefined) return false;
  if (attribute === null) return true;
  return !(NOT_CARRIED.has(attribute) && !(withRules && RULE_LOOKUPS.has(attribute))) && !NOT_CARRIED_BY_ENTITY[set]?.has(attribute);
}


export const NOT_CARRIED_REASONS = ['needsCompanion', 'notInStandardApi', 'notSupported'] as const;
export type NotCarriedReason = (typeof NOT_CARRIED_REASONS)[number];

export interface NotCarriedField {
  bcField: string | null;
  dataverseField: string | null;
  reason: NotCarriedReason;
}

export interface CarryOptions {
  /** The companion extension is installed on the BC connection. */
  companionExtension: boolean;
  /** The domain rules run (they translate the lookups in RULE_LOOKUPS). */
  withRules?: boolean;
}

const ADDRESS: Record<string, BcProp> = {
  Address: { prop: 'addressLine1' }, 'Address 2': { prop: 'addressLine2' }, 'Post Code': { prop: 'postalCode' }, City: { prop: 'city' },
  'Country/Region Code': { prop: 'country' }, County: { prop: 'state' }, 'E-Mail': { prop: 'email' }, 'Phone No.': { prop: 'phoneNumber' },
};

/**
 * The standard API v2.0 pages of the tables the adapters read through the companion extension, with the BC fields
 * those pages publish (docs/sandbox-bc.md "Standard API v2.0 entities served"). A table missing here has no page
 * without the extension (prices, units, opportunities, posted invoices, …): its mappings cannot run at all.
 */
export const STANDARD_FALLBACK: Record<string, BcEntity> = {
  Item: {
    table: 'Item', readSet: 'items', readApi: 'v2', insertSet: 'items',
    fields: {
      'No.': { prop: 'number' }, Description: { prop: 'displayName' }, 'Unit Price': { prop: 'unitPrice' }, 'Unit Cost': { prop: 'unitCost' },
      Inventory: { prop: 'inventory', readOnly: true }, 'Base Unit of Measure': { prop: 'baseUnitOfMeasureCode' }, Blocked: { prop: 'blocked' }, Type: { prop: 'type' },
    },
  },
  Customer: {
    table: 'Customer', readSet: 'customers', readApi: 'v2', insertSet: 'customers',
    fields: {
      'No.': { prop: 'number' }, Name: { prop: 'displayName' }, ...ADDRESS, 'Home Page': { prop: 'website' }, 'Salesperson Code': { prop: 'salespersonCode' },
      'Currency Code': { prop: 'currencyCode' }, 'Credit Limit (LCY)': { prop: 'creditLimit' }, 'Balance (LCY)': { prop: 'balanceDue', readOnly: true },
      Blocked: { prop: 'blocked' }, Type: { prop: 'type' },
    },
  },
  Vendor: {
    table: 'Vendor', readSet: 'vendors', readApi: 'v2', insertSet: 'vendors',
    fields: { 'No.': { prop: 'number' }, Name: { prop: 'displayName' }, ...ADDRESS, 'Home Page': { prop: 'website' }, 'Currency Code': { prop: 'currencyCode' }, Blocked: { prop: 'blocked' } },
  },
  Contact: {
    table: 'Contact', readSet: 'contacts', readApi: 'v2', insertSet: 'contacts',
    fields: {
      'No.': { prop: 'number' }, Type: { prop: 'type' }, Name: { prop: 'displayName' }, 'Company No.': { prop: 'companyNumber' },
      'Company Name': { prop: 'companyName', readOnly: true }, ...ADDRESS, 'Home Page': { prop: 'website' }, 'Mobile Phone No.': { prop: 'mobilePhoneNumber' },
    },
  },
};

const usesCompanion = (e: BcEntity) => e.readApi === 'custom' || e.insertApi === 'custom';

/**
 * The entity the BC adapter uses for a table on this connection: the full one with the extension; without it the
 * standard fallback, the entity itself when it never touches the extension, or null (the table needs the extension).
 */
export function bcEntityFor(table: string, companionExtension: boolean): BcEntity | null {
  const e = BC_ENTITIES[table];
  if (!e) return null;
  if (companionExtension || !usesCompanion(e)) return e;
  return STANDARD_FALLBACK[table] ?? null;
}

/** Whether a table's mappings can run at all on a connection without the extension. */
export function runsWithoutCompanion(table: string): boolean {
  return bcEntityFor(table, false) !== null;
}

/** The field mappings of `mapping` this connection does not carry, each with the reason. */
export function fieldsNotCarried(mapping: TableMapping, o: CarryOptions): NotCarriedField[] {
  const full = BC_ENTITIES[mapping.bcTable];
  const used = bcEntityFor(mapping.bcTable, o.companionExtension);
  const out: NotCarriedField[] = [];
  for (const fm of mapping.fields) {
    // The Dataverse side first: a field the console cannot carry on any connection is "not supported", not something
    // the extension would fix ("needsCompanion" means installing it helps).
    let reason: NotCarriedReason | null = !full || !dataverseCarried(mapping.dataverseEntitySet, fm.dataverseField, o.withRules ?? false) ? 'notSupported' : null;
    if (!reason && fm.bcField !== null) {
      if (!used) reason = 'needsCompanion';
      else if (!used.fields[fm.bcField]) reason = full!.fields[fm.bcField] ? 'needsCompanion' : 'notInStandardApi';
    }
    if (reason) out.push({ bcField: fm.bcField, dataverseField: fm.dataverseField, reason });
  }
  return out;
}

/** What a connection without the extension loses, per mapping (the pre-flight finding lists it). */
export interface CompanionImpact {
  /** Mappings whose BC table only the extension publishes: they cannot run. */
  unavailable: string[];
  /** Mappings that run over the standard API without these BC fields. */
  degraded: { mapping: string; fields: string[] }[];
}

export function companionImpact(mappings: readonly TableMapping[], withRules = true): CompanionImpact {
  const unavailable: string[] = [];
  const degraded: CompanionImpact['degraded'] = [];
  for (const m of mappings) {
    if (!BC_ENTITIES[m.bcTable]) continue;
    if (!runsWithoutCompanion(m.bcTable)) {
      unavailable.push(m.name);
      continue;
    }
    // Only what the extension would carry: a field not carried either way is no loss of the extension's absence.
    const lostAnyway = new Set(fieldsNotCarried(m, { companionExtension: true, withRules }).map((x) => `${x.bcField}\u0000${x.dataverseField}`));
    const fields = fieldsNotCarried(m, { companionExtension: false, withRules })
      .filter((x) => x.reason === 'needsCompanion' && x.bcField !== null && !lostAnyway.has(`${x.bcField}\u0000${x.dataverseField}`)).map((x) => x.bcField!);
    if (fields.length) degraded.push({ mapping: m.name, fields: [...new Set(fields)] });
  }
  return { unavailable, degraded };
}
