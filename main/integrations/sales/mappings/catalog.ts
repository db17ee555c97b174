/**
 * Offline metadata catalogue: the BC tables/fields and Dataverse entities/attributes that the default mappings use,
 * so validation runs without a connection. BC field numbers, types and lengths are those of the standard Base
 * Application (W1); Dataverse types, lengths and option values are the out-of-the-box Sales metadata plus the
 * BC integration solution's `bcbi_` attributes. A live catalogue (from $metadata / the BC API) can replace it:
 * validate() only needs the MetadataCatalog interface.
 */

export type BcFieldType = 'Code' | 'Text' | 'Integer' | 'BigInteger' | 'Decimal' | 'Boolean' | 'Option' | 'Date' | 'DateTime' | 'Guid' | 'Blob' | 'DateFormula' | 'Duration';
export interface BcField {
  no: number;
  name: string;
  type: BcFieldType;
  length?: number;
  /** Option members in ordinal order (a blank member is ' '). */
  options?: string[];
  /** TableRelation targets (table ids); several when the relation is conditional (e.g. Type = Item|Resource). */
  relation?: number[];
  flowField?: boolean;
}
export interface BcTable { id: number; name: string; fields: BcField[] }

export type DvAttributeType =
  | 'String' | 'Memo' | 'Integer' | 'Decimal' | 'Money' | 'Double' | 'Boolean' | 'DateTime' | 'Picklist' | 'State' | 'Status'
  | 'Lookup' | 'Owner' | 'Customer' | 'Uniqueidentifier' | 'EntityName';
export interface DvOption { value: number; label: string }
export interface DvAttribute {
  name: string;
  type: DvAttributeType;
  maxLength?: number;
  /** Lookup/Owner/Customer target entities. */
  targets?: string[];
  options?: DvOption[];
}
export interface DvEntity { logicalName: string; entitySetName: string; primaryId: string; attributes: DvAttribute[] }

export interface MetadataCatalog {
  bcTable(idOrName: number | string): BcTable | undefined;
  bcField(table: number | string, field: string): BcField | undefined;
  dvEntity(logicalName: string): DvEntity | undefined;
  dvAttribute(entity: string, attribute: string): DvAttribute | undefined;
}

// ---- BC ------------------------------------------------------------------------------------------

const f = (no: number, name: string, type: BcFieldType, length?: number, extra: Partial<BcField> = {}): BcField => ({
  no, name, type, ...(length === undefined ? {} : { length }), ...extra,
});
const rel = (...ids: number[]) => ({ relation: ids });
const FF = { flowField: true };

const SALES_DOC_TYPES = ['Quote', 'Order', 'Invoice', 'Credit Memo', 'Blanket Order', 'Return Order'];
const SALES_LINE_TYPES = [' ', 'G/L Account', 'Item', 'Resource', 'Fixed Asset', 'Charge (Item)', 'Allocation Account'];

/** Address block shared by the sales document headers (fields 5–17 and 85–93). */
const documentAddressFields = (): BcField[] => [
  f(5, 'Bill-to Name', 'Text', 100), f(7, 'Bill-to Address', 'Text', 100), f(8, 'Bill-to Address 2', 'Text', 50), f(9, 'Bill-to City', 'Text', 30),
  f(13, 'Ship-to Name', 'Text', 100), f(15, 'Ship-to Address', 'Text', 100), f(16, 'Ship-to Address 2', 'Text', 50), f(17, 'Ship-to City', 'Text', 30),
  f(85, 'Bill-to Post Code', 'Code', 20), f(86, 'Bill-to County', 'Text', 30), f(87, 'Bill-to Country/Region Code', 'Code', 10, rel(9)),
  f(91, 'Ship-to Post Code', 'Code', 20), f(92, 'Ship-to County', 'Text', 30), f(93, 'Ship-to Country/Region Code', 'Code', 10, rel(9)),
];

/** Customer (18) and Vendor (23) share numbering for the fields the integration maps. */
const partyFields = (ownerField: string): BcField[] => [
  f(1, 'No.', 'Code', 20), f(2, 'Name', 'Text', 100), f(5, 'Address', 'Text', 100), f(6, 'Address 2', 'Text', 50), f(7, 'City', 'Text', 30),
  f(8, 'Contact', 'Text', 100), f(9, 'Phone No.', 'Text', 30), f(22, 'Currency Code', 'Code', 10, rel(4)), f(27, 'Payment Terms Code', 'Code', 10, rel(3)),
  f(29, ownerField, 'Code', 20, rel(13)), f(30, 'Shipment Method Code', 'Code', 10, rel(10)), f(35, 'Country/Region Code', 'Code', 10, rel(9)),
  f(84, 'Fax No.', 'Text', 30), f(91, 'Post Code', 'Code', 20), f(92, 'County', 'Text', 30), f(102, 'E-Mail', 'Text', 80), f(103, 'Home Page', 'Text', 80),
  f(5049, 'Primary Contact No.', 'Code', 20, rel(5050)), f(5790, 'Shipping Agent Code', 'Code', 10, rel(291)),
];

export const BC_TABLES: BcTable[] = [
  { id: 3, name: 'Payment Terms', fields: [f(1, 'Code', 'Code', 10), f(5, 'Description', 'Text', 100)] },
  { id: 4, name: 'Currency', fields: [f(1, 'Code', 'Code', 10), f(15, 'Description', 'Text', 30), f(56, 'Symbol', 'Text', 10)] },
  { id: 6, name: 'Customer Price Group', fields: [f(1, 'Code', 'Code', 10), f(5, 'Description', 'Text', 100)] },
  { id: 10, name: 'Shipment Method', fields: [f(1, 'Code', 'Code', 10), f(2, 'Description', 'Text', 100)] },
  { id: 13, name: 'Salesperson/Purchaser', fields: [f(1, 'Code', 'Code', 20), f(2, 'Name', 'Text', 50), f(5052, 'E-Mail', 'Text', 80), f(5053, 'Phone No.', 'Text', 30)] },
  {
    id: 18, name: 'Customer',
    fields: [...partyFields('Salesperson Code'), f(20, 'Credit Limit (LCY)', 'Decimal'), f(39, 'Blocked', 'Option', undefined, { options: [' ', 'Ship', 'Invoice', 'All'] })],
  },
  { id: 23, name: 'Vendor', fields: [...partyFields('Purchaser Code'), f(39, 'Blocked', 'Option', undefined, { options: [' ', 'Payment', 'All'] })] },
  {
    id: 27, name: 'Item',
    fields: [
      f(1, 'No.', 'Code', 20), f(3, 'Description', 'Text', 100), f(8, 'Base Unit of Measure', 'Code', 10, rel(5404, 204)), f(18, 'Unit Price', 'Decimal'),
      f(22, 'Unit Cost', 'Decimal'), f(31, 'Vendor No.', 'Code', 20, rel(23)), f(32, 'Vendor Item No.', 'Text', 50), f(41, 'Gross Weight', 'Decimal'),
      f(44, 'Unit Volume', 'Decimal'), f(54, 'Blocked', 'Boolean'), f(68, 'Inventory', 'Decimal', undefined, FF),
    ],
  },
  {
    id: 36, name: 'Sales Header',
    fields: [
      f(1, 'Document Type', 'Option', undefined, { options: SALES_DOC_TYPES }), f(2, 'Sell-to Customer No.', 'Code', 20, rel(18)), f(3, 'No.', 'Code', 20),
      ...documentAddressFields(), f(11, 'Your Reference', 'Text', 35), f(23, 'Payment Terms Code', 'Code', 10, rel(3)), f(25, 'Payment Discount %', 'Decimal'),
      f(27, 'Shipment Method Code', 'Code', 10, rel(10)), f(32, 'Currency Code', 'Code', 10, rel(4)), f(43, 'Salesperson Code', 'Code', 20, rel(13)),
      f(60, 'Amount', 'Decimal', undefined, FF), f(61, 'Amount Including VAT', 'Decimal', undefined, FF), f(105, 'Shipping Agent Code', 'Code', 10, rel(291)),
      f(120, 'Status', 'Option', undefined, { options: ['Open', 'Released', 'Pending Approval', 'Pending Prepayment'] }), f(200, 'Work Description', 'Blob'),
      f(1305, 'Invoice Discount Amount', 'Decimal', undefined, FF), f(5790, 'Requested Delivery Date', 'Date'), f(5756, 'Last Shipment Date', 'Date', undefined, FF),
    ],
  },
  {
    id: 37, name: 'Sales Line',
    fields: [
      f(1, 'Document Type', 'Option', undefined, { options: SALES_DOC_TYPES }), f(3, 'Document No.', 'Code', 20), f(4, 'Line No.', 'Integer'),
      f(5, 'Type', 'Option', undefined, { options: SALES_LINE_TYPES }), f(6, 'No.', 'Code', 20, rel(27, 156)), f(15, 'Quantity', 'Decimal'),
      f(18, 'Quantity Shipped', 'Decimal'), f(22, 'Unit Price', 'Decimal'), f(29, 'Amount', 'Decimal'), f(30, 'Amount Including VAT', 'Decimal'),
      f(91, 'Currency Code', 'Code', 10, rel(4)), f(5790, 'Requested Delivery Date', 'Date'),
    ],
  },
  {
    id: 112, name: 'Sales Invoice Header',
    fields: [
      f(3, 'No.', 'Code', 20), ...documentAddressFields(), f(10, 'Shipment Date', 'Date'), f(23, 'Payment Terms Code', 'Code', 10, rel(3)), f(24, 'Due Date', 'Date'),
      f(27, 'Shipment Method Code', 'Code', 10, rel(10)), f(32, 'Currency Code', 'Code', 10, rel(4)), f(43, 'Salesperson Code', 'Code', 20, rel(13)),
      f(60, 'Amount', 'Decimal', undefined, FF), f(61, 'Amount Including VAT', 'Decimal', undefined, FF), f(105, 'Shipping Agent Code', 'Code', 10, rel(291)),
      f(200, 'Work Description', 'Blob'), f(1305, 'Invoice Discount Amount', 'Decimal', undefined, FF),
    ],
  },
  {
    id: 113, name: 'Sales Invoice Line',
    fields: [
      f(3, 'Document No.', 'Code', 20, rel(112)), f(4, 'Line No.', 'Integer'), f(5, 'Type', 'Option', undefined, { options: SALES_LINE_TYPES }),
      f(6, 'No.', 'Code', 20, rel(27, 156)), f(15, 'Quantity', 'Decimal'), f(22, 'Unit Price', 'Decimal'), f(28, 'Line Discount Amount', 'Decimal'),
      f(29, 'Amount', 'Decimal'), f(30, 'Amount Including VAT', 'Decimal'),
    ],
  },
  {
    id: 156, name: 'Resource',
    fields: [
      f(1, 'No.', 'Code', 20), f(2, 'Type', 'Option', undefined, { options: ['Person', 'Machine'] }), f(3, 'Name', 'Text', 100),
      f(18, 'Base Unit of Measure', 'Code', 10, rel(205, 204)), f(21, 'Unit Cost', 'Decimal'), f(24, 'Unit Price', 'Decimal'), f(25, 'Vendor No.', 'Code', 20, rel(23)),
      f(38, 'Blocked', 'Boolean'), f(41, 'Capacity', 'Decimal', undefined, FF),
    ],
  },
  { id: 204, name: 'Unit of Measure', fields: [f(1, 'Code', 'Code', 10), f(2, 'Description', 'Text', 50)] },
  { id: 205, name: 'Resource Unit of Measure', fields: [f(1, 'Resource No.', 'Code', 20, rel(156)), f(2, 'Code', 'Code', 10, rel(204)), f(3, 'Qty. per Unit of Measure', 'Decimal')] },
  { id: 291, name: 'Shipping Agent', fields: [f(1, 'Code', 'Code', 10), f(2, 'Name', 'Text', 50)] },
  {
    id: 5050, name: 'Contact',
    fields: [
      f(1, 'No.', 'Code', 20), f(2, 'Name', 'Text', 100), f(5, 'Address', 'Text', 100), f(6, 'Address 2', 'Text', 50), f(7, 'City', 'Text', 30),
      f(9, 'Phone No.', 'Text', 30), f(22, 'Currency Code', 'Code', 10, rel(4)), f(29, 'Salesperson Code', 'Code', 20, rel(13)),
      f(35, 'Country/Region Code', 'Code', 10, rel(9)), f(84, 'Fax No.', 'Text', 30), f(91, 'Post Code', 'Code', 20), f(92, 'County', 'Text', 30),
      f(102, 'E-Mail', 'Text', 80), f(103, 'Home Page', 'Text', 80), f(5050, 'Type', 'Option', undefined, { options: ['Company', 'Person'] }),
      f(5051, 'Company No.', 'Code', 20, rel(5050)), f(5052, 'Company Name', 'Text', 100), f(5054, 'First Name', 'Text', 30), f(5055, 'Middle Name', 'Text', 30),
      f(5056, 'Surname', 'Text', 30), f(5061, 'Mobile Phone No.', 'Text', 30), f(5062, 'Pager', 'Text', 30),
    ],
  },
  {
    id: 5092, name: 'Opportunity',
    fields: [
      f(1, 'No.', 'Code', 20), f(2, 'Description', 'Text', 100), f(3, 'Salesperson Code', 'Code', 20, rel(13)), f(5, 'Contact No.', 'Code', 20, rel(5050)),
      // The company contact is resolved to the customer/vendor coupled through its business relation.
      f(6, 'Contact Company No.', 'Code', 20, rel(18, 23)),
      f(9, 'Status', 'Option', undefined, { options: ['Not Started', 'In Progress', 'Won', 'Lost'] }),
      f(13, 'Estimated Value (LCY)', 'Decimal', undefined, FF), f(14, 'Estimated Closing Date', 'Date', undefined, FF),
    ],
  },
  {
    id: 5400, name: 'Unit Group',
    fields: [f(1, 'Source Type', 'Option', undefined, { options: ['Item', 'Resource'] }), f(2, 'Source Id', 'Guid'), f(3, 'Source No.', 'Code', 20), f(4, 'Code', 'Code', 50)],
  },
  { id: 5404, name: 'Item Unit of Measure', fields: [f(1, 'Item No.', 'Code', 20, rel(27)), f(2, 'Code', 'Code', 10, rel(204)), f(3, 'Qty. per Unit of Measure', 'Decimal')] },
  {
    id: 7000, name: 'Price List Header',
    fields: [
      // Price Type / Amount Type / Status are enums in AL (Price Type, Price Amount Type, Price Status); members by name.
      f(1, 'Code', 'Code', 20), f(2, 'Description', 'Text', 250), f(8, 'Price Type', 'Option', undefined, { options: ['Any', 'Sale', 'Purchase'] }),
      f(9, 'Amount Type', 'Option', undefined, { options: ['Any', 'Price', 'Discount', 'Cost'] }), f(10, 'Currency Code', 'Code', 10, rel(4)),
      f(11, 'Starting Date', 'Date'), f(12, 'Ending Date', 'Date'), f(18, 'Status', 'Option', undefined, { options: ['Draft', 'Active', 'Inactive'] }),
      f(20, 'Allow Updating Defaults', 'Boolean'),
    ],
  },
  {
    id: 7001, name: 'Price List Line',
    fields: [
      f(1, 'Price List Code', 'Code', 20, rel(7000)), f(2, 'Line No.', 'Integer'),
      f(7, 'Asset Type', 'Option', undefined, { options: [' ', 'Item', 'Item Discount Group', 'Resource', 'Resource Group', 'Service Cost', 'G/L Account'] }),
      f(8, 'Asset No.', 'Code', 20, rel(27, 156)), f(10, 'Currency Code', 'Code', 10, rel(4)), f(14, 'Minimum Quantity', 'Decimal'),
      f(15, 'Unit of Measure Code', 'Code', 10, rel(5404, 205, 204)), f(16, 'Amount Type', 'Option', undefined, { options: ['Any', 'Price', 'Discount', 'Cost'] }),
      f(17, 'Unit Price', 'Decimal'), f(28, 'Price Type', 'Option', undefined, { options: ['Any', 'Sale', 'Purchase'] }),
    ],
  },
  {
    id: 7002, name: 'Sales Price',
    fields: [
      f(1, 'Item No.', 'Code', 20, rel(27)), f(2, 'Sales Code', 'Code', 20, rel(18, 6, 7700)), f(3, 'Currency Code', 'Code', 10, rel(4)), f(4, 'Starting Date', 'Date'),
      f(5, 'Unit Price', 'Decimal'), f(13, 'Sales Type', 'Option', undefined, { options: ['Customer', 'Customer Price Group', 'All Customers', 'Campaign'] }),
      f(14, 'Minimum Quantity', 'Decimal'), f(5400, 'Unit of Measure Code', 'Code', 10, rel(5404)),
    ],
  },
];

// ---- Dataverse -----------------------------------------------------------------------------------

const s = (name: string, maxLength: number): DvAttribute => ({ name, type: 'String', maxLength });
const a = (name: string, type: DvAttributeType, extra: Partial<DvAttribute> = {}): DvAttribute => ({ name, type, ...extra });
const lk = (name: string, ...targets: string[]): DvAttribute => ({ name, type: 'Lookup', targets });
const opts = (...labels: [number, string][]): DvOption[] => labels.map(([value, label]) => ({ value, label }));
const pick = (name: string, options: DvOption[]): DvAttribute => ({ name, type: 'Picklist', options });

export const PAYMENT_TERMS_OPTIONS = opts([1, 'Net 30'], [2, '2% 10; Net 30'], [3, 'Net 45'], [4, 'Net 60']);
export const FREIGHT_TERMS_OPTIONS = opts([1, 'FOB'], [2, 'No Charge']);
export const SHIPPING_METHOD_OPTIONS = opts([1, 'Airborne'], [2, 'DHL'], [3, 'FedEx'], [4, 'UPS'], [5, 'Postal Mail'], [6, 'Full Load'], [7, 'Will Call']);
const ACTIVE_INACTIVE = opts([0, 'Active'], [1, 'Inactive']);

const common = (id: string, extraStates: DvOption[] = ACTIVE_INACTIVE): DvAttribute[] => [
  a(id, 'Uniqueidentifier'), a('modifiedon', 'DateTime'), a('createdon', 'DateTime'), a('statecode', 'State', { options: extraStates }),
];
const owned = (): DvAttribute[] => [a('ownerid', 'Owner', { targets: ['systemuser', 'team'] }), a('owneridtype', 'EntityName')];
const company = (): DvAttribute => lk('bcbi_companyid', 'bcbi_company');
const address = (prefix: string, nameLen = 200): DvAttribute[] => [
  s(`${prefix}_name`, nameLen), s(`${prefix}_line1`, 250), s(`${prefix}_line2`, 250), s(`${prefix}_city`, 80), s(`${prefix}_country`, 80),
  s(`${prefix}_postalcode`, 20), s(`${prefix}_stateorprovince`, 50),
];
const SALES_DOC = (): DvAttribute[] => [
  ...owned(), company(), lk('transactioncurrencyid', 'transactioncurrency'), ...address('shipto'), ...address('billto'),
  a('totalamountlessfreight', 'Money'), a('totalamount', 'Money'), a('discountamount', 'Money'), pick('shippingmethodcode', SHIPPING_METHOD_OPTIONS),
  pick('paymenttermscode', PAYMENT_TERMS_OPTIONS), a('description', 'Memo', { maxLength: 2000 }), lk('pricelevelid', 'pricelevel'),
  a('customerid', 'Customer', { targets: ['account', 'contact'] }), a('customeridtype', 'EntityName'), lk('opportunityid', 'opportunity'),
];

export const DV_ENTITIES: DvEntity[] = [
  {
    logicalName: 'systemuser', entitySetName: 'systemusers', primaryId: 'systemuserid',
    attributes: [
      a('systemuserid', 'Uniqueidentifier'), a('modifiedon', 'DateTime'), s('internalemailaddress', 100), s('fullname', 200), s('mobilephone', 64),
      a('isdisabled', 'Boolean'), a('islicensed', 'Boolean'), a('isintegrationuser', 'Boolean'),
    ],
  },
  {
    logicalName: 'account', entitySetName: 'accounts', primaryId: 'accountid',
    attributes: [
      ...common('accountid'), ...owned(), company(), s('name', 160), s('address1_primarycontactname', 100), s('address1_line1', 250), s('address1_line2', 250),
      s('address1_postalcode', 20), s('address1_city', 80), s('address1_country', 80), s('address1_stateorprovince', 50),
      lk('transactioncurrencyid', 'transactioncurrency'), s('emailaddress1', 100), s('fax', 50), s('websiteurl', 200), s('telephone1', 50),
      pick('address1_freighttermscode', FREIGHT_TERMS_OPTIONS), pick('address1_shippingmethodcode', SHIPPING_METHOD_OPTIONS),
      pick('paymenttermscode', PAYMENT_TERMS_OPTIONS), a('creditlimit', 'Money'), lk('primarycontactid', 'contact'),
      a('statuscode', 'Status', { options: opts([1, 'Active'], [2, 'Inactive']) }),
      pick('customertypecode', opts([1, 'Competitor'], [2, 'Consultant'], [3, 'Customer'], [4, 'Investor'], [5, 'Partner'], [6, 'Influencer'], [7, 'Press'],
        [8, 'Prospect'], [9, 'Reseller'], [10, 'Supplier'], [11, 'Vendor'], [12, 'Other'])),
    ],
  },
  {
    logicalName: 'contact', entitySetName: 'contacts', primaryId: 'contactid',
    attributes: [
      ...common('contactid'), ...owned(), company(), a('parentcustomerid', 'Customer', { targets: ['account', 'contact'] }), a('parentcustomeridtype', 'EntityName'),
      lk('transactioncurrencyid', 'transactioncurrency'), s('address1_line1', 250), s('address1_line2', 250), s('address1_postalcode', 20), s('address1_city', 80),
      s('address1_country', 80), s('address1_stateorprovince', 50), s('emailaddress1', 100), s('fax', 50), s('firstname', 50), s('middlename', 50),
      s('lastname', 50), s('websiteurl', 200), s('mobilephone', 50), s('pager', 50), s('telephone1', 50), s('fullname', 160),
    ],
  },
  {
    logicalName: 'transactioncurrency', entitySetName: 'transactioncurrencies', primaryId: 'transactioncurrencyid',
    attributes: [...common('transactioncurrencyid'), s('isocurrencycode', 5), s('currencysymbol', 10), s('currencyname', 100), a('exchangerate', 'Decimal'), a('currencyprecision', 'Integer')],
  },
  { logicalName: 'uomschedule', entitySetName: 'uomschedules', primaryId: 'uomscheduleid', attributes: [...common('uomscheduleid'), s('name', 200), s('baseuomname', 100)] },
  {
    logicalName: 'uom', entitySetName: 'uoms', primaryId: 'uomid',
    attributes: [a('uomid', 'Uniqueidentifier'), a('modifiedon', 'DateTime'), s('name', 100), a('quantity', 'Decimal'), lk('uomscheduleid', 'uomschedule'), a('isschedulebaseuom', 'Boolean')],
  },
  {
    logicalName: 'product', entitySetName: 'products', primaryId: 'productid',
    attributes: [
      ...common('productid', opts([0, 'Active'], [1, 'Retired'], [2, 'Draft'], [3, 'Under Revision'])), company(), s('productnumber', 100), s('name', 100),
      a('price', 'Money'), a('standardcost', 'Money'), a('currentcost', 'Money'), a('stockvolume', 'Decimal'), a('stockweight', 'Decimal'), s('vendorid', 100),
      s('vendorname', 100), s('vendorpartnumber', 100), a('quantityonhand', 'Decimal'), lk('defaultuomid', 'uom'), lk('defaultuomscheduleid', 'uomschedule'),
      pick('producttypecode', opts([1, 'Sales Inventory'], [2, 'Miscellaneous Charges'], [3, 'Services'], [4, 'Flat Fees'])), lk('pricelevelid', 'pricelevel'),
      lk('transactioncurrencyid', 'transactioncurrency'), a('quantitydecimal', 'Integer'),
    ],
  },
  {
    logicalName: 'pricelevel', entitySetName: 'pricelevels', primaryId: 'pricelevelid',
    attributes: [...common('pricelevelid'), company(), s('name', 100), a('description', 'Memo', { maxLength: 2000 }), lk('transactioncurrencyid', 'transactioncurrency'), a('begindate', 'DateTime'), a('enddate', 'DateTime')],
  },
  {
    logicalName: 'productpricelevel', entitySetName: 'productpricelevels', primaryId: 'productpricelevelid',
    attributes: [
      a('productpricelevelid', 'Uniqueidentifier'), a('modifiedon', 'DateTime'), lk('pricelevelid', 'pricelevel'), lk('productid', 'product'), s('productnumber', 100),
      lk('transactioncurrencyid', 'transactioncurrency'), lk('uomid', 'uom'), lk('uomscheduleid', 'uomschedule'), a('amount', 'Money'),
      pick('pricingmethodcode', opts([1, 'Currency Amount'], [2, 'Percent of List'], [3, 'Percent Markup - Current Cost'], [4, 'Percent Margin - Current Cost'],
        [5, 'Percent Markup - Standard Cost'], [6, 'Percent Margin - Standard Cost'])),
    ],
  },
  {
    logicalName: 'invoice', entitySetName: 'invoices', primaryId: 'invoiceid',
    attributes: [
      ...common('invoiceid', opts([0, 'Active'], [1, 'Closed'], [2, 'Paid'], [3, 'Canceled'])), ...SALES_DOC(), s('invoicenumber', 100), a('duedate', 'DateTime'),
      a('datedelivered', 'DateTime'), lk('salesorderid', 'salesorder'),
    ],
  },
  {
    logicalName: 'invoicedetail', entitySetName: 'invoicedetails', primaryId: 'invoicedetailid',
    attributes: [
      a('invoicedetailid', 'Uniqueidentifier'), a('modifiedon', 'DateTime'), lk('invoiceid', 'invoice'), lk('productid', 'product'), a('quantity', 'Decimal'),
      a('manualdiscountamount', 'Money'), a('priceperunit', 'Money'), a('ispriceoverridden', 'Boolean'), a('baseamount', 'Money'), a('extendedamount', 'Money'),
    ],
  },
  {
    logicalName: 'opportunity', entitySetName: 'opportunities', primaryId: 'opportunityid',
    attributes: [
      ...common('opportunityid', opts([0, 'Open'], [1, 'Won'], [2, 'Lost'])), ...owned(), company(), s('name', 300), lk('parentcontactid', 'contact'),
      lk('parentaccountid', 'account'), a('estimatedvalue', 'Money'), a('estimatedclosedate', 'DateTime'),
    ],
  },
  {
    logicalName: 'salesorder', entitySetName: 'salesorders', primaryId: 'salesorderid',
    attributes: [
      ...common('salesorderid', opts([0, 'Active'], [1, 'Submitted'], [2, 'Canceled'], [3, 'Fulfilled'], [4, 'Invoiced'])), ...SALES_DOC(), s('ordernumber', 100),
      a('datefulfilled', 'DateTime'), a('requestdeliveryby', 'DateTime'), pick('freighttermscode', FREIGHT_TERMS_OPTIONS), s('bcbi_businesscentralordernumber', 100),
      a('discountpercentage', 'Decimal'), s('name', 300),
    ],
  },
  {
    logicalName: 'salesorderdetail', entitySetName: 'salesorderdetails', primaryId: 'salesorderdetailid',
    attributes: [
      a('salesorderdetailid', 'Uniqueidentifier'), a('modifiedon', 'DateTime'), lk('salesorderid', 'salesorder'), lk('productid', 'product'),
      pick('producttypecode', opts([1, 'Product'], [2, 'Bundle'], [3, 'Required Bundle Product'], [4, 'Optional Bundle Product'], [5, 'Project-based Service'])),
      // Logical name not read from the solution (reference §H): BusinessCentralLineNumber, lower-cased with the bcbi_ prefix.
      a('bcbi_businesscentrallinenumber', 'Integer'), a('quantity', 'Decimal'), a('quantityshipped', 'Decimal'), a('ispriceoverridden', 'Boolean'),
      a('priceperunit', 'Money'), lk('transactioncurrencyid', 'transactioncurrency'), a('baseamount', 'Money'), a('extendedamount', 'Money'), a('requestdeliveryby', 'DateTime'),
    ],
  },
  { logicalName: 'bcbi_company', entitySetName: 'bcbi_companies', primaryId: 'bcbi_companyid', attributes: [a('bcbi_companyid', 'Uniqueidentifier'), s('bcbi_name', 100), lk('bcbi_defaultowningteam', 'team')] },
];

/** Index the lists once so validating a full set stays well under a millisecond per mapping. */
export function createCatalog(tables: readonly BcTable[] = BC_TABLES, entities: readonly DvEntity[] = DV_ENTITIES): MetadataCatalog {
  const byId = new Map<number, BcTable>();
  const byName = new Map<string, BcTable>();
  const fields = new Map<BcTable, Map<string, BcField>>();
  for (const t of tables) {
    byId.set(t.id, t);
    byName.set(t.name.toLowerCase(), t);
    fields.set(t, new Map(t.fields.map((x) => [x.name.toLowerCase(), x])));
  }
  const ents = new Map<string, DvEntity>();
  const attrs = new Map<string, Map<string, DvAttribute>>();
  for (const e of entities) {
    ents.set(e.logicalName, e);
    attrs.set(e.logicalName, new Map(e.attributes.map((x) => [x.name, x])));
  }
  const bcTable = (k: number | string) => (typeof k === 'number' ? byId.get(k) : byName.get(k.toLowerCase()));
  return {
    bcTable,
    bcField: (t, name) => {
      const table = bcTable(t);
      return table ? fields.get(table)!.get(name.toLowerCase()) : undefined;
    },
    dvEntity: (n) => ents.get(n),
    dvAttribute: (e, n) => attrs.get(e)?.get(n),
  };
}

export const defaultCatalog: MetadataCatalog = createCatalog();
