/**
 * Entity mapping between the engine's names (BC table captions and BC field names, as in the mapping model; Dataverse
 * entity sets and logical names) and what the two Web APIs call them.
 *
 * BC: the engine speaks BC *field names* ("No.", "Unit Price"); the APIs speak camelCase properties. Item reads go to
 * the companion extension's `itemDetails` (api/d365ic/integration/v1.0), which carries every ITEM-PRODUCT field
 * (v2.0 `items` lacks Unit Volume, Gross Weight, Vendor No., Vendor Item No.); it is PATCH-only, so inserts POST to
 * v2.0 `items` with the properties it knows and PATCH the rest onto `itemDetails` under the same SystemId.
 * Customer reads and writes use v2.0 `customers` (addresses live there, not on `customerDetails`).
 */

export interface BcProp {
  /** Property on the read / update entity set. */
  prop: string;
  /** Property name on the insert entity set, when it differs; null = not insertable there (PATCHed after the insert). */
  insertProp?: string | null;
  /** Computed by BC (totals, status): read, never sent. */
  readOnly?: boolean;
  /** Edm.Guid property: compared with an unquoted GUID literal in $filter. */
  guid?: boolean;
}

export interface BcEntity {
  /** Engine name (mapping.bcTable). */
  table: string;
  /** Entity set read and PATCHed. */
  readSet: string;
  /** 'custom' = api/d365ic/integration/v1.0, 'v2' = api/v2.0. */
  readApi: 'v2' | 'custom';
  /** Entity set POSTed for inserts (always v2.0). */
  insertSet: string;
  /** API of the insert set when it is not v2.0 (companion-extension tables such as opportunities). */
  insertApi?: 'v2' | 'custom';
  /** Line tables: no lastModifiedDateTime, listed only per document (never selected by modification time). */
  noTimestamp?: boolean;
  /** Fields the entity set implies (salesOrders: Document Type = Order): put on every row read, never sent. */
  implied?: Record<string, string>;
  fields: Record<string, BcProp>;
}

/** Address and communication fields shared by the party tables' *Details pages (same property names on v2.0). */
const PARTY_ADDRESS: Record<string, BcProp> = {
  Address: { prop: 'addressLine1' }, 'Address 2': { prop: 'addressLine2' }, 'Post Code': { prop: 'postalCode' }, City: { prop: 'city' },
  'Country/Region Code': { prop: 'country' }, County: { prop: 'state' }, 'E-Mail': { prop: 'email' }, 'Phone No.': { prop: 'phoneNumber' },
};
/** Customer / Vendor fields only the *Details pages carry (PATCHed after a v2.0 insert). */
const PARTY_DETAILS: Record<string, BcProp> = {
  'Currency Code': { prop: 'currencyCode' },
  Contact: { prop: 'contact', insertProp: null }, 'Fax No.': { prop: 'faxNumber', insertProp: null },
  'Primary Contact No.': { prop: 'primaryContactNumber', insertProp: null },
  'Payment Terms Code': { prop: 'paymentTermsCode', insertProp: null }, 'Shipment Method Code': { prop: 'shipmentMethodCode', insertProp: null },
  'Shipping Agent Code': { prop: 'shippingAgentCode', insertProp: null }, 'Company Contact No.': { prop: 'companyContactNumber', readOnly: true },
};

export const BC_ENTITIES: Record<string, BcEntity> = {
  Item: {
    table: 'Item', readSet: 'itemDetails', readApi: 'custom', insertSet: 'items',
    fields: {
      'No.': { prop: 'number' },
      Description: { prop: 'description', insertProp: 'displayName' },
      'Unit Price': { prop: 'unitPrice' },
      'Unit Cost': { prop: 'unitCost' },
      'Unit Volume': { prop: 'unitVolume', insertProp: null },
      'Gross Weight': { prop: 'grossWeight', insertProp: null },
      'Vendor No.': { prop: 'vendorNumber', insertProp: null },
      'Vendor Item No.': { prop: 'vendorItemNumber', insertProp: null },
      // Read-only in BC (computed from item ledger entries): never written.
      Inventory: { prop: 'inventory', insertProp: null },
      'Base Unit of Measure': { prop: 'baseUnitOfMeasureCode' },
      Blocked: { prop: 'blocked' },
      Type: { prop: 'type' },
    },
  },
  // Customer / Vendor / Contact: read and PATCHed on the companion group's *Details pages, which carry every field the
  // default CUSTOMER / VENDOR / CONTACT mappings need (v2.0 lacks the option codes, Contact, Fax No., Purchaser Code,
  // first/last names …); inserts POST the fields v2.0 knows to the v2.0 page and PATCH the rest (insertProp null).
  Customer: {
    table: 'Customer', readSet: 'customerDetails', readApi: 'custom', insertSet: 'customers',
    fields: {
      'No.': { prop: 'number' },
      Name: { prop: 'name', insertProp: 'displayName' },
      ...PARTY_ADDRESS,
      'Home Page': { prop: 'homePage', insertProp: 'website' },
      'Salesperson Code': { prop: 'salespersonCode' },
      'Credit Limit (LCY)': { prop: 'creditLimitLcy', insertProp: 'creditLimit' },
      'Balance (LCY)': { prop: 'balanceDue', readOnly: true },
      'Customer Price Group': { prop: 'customerPriceGroup', insertProp: null },
      Blocked: { prop: 'blocked' },
      Type: { prop: 'type', insertProp: null },
      ...PARTY_DETAILS,
    },
  },
  Vendor: {
    table: 'Vendor', readSet: 'vendorDetails', readApi: 'custom', insertSet: 'vendors',
    fields: {
      'No.': { prop: 'number' },
      Name: { prop: 'name', insertProp: 'displayName' },
      ...PARTY_ADDRESS,
      'Home Page': { prop: 'homePage', insertProp: 'website' },
      'Purchaser Code': { prop: 'purchaserCode', insertProp: null },
      Blocked: { prop: 'blocked' },
      ...PARTY_DETAILS,
    },
  },
  Contact: {
    table: 'Contact', readSet: 'contactDetails', readApi: 'custom', insertSet: 'contacts',
    fields: {
      'No.': { prop: 'number' }, Type: { prop: 'type' }, Name: { prop: 'displayName' }, 'Company No.': { prop: 'companyNumber' },
      'Company Name': { prop: 'companyName', readOnly: true },
      'First Name': { prop: 'firstName', insertProp: null }, 'Middle Name': { prop: 'middleName', insertProp: null }, Surname: { prop: 'surname', insertProp: null },
      ...PARTY_ADDRESS,
      'Home Page': { prop: 'website' }, 'Mobile Phone No.': { prop: 'mobilePhoneNumber' }, 'Fax No.': { prop: 'faxNumber', insertProp: null },
      Pager: { prop: 'pager', insertProp: null }, 'Salesperson Code': { prop: 'salespersonCode', insertProp: null },
      'Currency Code': { prop: 'currencyCode', insertProp: null },
    },
  },
  // ---- Option mapping tables (E.13): Payment Terms and Shipment Method are v2.0 pages, Shipping Agent the companion group's.
  'Payment Terms': { table: 'Payment Terms', readSet: 'paymentTerms', readApi: 'v2', insertSet: 'paymentTerms', fields: { Code: { prop: 'code' }, Description: { prop: 'displayName' } } },
  'Shipment Method': { table: 'Shipment Method', readSet: 'shipmentMethods', readApi: 'v2', insertSet: 'shipmentMethods', fields: { Code: { prop: 'code' }, Description: { prop: 'displayName' } } },
  'Shipping Agent': {
    table: 'Shipping Agent', readSet: 'shippingAgents', readApi: 'custom', insertSet: 'shippingAgents', insertApi: 'custom',
    fields: { Code: { prop: 'code' }, Name: { prop: 'name' }, 'Internet Address': { prop: 'internetAddress' } },
  },
  // ---- Master data (R1): currencies, units of measure, salespeople (v2.0 pages; exchange rates from the companion group).
  Currency: {
    table: 'Currency', readSet: 'currencies', readApi: 'v2', insertSet: 'currencies',
    fields: { Code: { prop: 'code' }, Description: { prop: 'displayName' }, Symbol: { prop: 'symbol' }, 'Amount Decimal Places': { prop: 'amountDecimalPlaces' } },
  },
  'Currency Exchange Rate': {
    table: 'Currency Exchange Rate', readSet: 'currencyExchangeRates', readApi: 'custom', insertSet: 'currencyExchangeRates', insertApi: 'custom',
    fields: {
      'Currency Code': { prop: 'currencyCode' }, 'Starting Date': { prop: 'startingDate' }, 'Exchange Rate Amount': { prop: 'exchangeRateAmount' },
      'Relational Currency Code': { prop: 'relationalCurrencyCode' }, 'Relational Exch. Rate Amount': { prop: 'relationalExchangeRateAmount' },
    },
  },
  'Unit of Measure': {
    table: 'Unit of Measure', readSet: 'unitsOfMeasure', readApi: 'v2', insertSet: 'unitsOfMeasure',
    fields: { Code: { prop: 'code' }, Description: { prop: 'displayName' } },
  },
  'Salesperson/Purchaser': {
    table: 'Salesperson/Purchaser', readSet: 'salespeoplePurchasers', readApi: 'v2', insertSet: 'salespeoplePurchasers',
    fields: { Code: { prop: 'code' }, Name: { prop: 'displayName' }, 'E-Mail': { prop: 'email' }, 'Phone No.': { prop: 'phoneNo' }, Blocked: { prop: 'blocked' } },
  },
  // ---- Products, units and prices (R2): companion-extension tables (api/d365ic/integration/v1.0). Options are
  // read as BC captions ("Customer Price Group"), which is what the mappings' table filters compare.
  Resource: {
    table: 'Resource', readSet: 'resources', readApi: 'custom', insertSet: 'resources', insertApi: 'custom',
    fields: {
      'No.': { prop: 'number' }, Name: { prop: 'name' }, Type: { prop: 'type' }, 'Unit Price': { prop: 'unitPrice' }, 'Unit Cost': { prop: 'unitCost' },
      Capacity: { prop: 'capacity' }, 'Base Unit of Measure': { prop: 'baseUnitOfMeasure' }, Blocked: { prop: 'blocked' }, 'Vendor No.': { prop: 'vendorNumber' },
    },
  },
  'Unit Group': {
    table: 'Unit Group', readSet: 'unitGroups', readApi: 'custom', insertSet: 'unitGroups', insertApi: 'custom',
    fields: {
      'Source Type': { prop: 'sourceType' }, 'Source Id': { prop: 'sourceId', guid: true }, 'Source No.': { prop: 'sourceNumber' },
      Code: { prop: 'code', readOnly: true }, Description: { prop: 'description' },
    },
  },
  'Item Unit of Measure': {
    table: 'Item Unit of Measure', readSet: 'itemUnitsOfMeasure', readApi: 'custom', insertSet: 'itemUnitsOfMeasure', insertApi: 'custom',
    fields: { 'Item No.': { prop: 'itemNumber' }, Code: { prop: 'code' }, 'Qty. per Unit of Measure': { prop: 'qtyPerUnitOfMeasure' } },
  },
  'Resource Unit of Measure': {
    table: 'Resource Unit of Measure', readSet: 'resourceUnitsOfMeasure', readApi: 'custom', insertSet: 'resourceUnitsOfMeasure', insertApi: 'custom',
    fields: { 'Resource No.': { prop: 'resourceNumber' }, Code: { prop: 'code' }, 'Qty. per Unit of Measure': { prop: 'qtyPerUnitOfMeasure' } },
  },
  'Customer Price Group': {
    table: 'Customer Price Group', readSet: 'customerPriceGroups', readApi: 'custom', insertSet: 'customerPriceGroups', insertApi: 'custom',
    fields: { Code: { prop: 'code' }, Description: { prop: 'description' } },
  },
  'Sales Price': {
    table: 'Sales Price', readSet: 'salesPrices', readApi: 'custom', insertSet: 'salesPrices', insertApi: 'custom',
    fields: {
      'Item No.': { prop: 'itemNo' }, 'Sales Type': { prop: 'salesType' }, 'Sales Code': { prop: 'salesCode' }, 'Currency Code': { prop: 'currencyCode' },
      'Starting Date': { prop: 'startingDate' }, 'Ending Date': { prop: 'endingDate' }, 'Unit Price': { prop: 'unitPrice' },
      'Minimum Quantity': { prop: 'minimumQuantity' }, 'Unit of Measure Code': { prop: 'unitOfMeasureCode' },
    },
  },
  'Price List Header': {
    table: 'Price List Header', readSet: 'priceListHeaders', readApi: 'custom', insertSet: 'priceListHeaders', insertApi: 'custom',
    fields: {
      Code: { prop: 'code' }, Description: { prop: 'description' }, 'Price Type': { prop: 'priceType' }, 'Amount Type': { prop: 'amountType' },
      'Source Type': { prop: 'sourceType' }, 'Currency Code': { prop: 'currencyCode' }, 'Starting Date': { prop: 'startingDate' },
      'Ending Date': { prop: 'endingDate' }, Status: { prop: 'status' }, 'Allow Updating Defaults': { prop: 'allowUpdatingDefaults' },
    },
  },
  'Price List Line': {
    table: 'Price List Line', readSet: 'priceListLines', readApi: 'custom', insertSet: 'priceListLines', insertApi: 'custom',
    fields: {
      'Price List Code': { prop: 'priceListCode' }, 'Line No.': { prop: 'lineNo' }, 'Asset Type': { prop: 'assetType' }, 'Asset No.': { prop: 'assetNo' },
      'Unit of Measure Code': { prop: 'unitOfMeasureCode' }, 'Currency Code': { prop: 'currencyCode' }, 'Minimum Quantity': { prop: 'minimumQuantity' },
      'Unit Price': { prop: 'unitPrice' }, 'Price Type': { prop: 'priceType' }, 'Amount Type': { prop: 'amountType' }, Status: { prop: 'status' },
    },
  },
  // ---- Sales documents, opportunities (R3). Posted invoices are read-only views of the companion API group; line
  // tables carry no lastModifiedDateTime and BC lists their lines only per document, so they are read through
  // findMatches on the document (see rules/documents.ts), never selected by modification time.
  'Sales Invoice Header': {
    table: 'Sales Invoice Header', readSet: 'postedSalesInvoices', readApi: 'custom', insertSet: 'postedSalesInvoices',
    fields: {
      'No.': { prop: 'number' }, 'Order No.': { prop: 'orderNumber' }, 'Sell-to Customer No.': { prop: 'customerNumber' },
      'Bill-to Customer No.': { prop: 'billToCustomerNumber' }, 'Bill-to Name': { prop: 'billToName' }, 'Bill-to Address': { prop: 'billToAddress' },
      'Bill-to Address 2': { prop: 'billToAddress2' }, 'Bill-to City': { prop: 'billToCity' }, 'Bill-to Country/Region Code': { prop: 'billToCountry' },
      'Bill-to Post Code': { prop: 'billToPostCode' }, 'Bill-to County': { prop: 'billToCounty' }, 'Ship-to Name': { prop: 'shipToName' },
      'Ship-to Address': { prop: 'shipToAddress' }, 'Ship-to Address 2': { prop: 'shipToAddress2' }, 'Ship-to City': { prop: 'shipToCity' },
      'Ship-to Country/Region Code': { prop: 'shipToCountry' }, 'Ship-to Post Code': { prop: 'shipToPostCode' }, 'Ship-to County': { prop: 'shipToCounty' },
      'Currency Code': { prop: 'currencyCode' }, 'Due Date': { prop: 'dueDate' }, 'Posting Date': { prop: 'postingDate' },
      'Shipment Date': { prop: 'shipmentDate' }, 'Salesperson Code': { prop: 'salespersonCode' }, 'Payment Terms Code': { prop: 'paymentTermsCode' },
      'Shipping Agent Code': { prop: 'shippingAgentCode' }, 'Shipment Method Code': { prop: 'shipmentMethodCode' }, Amount: { prop: 'amount' },
      'Amount Including VAT': { prop: 'amountIncludingVat' }, 'Invoice Discount Amount': { prop: 'invoiceDiscountAmount' },
      'Remaining Amount': { prop: 'remainingAmount' }, 'Work Description': { prop: 'workDescription' }, Status: { prop: 'status' },
    },
  },
  'Sales Invoice Line': {
    table: 'Sales Invoice Line', readSet: 'postedSalesInvoiceLines', readApi: 'custom', insertSet: 'postedSalesInvoiceLines', noTimestamp: true,
    fields: {
      'Document Id': { prop: 'documentId', guid: true }, 'Document No.': { prop: 'documentNumber' }, 'Line No.': { prop: 'lineNo' }, Type: { prop: 'type' },
      'No.': { prop: 'number' }, Description: { prop: 'description' }, Quantity: { prop: 'quantity' }, 'Unit Price': { prop: 'unitPrice' },
      'Unit of Measure Code': { prop: 'unitOfMeasureCode' }, 'Line Discount Amount': { prop: 'lineDiscountAmount' }, Amount: { prop: 'amount' },
      'Amount Including VAT': { prop: 'amountIncludingVat' },
    },
  },
  // Sales orders (Document Type = Order is implied by the entity set).
  'Sales Header': {
    table: 'Sales Header', readSet: 'salesOrders', readApi: 'v2', insertSet: 'salesOrders', implied: { 'Document Type': 'Order' },
    fields: {
      'No.': { prop: 'number' }, 'External Document No.': { prop: 'externalDocumentNumber' }, 'Sell-to Customer No.': { prop: 'customerNumber' },
      'Bill-to Name': { prop: 'billToName', readOnly: true }, 'Bill-to Address': { prop: 'billToAddressLine1' }, 'Bill-to Address 2': { prop: 'billToAddressLine2' },
      'Bill-to City': { prop: 'billToCity' }, 'Bill-to Country/Region Code': { prop: 'billToCountry' }, 'Bill-to Post Code': { prop: 'billToPostCode' },
      'Bill-to County': { prop: 'billToState' }, 'Ship-to Name': { prop: 'shipToName' }, 'Ship-to Address': { prop: 'shipToAddressLine1' },
      'Ship-to Address 2': { prop: 'shipToAddressLine2' }, 'Ship-to City': { prop: 'shipToCity' }, 'Ship-to Country/Region Code': { prop: 'shipToCountry' },
      'Ship-to Post Code': { prop: 'shipToPostCode' }, 'Ship-to County': { prop: 'shipToState' }, 'Currency Code': { prop: 'currencyCode' },
      'Salesperson Code': { prop: 'salesperson' }, 'Requested Delivery Date': { prop: 'requestedDeliveryDate' },
      'Invoice Discount Amount': { prop: 'discountAmount' }, Amount: { prop: 'totalAmountExcludingTax', readOnly: true },
      'Amount Including VAT': { prop: 'totalAmountIncludingTax', readOnly: true }, Status: { prop: 'status', readOnly: true },
    },
  },
  'Sales Line': {
    table: 'Sales Line', readSet: 'salesOrderLines', readApi: 'v2', insertSet: 'salesOrderLines', noTimestamp: true, implied: { 'Document Type': 'Order' },
    fields: {
      'Document Id': { prop: 'documentId', guid: true }, 'Line No.': { prop: 'sequence' }, Type: { prop: 'lineType' }, 'No.': { prop: 'lineObjectNumber' },
      Description: { prop: 'description' }, Quantity: { prop: 'quantity' }, 'Unit Price': { prop: 'unitPrice' },
      'Unit of Measure Code': { prop: 'unitOfMeasureCode' }, 'Line Discount Amount': { prop: 'discountAmount' },
      Amount: { prop: 'amountExcludingTax', readOnly: true }, 'Amount Including VAT': { prop: 'amountIncludingTax', readOnly: true },
      'Quantity Shipped': { prop: 'shippedQuantity', readOnly: true },
      'Quantity Invoiced': { prop: 'invoicedQuantity', readOnly: true },
    },
  },
  Opportunity: {
    table: 'Opportunity', readSet: 'opportunities', readApi: 'custom', insertSet: 'opportunities', insertApi: 'custom',
    fields: {
      'No.': { prop: 'number' }, Description: { prop: 'description' }, 'Contact No.': { prop: 'contactNumber' },
      'Contact Company No.': { prop: 'contactCompanyNumber' }, 'Salesperson Code': { prop: 'salespersonCode' }, Status: { prop: 'status' },
      'Estimated Value (LCY)': { prop: 'estimatedValueLcy' }, 'Estimated Closing Date': { prop: 'estimatedClosingDate' },
    },
  },
};

/** Read-only BC properties: never sent on POST/PATCH (BC answers "Control 'x' is read-only."). */
export const BC_READ_ONLY = new Set(['inventory', 'lastModifiedDateTime', 'balanceDue']);

export function bcEntity(table: string): BcEntity {
  const e = BC_ENTITIES[table];
  if (!e) {
    throw new Error(`The Business Central adapter has no API mapping for table "${table}". Supported: ${Object.keys(BC_ENTITIES).join(', ')}. ` +
      'Add the table to main/integrations/sales/sync/adapters/entities.ts (BC field name → API property).');
  }
  return e;
}

/**
 * LOOKUPS ON THE WIRE (R1, in place): engine values hold a lookup as a plain lower-case GUID under the attribute's
 * logical name (`transactioncurrencyid`, `ownerid`, …), exactly as DataverseSide reads them (`_x_value` → `x`).
 * DataverseSide.write turns every attribute listed in `lookups` into `<nav>@odata.bind: "/<set>(<id>)"`, and an
 * empty value into `<nav>@odata.bind: null` (clears the lookup). Polymorphic lookups (owner, customer) name a
 * companion type value (`owneridtype` 'systemuser' | 'team', `parentcustomeridtype` 'account' | 'contact') that picks
 * the target; the companion never goes on the wire. Reads fill the companion from the lookuplogicalname annotation
 * when the service sends it. A lookup attribute missing from `lookups` is sent as is (and refused by Dataverse).
 */
export interface DvLookup {
  /** Single-target lookup: the target entity set. */
  set?: string;
  /** Navigation property for `@odata.bind` (default: the attribute name). */
  nav?: string;
  /** Polymorphic lookup: the companion value that names the target's logical name. */
  typeAttr?: string;
  /** Polymorphic lookup: target logical name → its entity set and navigation property; the first one is the default. */
  targets?: Record<string, { set: string; nav?: string }>;
}

export interface DvEntity {
  set: string;
  logicalName: string;
  primaryId: string;
  /** Lookup attributes the adapter writes as `@odata.bind` (see DvLookup). */
  lookups?: Record<string, DvLookup>;
}

/** Owner of user-owned tables: a user or a team, chosen by `owneridtype`. */
export const OWNER_LOOKUP: DvLookup = { typeAttr: 'owneridtype', targets: { systemuser: { set: 'systemusers', nav: 'ownerid' }, team: { set: 'teams', nav: 'ownerid' } } };
export const CURRENCY_LOOKUP: DvLookup = { set: 'transactioncurrencies' };
const COMPANY_LOOKUP: DvLookup = { set: 'bcbi_companies' };
/** Customer of documents and opportunities: an account or a contact, chosen by `customeridtype`. */
const CUSTOMER_LOOKUP: DvLookup = { typeAttr: 'customeridtype', targets: { account: { set: 'accounts', nav: 'customerid_account' }, contact: { set: 'contacts', nav: 'customerid_contact' } } };

export const DV_ENTITIES: Record<string, DvEntity> = {
  products: {
    set: 'products', logicalName: 'product', primaryId: 'productid',
    lookups: {
      transactioncurrencyid: CURRENCY_LOOKUP, defaultuomscheduleid: { set: 'uomschedules' }, defaultuomid: { set: 'uoms' },
      pricelevelid: { set: 'pricelevels' }, bcbi_companyid: COMPANY_LOOKUP,
    },
  },
  accounts: {
    set: 'accounts', logicalName: 'account', primaryId: 'accountid',
    lookups: {
      ownerid: OWNER_LOOKUP, transactioncurrencyid: CURRENCY_LOOKUP, primarycontactid: { set: 'contacts' }, parentaccountid: { set: 'accounts' },
      defaultpricelevelid: { set: 'pricelevels' }, bcbi_companyid: COMPANY_LOOKUP,
      nav_accountstatisticsid: { set: 'nav_accountstatisticses' },
    },
  },
  contacts: {
    set: 'contacts', logicalName: 'contact', primaryId: 'contactid',
    lookups: {
      ownerid: OWNER_LOOKUP, transactioncurrencyid: CURRENCY_LOOKUP, bcbi_companyid: COMPANY_LOOKUP,
      parentcustomerid: { typeAttr: 'parentcustomeridtype', targets: { account: { set: 'accounts', nav: 'parentcustomerid_account' }, contact: { set: 'contacts', nav: 'parentcustomerid_contact' } } },
    },
  },
  systemusers: { set: 'systemusers', logicalName: 'systemuser', primaryId: 'systemuserid', lookups: { businessunitid: { set: 'businessunits' } } },
  teams: { set: 'teams', logicalName: 'team', primaryId: 'teamid' },
  transactioncurrencies: { set: 'transactioncurrencies', logicalName: 'transactioncurrency', primaryId: 'transactioncurrencyid' },
  uomschedules: { set: 'uomschedules', logicalName: 'uomschedule', primaryId: 'uomscheduleid' },
  uoms: { set: 'uoms', logicalName: 'uom', primaryId: 'uomid', lookups: { uomscheduleid: { set: 'uomschedules' }, baseuom: { set: 'uoms' } } },
  // ---- Price lists (R2).
  pricelevels: { set: 'pricelevels', logicalName: 'pricelevel', primaryId: 'pricelevelid', lookups: { transactioncurrencyid: CURRENCY_LOOKUP, bcbi_companyid: COMPANY_LOOKUP } },
  productpricelevels: {
    set: 'productpricelevels', logicalName: 'productpricelevel', primaryId: 'productpricelevelid',
    lookups: {
      pricelevelid: { set: 'pricelevels' }, productid: { set: 'products' }, uomid: { set: 'uoms' }, uomscheduleid: { set: 'uomschedules' },
      transactioncurrencyid: CURRENCY_LOOKUP,
    },
  },
  // ---- Sales documents, opportunities, account statistics (R3).
  invoices: {
    set: 'invoices', logicalName: 'invoice', primaryId: 'invoiceid',
    lookups: {
      ownerid: OWNER_LOOKUP, transactioncurrencyid: CURRENCY_LOOKUP, bcbi_companyid: COMPANY_LOOKUP, customerid: CUSTOMER_LOOKUP,
      pricelevelid: { set: 'pricelevels' }, salesorderid: { set: 'salesorders' }, opportunityid: { set: 'opportunities' },
    },
  },
  invoicedetails: {
    set: 'invoicedetails', logicalName: 'invoicedetail', primaryId: 'invoicedetailid',
    lookups: { invoiceid: { set: 'invoices' }, productid: { set: 'products' }, uomid: { set: 'uoms' }, transactioncurrencyid: CURRENCY_LOOKUP },
  },
  salesorders: {
    set: 'salesorders', logicalName: 'salesorder', primaryId: 'salesorderid',
    lookups: {
      ownerid: OWNER_LOOKUP, transactioncurrencyid: CURRENCY_LOOKUP, bcbi_companyid: COMPANY_LOOKUP, customerid: CUSTOMER_LOOKUP,
      pricelevelid: { set: 'pricelevels' }, opportunityid: { set: 'opportunities' }, quoteid: { set: 'quotes' },
    },
  },
  salesorderdetails: {
    set: 'salesorderdetails', logicalName: 'salesorderdetail', primaryId: 'salesorderdetailid',
    lookups: { salesorderid: { set: 'salesorders' }, productid: { set: 'products' }, uomid: { set: 'uoms' }, transactioncurrencyid: CURRENCY_LOOKUP },
  },
  opportunities: {
    set: 'opportunities', logicalName: 'opportunity', primaryId: 'opportunityid',
    lookups: {
      ownerid: OWNER_LOOKUP, transactioncurrencyid: CURRENCY_LOOKUP, bcbi_companyid: COMPANY_LOOKUP, customerid: CUSTOMER_LOOKUP,
      parentaccountid: { set: 'accounts' }, parentcontactid: { set: 'contacts' }, pricelevelid: { set: 'pricelevels' },
    },
  },
  nav_accountstatisticses: {
    set: 'nav_accountstatisticses', logicalName: 'nav_accountstatistics', primaryId: 'nav_accountstatisticsid',
    lookups: { nav_accountid: { set: 'accounts' }, transactioncurrencyid: CURRENCY_LOOKUP },
  },
};

export function dvEntity(set: string): DvEntity {
  const e = DV_ENTITIES[set];
  if (!e) throw new Error(`The Dataverse adapter has no entity definition for "${set}". Supported: ${Object.keys(DV_ENTITIES).join(', ')}. Add it to main/integrations/sales/sync/adapters/entities.ts.`);
  return e;
}

/**
 * Dataverse config templates the default mappings name as Integration Table Config Template Code (reference C.3):
 * applied to new Dataverse rows under the mapped values. BCICUSTOME / BCIVENDOR (CRMACCOUNT before Dataverse) set the
 * account's relationship type, which the CUSTOMER / VENDOR integration table filters select on.
 */
export const DV_CONFIG_TEMPLATES: Record<string, Record<string, unknown>> = {
  BCICUSTOME: { customertypecode: 3 },
  CRMACCOUNT: { customertypecode: 3 },
  BCIVENDOR: { customertypecode: 11 },
};
