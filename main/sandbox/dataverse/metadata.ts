/**
 * Entity metadata of the Dataverse sandbox: the one place that says which tables exist, which columns they have
 * and of which type, and how lookups navigate. Everything else (validation, $filter compilation, $metadata CSDL,
 * EntityDefinitions) is derived from here.
 */
export type AttrType =
  | 'String' | 'Memo' | 'Integer' | 'BigInt' | 'Decimal' | 'Money' | 'Boolean' | 'DateTime' | 'Uniqueidentifier'
  | 'Picklist' | 'State' | 'Status' | 'Lookup' | 'Customer' | 'Owner';

export interface OptionValue { value: number; label: string; state?: number }

export interface LookupNav {
  /** Single-valued navigation property name used in `@odata.bind` and `$expand`. */
  nav: string;
  /** Target logical names reachable through this navigation property. */
  targets: string[];
}

export interface AttributeMeta {
  logicalName: string;
  type: AttrType;
  maxLength?: number;
  options?: OptionValue[];
  /** For lookups: target entity logical names. */
  targets?: string[];
  navs?: LookupNav[];
  /** Server-maintained: clients may not set it (silently ignored like the platform does for createdon etc.). */
  readOnly?: boolean;
  required?: boolean;
}

export interface EntityMeta {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  objectTypeCode: number;
  ownership: 'UserOwned' | 'OrganizationOwned' | 'BusinessOwned' | 'None';
  /** Part of the BC integration solution: only present after import. */
  solution?: 'nav';
  changeTracking: boolean;
  attributes: Map<string, AttributeMeta>;
  /** Single-valued navigation name -> lookup attribute. */
  navToAttr: Map<string, AttributeMeta>;
  /** Alternate keys (single column) usable as `/set(col='x')`. */
  alternateKeys: string[];
}

const s = (maxLength = 100): Partial<AttributeMeta> => ({ type: 'String', maxLength });
const memo = (maxLength = 2000): Partial<AttributeMeta> => ({ type: 'Memo', maxLength });
const int: Partial<AttributeMeta> = { type: 'Integer' };
const dec: Partial<AttributeMeta> = { type: 'Decimal' };
const money: Partial<AttributeMeta> = { type: 'Money' };
const bool: Partial<AttributeMeta> = { type: 'Boolean' };
const dt: Partial<AttributeMeta> = { type: 'DateTime' };
const guid: Partial<AttributeMeta> = { type: 'Uniqueidentifier' };
const pick = (...labels: [number, string][]): Partial<AttributeMeta> => ({
  type: 'Picklist', options: labels.map(([value, label]) => ({ value, label })),
});
/** Single-target lookup; the navigation property defaults to the attribute name (filled in by `build`). */
const lookup = (target: string, nav = ''): Partial<AttributeMeta> => ({ type: 'Lookup', targets: [target], navs: [{ nav, targets: [target] }] });
const customer = (base: string): Partial<AttributeMeta> => ({
  type: 'Customer', targets: ['account', 'contact'],
  navs: [{ nav: `${base}_account`, targets: ['account'] }, { nav: `${base}_contact`, targets: ['contact'] }],
});

type AttrSpec = Record<string, Partial<AttributeMeta>>;

interface EntitySpec {
  set: string; otc: number; id?: string; name: string; ownership?: EntityMeta['ownership']; solution?: 'nav';
  states?: [number, string, [number, string][]][]; attrs: AttrSpec; keys?: string[]; changeTracking?: boolean;
}

const ACTIVE_INACTIVE: [number, string, [number, string][]][] = [[0, 'Active', [[1, 'Active']]], [1, 'Inactive', [[2, 'Inactive']]]];

const SPECS: Record<string, EntitySpec> = {
  account: {
    set: 'accounts', otc: 1, name: 'name', keys: ['accountnumber'], states: ACTIVE_INACTIVE,
    attrs: {
      name: s(160), accountnumber: s(20), telephone1: s(50), telephone2: s(50), fax: s(50), emailaddress1: s(100), websiteurl: s(200),
      address1_line1: s(250), address1_line2: s(250), address1_line3: s(250), address1_city: s(80), address1_postalcode: s(20),
      address1_country: s(80), address1_stateorprovince: s(50), address1_county: s(50), address1_primarycontactname: s(100),
      address1_freighttermscode: pick([1, 'FOB'], [2, 'No Charge']),
      address1_shippingmethodcode: pick([1, 'Airborne'], [2, 'DHL'], [3, 'FedEx'], [4, 'UPS'], [5, 'Postal Mail'], [6, 'Full Load'], [7, 'Will Call']),
      paymenttermscode: pick([1, 'Net 30'], [2, '2% 10, Net 30'], [3, 'Net 45'], [4, 'Net 60']),
      customertypecode: pick([1, 'Competitor'], [2, 'Consultant'], [3, 'Customer'], [4, 'Investor'], [5, 'Partner'], [6, 'Influencer'], [7, 'Press'], [8, 'Prospect'], [9, 'Reseller'], [10, 'Supplier'], [11, 'Vendor'], [12, 'Other']),
      creditlimit: money, creditonhold: bool, description: memo(), numberofemployees: int, revenue: money,
      primarycontactid: lookup('contact', 'primarycontactid'), parentaccountid: lookup('account', 'parentaccountid'),
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
      defaultpricelevelid: lookup('pricelevel', 'defaultpricelevelid'),
      bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
      // BC integration solution: the account's statistics row (CRM Account "AccountStatiticsId").
      nav_accountstatisticsid: lookup('nav_accountstatistics', 'nav_accountstatisticsid'),
    },
  },
  contact: {
    set: 'contacts', otc: 2, name: 'fullname', states: ACTIVE_INACTIVE,
    attrs: {
      fullname: { type: 'String', maxLength: 160, readOnly: true }, firstname: s(50), middlename: s(50), lastname: s(50),
      jobtitle: s(100), emailaddress1: s(100), telephone1: s(50), mobilephone: s(50), fax: s(50), pager: s(50), websiteurl: s(200),
      address1_line1: s(250), address1_line2: s(250), address1_city: s(80), address1_postalcode: s(20), address1_country: s(80),
      address1_stateorprovince: s(50), description: memo(), parentcustomerid: customer('parentcustomerid'),
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'), bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
    },
  },
  systemuser: {
    set: 'systemusers', otc: 8, name: 'fullname', ownership: 'BusinessOwned',
    attrs: {
      fullname: s(200), firstname: s(64), lastname: s(64), domainname: s(1024), internalemailaddress: s(100),
      azureactivedirectoryobjectid: guid, applicationid: guid, isdisabled: bool, islicensed: bool, isintegrationuser: bool,
      accessmode: pick([0, 'Read-Write'], [1, 'Administrative'], [2, 'Read'], [3, 'Support User'], [4, 'Non-interactive'], [5, 'Delegated Admin']),
      businessunitid: lookup('businessunit', 'businessunitid'), title: s(128), mobilephone: s(64),
    },
  },
  team: {
    set: 'teams', otc: 9, name: 'name', ownership: 'BusinessOwned',
    attrs: {
      name: s(160), isdefault: bool, teamtype: pick([0, 'Owner'], [1, 'Access'], [2, 'Security Group'], [3, 'Office Group']),
      businessunitid: lookup('businessunit', 'businessunitid'), description: memo(),
    },
  },
  businessunit: {
    set: 'businessunits', otc: 10, name: 'name', ownership: 'BusinessOwned',
    attrs: { name: s(160), parentbusinessunitid: lookup('businessunit', 'parentbusinessunitid'), isdisabled: bool },
  },
  transactioncurrency: {
    set: 'transactioncurrencies', otc: 9105, name: 'currencyname', ownership: 'OrganizationOwned', keys: ['isocurrencycode'], states: ACTIVE_INACTIVE,
    attrs: {
      currencyname: s(100), isocurrencycode: s(5), currencysymbol: s(10), exchangerate: dec, currencyprecision: int,
    },
  },
  uomschedule: {
    set: 'uomschedules', otc: 1056, name: 'name', ownership: 'OrganizationOwned', states: ACTIVE_INACTIVE,
    attrs: { name: s(200), baseuomname: s(100), description: memo() },
  },
  uom: {
    set: 'uoms', otc: 1055, name: 'name', ownership: 'OrganizationOwned',
    attrs: {
      name: s(100), quantity: dec, isschedulebaseuom: bool, uomscheduleid: lookup('uomschedule', 'uomscheduleid'),
      baseuom: lookup('uom', 'baseuom'),
    },
  },
  product: {
    set: 'products', otc: 1024, name: 'name', ownership: 'OrganizationOwned', keys: ['productnumber'],
    states: [[0, 'Active', [[1, 'Active']]], [1, 'Retired', [[2, 'Retired']]], [2, 'Draft', [[0, 'Draft']]], [3, 'UnderRevision', [[3, 'Under Revision']]]],
    attrs: {
      name: s(100), productnumber: s(100), description: memo(), quantitydecimal: int, price: money, standardcost: money, currentcost: money,
      producttypecode: pick([1, 'Sales Inventory'], [2, 'Miscellaneous Charges'], [3, 'Services'], [4, 'Flat Fees']),
      productstructure: pick([1, 'Product'], [2, 'Product Family'], [3, 'Product Bundle']),
      defaultuomscheduleid: lookup('uomschedule', 'defaultuomscheduleid'), defaultuomid: lookup('uom', 'defaultuomid'),
      pricelevelid: lookup('pricelevel', 'pricelevelid'), transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
      stockweight: dec, stockvolume: dec, vendorname: s(100), quantityonhand: dec, bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
    },
  },
  pricelevel: {
    set: 'pricelevels', otc: 1022, name: 'name', ownership: 'OrganizationOwned', states: ACTIVE_INACTIVE,
    attrs: {
      name: s(100), description: memo(), begindate: dt, enddate: dt,
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'), bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
    },
  },
  productpricelevel: {
    set: 'productpricelevels', otc: 1026, name: 'productnumber', ownership: 'OrganizationOwned',
    attrs: {
      productnumber: s(100), amount: money, quantitysellingcode: pick([1, 'No Control'], [2, 'Whole'], [3, 'Whole and Fractional']),
      pricingmethodcode: pick([1, 'Currency Amount'], [2, 'Percent of List'], [3, 'Percent Markup - Current Cost'], [4, 'Percent Margin - Current Cost'], [5, 'Percent Markup - Standard Cost'], [6, 'Percent Margin - Standard Cost']),
      pricelevelid: lookup('pricelevel', 'pricelevelid'), productid: lookup('product', 'productid'), uomid: lookup('uom', 'uomid'),
      uomscheduleid: lookup('uomschedule', 'uomscheduleid'), transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
    },
  },
  opportunity: {
    set: 'opportunities', otc: 3, name: 'name',
    states: [[0, 'Open', [[1, 'In Progress'], [2, 'On Hold']]], [1, 'Won', [[3, 'Won']]], [2, 'Lost', [[4, 'Canceled'], [5, 'Out-Sold']]]],
    attrs: {
      name: s(300), description: memo(), estimatedvalue: money, estimatedclosedate: dt, closeprobability: int,
      customerid: customer('customerid'), parentaccountid: lookup('account', 'parentaccountid'), parentcontactid: lookup('contact', 'parentcontactid'),
      pricelevelid: lookup('pricelevel', 'pricelevelid'), transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
      bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
    },
  },
  quote: {
    set: 'quotes', otc: 1084, name: 'name',
    states: [[0, 'Draft', [[1, 'In Progress']]], [1, 'Active', [[2, 'In Progress'], [3, 'Open']]], [2, 'Won', [[4, 'Won']]], [3, 'Closed', [[5, 'Lost'], [6, 'Canceled'], [7, 'Revised']]]],
    attrs: {
      name: s(300), quotenumber: s(100), description: memo(), totalamount: money, customerid: customer('customerid'),
      opportunityid: lookup('opportunity', 'opportunityid'), pricelevelid: lookup('pricelevel', 'pricelevelid'),
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
    },
  },
  salesorder: {
    set: 'salesorders', otc: 1088, name: 'name',
    states: [[0, 'Active', [[1, 'New'], [2, 'Pending']]], [1, 'Submitted', [[3, 'In Progress']]], [2, 'Canceled', [[4, 'No Money']]], [3, 'Fulfilled', [[100001, 'Complete'], [100002, 'Partial']]], [4, 'Invoiced', [[100003, 'Invoiced']]]],
    attrs: {
      name: s(300), ordernumber: s(100), description: memo(), totalamount: money, totallineitemamount: money, discountamount: money,
      discountpercentage: dec, freightamount: money, requestdeliveryby: dt, datefulfilled: dt, paymenttermscode: pick([1, 'Net 30'], [2, '2% 10, Net 30'], [3, 'Net 45'], [4, 'Net 60']),
      shippingmethodcode: pick([1, 'Airborne'], [2, 'DHL'], [3, 'FedEx'], [4, 'UPS'], [5, 'Postal Mail'], [6, 'Full Load'], [7, 'Will Call']),
      freighttermscode: pick([1, 'FOB'], [2, 'No Charge']), customerid: customer('customerid'), opportunityid: lookup('opportunity', 'opportunityid'),
      quoteid: lookup('quote', 'quoteid'), pricelevelid: lookup('pricelevel', 'pricelevelid'),
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'), bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
      shipto_line1: s(250), shipto_city: s(80), shipto_postalcode: s(20), shipto_country: s(80), shipto_name: s(200),
    },
  },
  salesorderdetail: {
    set: 'salesorderdetails', otc: 1089, name: 'productdescription',
    attrs: {
      productdescription: s(500), quantity: dec, priceperunit: money, baseamount: money, extendedamount: money, manualdiscountamount: money,
      isproductoverridden: bool, ispriceoverridden: bool, lineitemnumber: int, description: memo(),
      salesorderid: lookup('salesorder', 'salesorderid'), productid: lookup('product', 'productid'), uomid: lookup('uom', 'uomid'),
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
    },
  },
  invoice: {
    set: 'invoices', otc: 1090, name: 'name',
    states: [[0, 'Active', [[1, 'New'], [2, 'Partially Shipped']]], [1, 'Closed', [[4, 'Billed'], [7, 'Partial'], [100001, 'Complete']]], [2, 'Paid', [[100002, 'Partial']]], [3, 'Canceled', [[100003, 'Canceled']]]],
    attrs: {
      name: s(300), invoicenumber: s(100), description: memo(), totalamount: money, totallineitemamount: money, totaltax: money,
      discountamount: money, duedate: dt, datedelivered: dt, paymenttermscode: pick([1, 'Net 30'], [2, '2% 10, Net 30'], [3, 'Net 45'], [4, 'Net 60']),
      customerid: customer('customerid'), salesorderid: lookup('salesorder', 'salesorderid'), opportunityid: lookup('opportunity', 'opportunityid'),
      pricelevelid: lookup('pricelevel', 'pricelevelid'), transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
      bcbi_companyid: lookup('bcbi_company', 'bcbi_companyid'),
    },
  },
  invoicedetail: {
    set: 'invoicedetails', otc: 1091, name: 'productdescription',
    attrs: {
      productdescription: s(500), quantity: dec, priceperunit: money, baseamount: money, extendedamount: money, tax: money,
      manualdiscountamount: money, isproductoverridden: bool, ispriceoverridden: bool, lineitemnumber: int,
      invoiceid: lookup('invoice', 'invoiceid'), productid: lookup('product', 'productid'), uomid: lookup('uom', 'uomid'),
      transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
    },
  },
  role: {
    set: 'roles', otc: 1036, name: 'name', ownership: 'BusinessOwned',
    attrs: { name: s(100), roletemplateid: guid, businessunitid: lookup('businessunit', 'businessunitid'), ismanaged: { ...bool, readOnly: true } },
  },
  solution: {
    set: 'solutions', otc: 7100, name: 'friendlyname', ownership: 'OrganizationOwned', keys: ['uniquename'],
    attrs: { uniquename: s(65), friendlyname: s(256), version: s(256), ismanaged: bool, installedon: dt, description: memo() },
  },
  organization: {
    set: 'organizations', otc: 1019, name: 'name', ownership: 'None',
    attrs: {
      name: s(160), basecurrencyid: lookup('transactioncurrency', 'basecurrencyid'), issopintegrationenabled: bool,
      expirechangetrackingindays: int, currencydecimalprecision: int, pricingdecimalprecision: int, basecurrencysymbol: s(5),
      basecurrencyprecision: int, isauditenabled: bool, languagecode: int,
    },
  },
  annotation: {
    set: 'annotations', otc: 5, name: 'subject',
    attrs: {
      subject: s(500), notetext: memo(100000), filename: s(255), mimetype: s(256), documentbody: memo(1048576), isdocument: bool,
      objectid: { type: 'Lookup', targets: ['account', 'contact', 'opportunity', 'salesorder', 'invoice', 'product'], navs: [
        { nav: 'objectid_account', targets: ['account'] }, { nav: 'objectid_contact', targets: ['contact'] },
        { nav: 'objectid_opportunity', targets: ['opportunity'] }, { nav: 'objectid_salesorder', targets: ['salesorder'] },
        { nav: 'objectid_invoice', targets: ['invoice'] }, { nav: 'objectid_product', targets: ['product'] }] },
    },
  },
  nav_connection: {
    set: 'nav_connections', otc: 10010, name: 'nav_name', ownership: 'OrganizationOwned', solution: 'nav',
    attrs: { nav_name: s(100), nav_dynamicsnavurl: s(250), nav_dynamicsnavodataurl: s(250), nav_dynamicsnavodatausername: s(250), nav_dynamicsnavodataaccesskey: s(250) },
  },
  nav_defaultconnection: {
    set: 'nav_defaultconnections', otc: 10011, name: 'nav_name', solution: 'nav',
    attrs: { nav_name: s(100), nav_connectionid: lookup('nav_connection', 'nav_connectionid') },
  },
  nav_accountstatistics: {
    set: 'nav_accountstatisticses', otc: 10012, name: 'nav_name', solution: 'nav',
    attrs: {
      nav_name: s(100), nav_customerno: s(20), nav_balance: money, nav_outstandingorders: money, nav_shippednotinvoiced: money,
      nav_outstandinginvoices: money, nav_paymentsreceived: money, nav_totalsales: money, nav_salesinvoicesdue: money, nav_overdueamount: money,
      nav_lastpaymentdate: dt, nav_accountid: lookup('account', 'nav_accountid'), transactioncurrencyid: lookup('transactioncurrency', 'transactioncurrencyid'),
    },
  },
  bcbi_company: {
    set: 'bcbi_companies', otc: 10013, name: 'bcbi_name', solution: 'nav',
    attrs: {
      bcbi_name: s(250), bcbi_companyid: { type: 'Uniqueidentifier' }, bcbi_defaultowningteam: lookup('team', 'bcbi_defaultowningteam'),
    },
  },
};

const COMMON: AttrSpec = {
  createdon: { ...dt, readOnly: true }, modifiedon: { ...dt, readOnly: true },
  createdby: { ...lookup('systemuser', 'createdby'), readOnly: true }, modifiedby: { ...lookup('systemuser', 'modifiedby'), readOnly: true },
  versionnumber: { type: 'BigInt', readOnly: true },
};
const OWNED: AttrSpec = {
  ownerid: { type: 'Owner', targets: ['systemuser', 'team'], navs: [{ nav: 'ownerid', targets: ['systemuser', 'team'] }] },
  owningbusinessunit: { ...lookup('businessunit', 'owningbusinessunit'), readOnly: true },
};
const MONEY_COMPANIONS: AttrSpec = { exchangerate: dec };

function build(logicalName: string, spec: EntitySpec): EntityMeta {
  const attributes = new Map<string, AttributeMeta>();
  const idAttr = spec.id ?? `${logicalName}id`;
  const add = (name: string, a: Partial<AttributeMeta>) => {
    const meta: AttributeMeta = { logicalName: name, type: a.type ?? 'String', ...a };
    if (meta.navs) meta.navs = meta.navs.map((n) => ({ ...n, nav: n.nav || name }));
    attributes.set(name, meta);
  };
  add(idAttr, { type: 'Uniqueidentifier' });
  for (const [k, v] of Object.entries(spec.attrs)) add(k, v);
  for (const [k, v] of Object.entries(COMMON)) add(k, v);
  const ownership = spec.ownership ?? 'UserOwned';
  if (ownership === 'UserOwned') for (const [k, v] of Object.entries(OWNED)) add(k, v);
  if ([...attributes.values()].some((a) => a.type === 'Money') && !attributes.has('exchangerate')) {
    for (const [k, v] of Object.entries(MONEY_COMPANIONS)) add(k, v);
    if (!attributes.has('transactioncurrencyid')) add('transactioncurrencyid', lookup('transactioncurrency', 'transactioncurrencyid'));
  }
  if (spec.states || ownership !== 'None') {
    const states = spec.states ?? ACTIVE_INACTIVE;
    add('statecode', { type: 'State', options: states.map(([value, label]) => ({ value, label })) });
    add('statuscode', { type: 'Status', options: states.flatMap(([state, , sts]) => sts.map(([value, label]) => ({ value, label, state }))) });
  }
  const navToAttr = new Map<string, AttributeMeta>();
  for (const a of attributes.values()) for (const n of a.navs ?? []) navToAttr.set(n.nav, a);
  return {
    logicalName, entitySetName: spec.set, primaryIdAttribute: idAttr, primaryNameAttribute: spec.name, objectTypeCode: spec.otc,
    ownership, solution: spec.solution, changeTracking: true, attributes, navToAttr, alternateKeys: spec.keys ?? [],
  };
}

export const ENTITIES: Map<string, EntityMeta> = new Map(Object.entries(SPECS).map(([k, v]) => [k, build(k, v)]));
export const ENTITIES_BY_SET: Map<string, EntityMeta> = new Map([...ENTITIES.values()].map((e) => [e.entitySetName, e]));

export function entityByName(logicalName: string): EntityMeta | undefined {
  return ENTITIES.get(logicalName);
}

/** `_x_value` for lookup-like attributes. */
export function isLookup(a: AttributeMeta): boolean {
  return a.type === 'Lookup' || a.type === 'Customer' || a.type === 'Owner';
}

/** Default state/status for a new row: first state, its first status. */
export function defaultStatus(e: EntityMeta): { statecode: number; statuscode: number } | undefined {
  const st = e.attributes.get('statecode');
  const ss = e.attributes.get('statuscode');
  if (!st?.options || !ss?.options) return undefined;
  const state = st.options[0].value;
  const status = ss.options.find((o) => o.state === state)?.value ?? 1;
  return { statecode: state, statuscode: status };
}

/** Resolve a `$select`/`$filter`/`$orderby` property name (`name` or `_parentcustomerid_value`) to an attribute. */
export function resolveProperty(e: EntityMeta, prop: string): AttributeMeta | undefined {
  const m = /^_(.+)_value$/.exec(prop);
  if (m) {
    const a = e.attributes.get(m[1]);
    return a && isLookup(a) ? a : undefined;
  }
  const a = e.attributes.get(prop);
  // Lookups are only addressable as `_x_value` in queries (the bare name is a navigation property).
  if (a && isLookup(a)) return undefined;
  return a;
}

const EDM: Record<AttrType, string> = {
  String: 'Edm.String', Memo: 'Edm.String', Integer: 'Edm.Int32', BigInt: 'Edm.Int64', Decimal: 'Edm.Decimal', Money: 'Edm.Decimal',
  Boolean: 'Edm.Boolean', DateTime: 'Edm.DateTimeOffset', Uniqueidentifier: 'Edm.Guid', Picklist: 'Edm.Int32', State: 'Edm.Int32',
  Status: 'Edm.Int32', Lookup: 'Edm.Guid', Customer: 'Edm.Guid', Owner: 'Edm.Guid',
};
export function edmType(a: AttributeMeta): string {
  return EDM[a.type];
}

const xmlEsc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A CSDL document good enough for OData clients and code generators (entity types, keys, properties, navigation). */
export function buildCsdl(visible: (e: EntityMeta) => boolean): string {
  const parts: string[] = [];
  parts.push('<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '<edmx:DataServices>', '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
    '<EntityType Name="crmbaseentity" Abstract="true"/>');
  const list = [...ENTITIES.values()].filter(visible);
  for (const e of list) {
    parts.push(`<EntityType Name="${e.logicalName}" BaseType="mscrm.crmbaseentity">`,
      `<Key><PropertyRef Name="${e.primaryIdAttribute}"/></Key>`);
    for (const a of e.attributes.values()) {
      const name = isLookup(a) ? `_${a.logicalName}_value` : a.logicalName;
      parts.push(`<Property Name="${name}" Type="${edmType(a)}"${a.maxLength ? ` MaxLength="${a.maxLength}"` : ''}/>`);
    }
    for (const a of e.attributes.values()) for (const n of a.navs ?? []) {
      const t = n.targets.length === 1 ? `mscrm.${n.targets[0]}` : 'mscrm.principal';
      parts.push(`<NavigationProperty Name="${xmlEsc(n.nav)}" Type="${t}" Nullable="false"><ReferentialConstraint Property="_${a.logicalName}_value" ReferencedProperty="${n.targets.length === 1 ? `${n.targets[0]}id` : 'ownerid'}"/></NavigationProperty>`);
    }
    if (e.logicalName === 'systemuser') parts.push('<NavigationProperty Name="systemuserroles_association" Type="Collection(mscrm.role)"/>');
    parts.push('</EntityType>');
  }
  parts.push('<EntityType Name="principal" BaseType="mscrm.crmbaseentity" Abstract="true"><Property Name="ownerid" Type="Edm.Guid"/></EntityType>');
  parts.push('<ComplexType Name="WhoAmIResponse"><Property Name="BusinessUnitId" Type="Edm.Guid" Nullable="false"/><Property Name="UserId" Type="Edm.Guid" Nullable="false"/><Property Name="OrganizationId" Type="Edm.Guid" Nullable="false"/></ComplexType>',
    '<Function Name="WhoAmI"><ReturnType Type="mscrm.WhoAmIResponse" Nullable="false"/></Function>',
    '<ComplexType Name="RetrieveVersionResponse"><Property Name="Version" Type="Edm.String" Unicode="false"/></ComplexType>',
    '<Function Name="RetrieveVersion"><ReturnType Type="mscrm.RetrieveVersionResponse" Nullable="false"/></Function>',
    '<Action Name="CreateMultiple" IsBound="true"><Parameter Name="entityset" Type="Collection(mscrm.crmbaseentity)"/><Parameter Name="Targets" Type="Collection(mscrm.crmbaseentity)"/></Action>',
    '<Action Name="UpdateMultiple" IsBound="true"><Parameter Name="entityset" Type="Collection(mscrm.crmbaseentity)"/><Parameter Name="Targets" Type="Collection(mscrm.crmbaseentity)"/></Action>',
    '<Action Name="UpsertMultiple" IsBound="true"><Parameter Name="entityset" Type="Collection(mscrm.crmbaseentity)"/><Parameter Name="Targets" Type="Collection(mscrm.crmbaseentity)"/></Action>',
    '<Action Name="ImportSolution"><Parameter Name="OverwriteUnmanagedCustomizations" Type="Edm.Boolean"/><Parameter Name="PublishWorkflows" Type="Edm.Boolean"/><Parameter Name="CustomizationFile" Type="Edm.Binary"/><Parameter Name="ImportJobId" Type="Edm.Guid"/></Action>',
    '<EntityContainer Name="System">');
  for (const e of list) parts.push(`<EntitySet Name="${e.entitySetName}" EntityType="mscrm.${e.logicalName}"/>`);
  parts.push('<FunctionImport Name="WhoAmI" Function="mscrm.WhoAmI"/><FunctionImport Name="RetrieveVersion" Function="mscrm.RetrieveVersion"/>',
    '<ActionImport Name="ImportSolution" Action="mscrm.ImportSolution"/>', '</EntityContainer>', '</Schema>', '</edmx:DataServices>', '</edmx:Edmx>');
  return parts.join('\n');
}
