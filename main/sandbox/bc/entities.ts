/**
 * Entity model of the Business Central sandbox.
 *
 * Two layers, like BC itself: a *table* holds every field the sandbox knows about a record (the superset of
 * what the standard API page and our companion-extension API page show), and an *exposure* is one API page:
 * a list of the table's fields (optionally renamed), where it is published (standard v2.0, v1.0, or our custom
 * group `api/d365ic/integration/v1.0`) and whether it is a filtered read-only view (e.g. posted invoices).
 *
 * Field specs use a compact notation: `name:type[!]` where type is s<maxLen> (string), n (decimal), i (integer),
 * b (boolean), d (date), t (date-time), g (GUID) or o(A|B|C) (option); `!` marks a read-only field (writing it
 * answers 400 BadRequest_InvalidOperation, as a non-editable page control does).
 */

export type FieldType = 'string' | 'number' | 'int' | 'boolean' | 'date' | 'datetime' | 'guid' | 'option';

export interface FieldDef {
  name: string;
  type: FieldType;
  readOnly: boolean;
  maxLength?: number;
  options?: string[];
}

export interface TableDef {
  name: string;
  /** Microsoft.NAV entity type name used in @odata.context and error texts. */
  entityType: string;
  companyScoped: boolean;
  fields: Map<string, FieldDef>;
  /** Natural key (BC primary key) checked for duplicates. */
  key?: string[];
  /** Number series used when `number` is not supplied on POST. */
  series?: { field: string; prefix: string; width: number; start: number };
  /** For line tables: the header table. */
  parentTable?: string;
  /** For header tables: the line table and its navigation name on the standard page. */
  linesTable?: string;
}

export interface ExposedField {
  /** Name on the API page. */
  name: string;
  /** Field of the table it reads/writes. */
  from: string;
  def: FieldDef;
}

export type ApiGroup = 'v2.0' | 'v1.0' | 'custom';

export interface Exposure {
  group: ApiGroup;
  set: string;
  table: string;
  entityType: string;
  fields: Map<string, ExposedField>;
  insertable: boolean;
  modifiable: boolean;
  deletable: boolean;
  /** Rows of the table visible through this page (e.g. posted invoices only). */
  where?: { field: string; in: (string | boolean)[] };
  /** Navigation property name → line exposure set name (same group). */
  lines?: { nav: string; set: string };
  /** Output shape transform (v1.0 nested address). */
  shape?: 'v1-address';
}

function parseFields(spec: string): Map<string, FieldDef> {
  const out = new Map<string, FieldDef>();
  for (const tok of spec.trim().split(/\s+/)) {
    const m = /^([A-Za-z0-9_]+):(s(\d+)|n|i|b|d|t|g|o\(([^)]*)\))(!?)$/.exec(tok);
    if (!m) throw new Error(`bad field spec ${tok}`);
    const kind = m[2]!;
    const def: FieldDef = {
      name: m[1]!,
      readOnly: m[5] === '!',
      type: kind.startsWith('s')
        ? 'string'
        : kind.startsWith('o')
          ? 'option'
          : ({ n: 'number', i: 'int', b: 'boolean', d: 'date', t: 'datetime', g: 'guid' } as const)[kind as 'n']!,
    };
    if (m[3]) def.maxLength = Number(m[3]);
    if (m[4] !== undefined) def.options = m[4].split('|').map((o) => o.replace(/_/g, ' '));
    out.set(def.name, def);
  }
  return out;
}

const ADDR = (p: string) => `${p}AddressLine1:s100 ${p}AddressLine2:s50 ${p}City:s30 ${p}Country:s10 ${p}State:s30 ${p}PostCode:s20`;
const ADDR_SPEC = 'addressLine1:s100 addressLine2:s50 city:s30 state:s30 country:s10 postalCode:s20';
const DOC_PARTY = `customerId:g customerNumber:s20 customerName:s100! billToName:s100! billToCustomerId:g billToCustomerNumber:s20
  shipToName:s100 shipToContact:s100 ${ADDR('sellTo')} ${ADDR('billTo')} ${ADDR('shipTo')}
  currencyId:g currencyCode:s10 paymentTermsId:g shipmentMethodId:g salesperson:s20 phoneNumber:s30 email:s80
  discountAmount:n discountAppliedBeforeTax:b! totalAmountExcludingTax:n! totalTaxAmount:n! totalAmountIncludingTax:n!
  paymentTermsCode:s10 shipmentMethodCode:s10 shippingAgentCode:s10 workDescription:s250 lastModifiedDateTime:t!`;
const LINE = `id:g documentId:g sequence:i itemId:g accountId:g lineType:o(Comment|Account|Item|Resource|Fixed_Asset|Charge)
  lineObjectNumber:s20 description:s100 description2:s50 unitOfMeasureId:g unitOfMeasureCode:s10 quantity:n unitPrice:n
  discountAmount:n discountPercent:n discountAppliedBeforeTax:b! amountExcludingTax:n! taxCode:s20 taxPercent:n!
  totalTaxAmount:n! amountIncludingTax:n! invoiceDiscountAllocation:n! netAmount:n! netTaxAmount:n! netAmountIncludingTax:n!
  shipmentDate:d itemVariantId:g locationId:g documentNumber:s20! posted:b!`;

const T = (
  name: string,
  entityType: string,
  spec: string,
  extra: Partial<Omit<TableDef, 'name' | 'entityType' | 'fields'>> = {},
): TableDef => ({ name, entityType, companyScoped: true, fields: parseFields(spec), ...extra });

export const TABLES: Record<string, TableDef> = Object.fromEntries(
  [
    T('companies', 'company', `id:g systemVersion:s30! timestamp:i! name:s30 displayName:s250 businessProfileId:s250
      systemCreatedAt:t! systemCreatedBy:g! systemModifiedAt:t! systemModifiedBy:g!`, { companyScoped: false }),
    // v2.0 companyInformation: one row per company; currencyCode is the local currency (General Ledger Setup LCY Code).
    T('companyInformation', 'companyInformation', `id:g displayName:s250 currencyCode:s10! currentFiscalYearStartDate:d! lastModifiedDateTime:t!`),
    T('customers', 'customer', `id:g number:s20 displayName:s100 type:o(Company|Person) ${ADDR_SPEC}
      phoneNumber:s30 email:s80 website:s80 salespersonCode:s20 balanceDue:n! creditLimit:n taxLiable:b taxAreaId:g
      taxAreaDisplayName:s100! taxRegistrationNumber:s20 currencyId:g currencyCode:s10 paymentTermsId:g shipmentMethodId:g
      paymentMethodId:g blocked:o(_|Ship|Invoice|All) lastModifiedDateTime:t!
      contact:s100 primaryContactNumber:s20 faxNumber:s30 paymentTermsCode:s10 shipmentMethodCode:s10
      shippingAgentCode:s10 customerPriceGroup:s10 companyContactNumber:s20`, { key: ['number'], series: { field: 'number', prefix: 'K', width: 5, start: 10000 } }),
    T('vendors', 'vendor', `id:g number:s20 displayName:s100 ${ADDR_SPEC} phoneNumber:s30 email:s80 website:s80
      taxRegistrationNumber:s20 currencyId:g currencyCode:s10 irs1099Code:s10 paymentTermsId:g paymentMethodId:g taxLiable:b
      blocked:o(_|Payment|All) balance:n! lastModifiedDateTime:t! purchaserCode:s20 contact:s100 primaryContactNumber:s20
      faxNumber:s30 paymentTermsCode:s10 shipmentMethodCode:s10 shippingAgentCode:s10 companyContactNumber:s20`,
      { key: ['number'], series: { field: 'number', prefix: 'L', width: 5, start: 10000 } }),
    T('contacts', 'contact', `id:g number:s20 type:o(Company|Person) displayName:s100 jobTitle:s30 companyNumber:s20
      companyName:s100! contactBusinessRelation:o(_|None|Customer|Vendor|Bank_Account|Employee|Multiple) ${ADDR_SPEC}
      phoneNumber:s30 mobilePhoneNumber:s30 email:s80 website:s80 searchName:s100! privacyBlocked:b taxRegistrationNumber:s20
      lastModifiedDateTime:t! firstName:s30 middleName:s30 surname:s30 salespersonCode:s20 currencyCode:s10
      faxNumber:s30 pager:s30`, { key: ['number'], series: { field: 'number', prefix: 'KT', width: 6, start: 1 } }),
    T('items', 'item', `id:g number:s20 displayName:s100 displayName2:s50 type:o(Inventory|Service|Non-Inventory)
      itemCategoryId:g itemCategoryCode:s20 blocked:b gtin:s14 inventory:n! unitPrice:n priceIncludesTax:b unitCost:n
      taxGroupId:g taxGroupCode:s20 baseUnitOfMeasureId:g baseUnitOfMeasureCode:s10 generalProductPostingGroupId:g
      generalProductPostingGroupCode:s20 inventoryPostingGroupId:g inventoryPostingGroupCode:s20 lastModifiedDateTime:t!
      unitVolume:n grossWeight:n netWeight:n vendorNumber:s20 vendorItemNumber:s50`,
      { key: ['number'], series: { field: 'number', prefix: 'V', width: 6, start: 1000 } }),
    T('unitsOfMeasure', 'unitOfMeasure', `id:g code:s10 displayName:s50 internationalStandardCode:s10 symbol:s10 lastModifiedDateTime:t!`, { key: ['code'] }),
    T('currencies', 'currency', `id:g code:s10 displayName:s30 symbol:s10 amountDecimalPlaces:s5 amountRoundingPrecision:n lastModifiedDateTime:t!`, { key: ['code'] }),
    T('salespeoplePurchasers', 'salespersonPurchaser', `id:g code:s20 displayName:s50 email:s80 email2:s80 phoneNo:s30 jobTitle:s30
      commisionPercent:n privacyBlocked:b blocked:b lastModifiedDateTime:t!`, { key: ['code'] }),
    T('paymentTerms', 'paymentTerm', `id:g code:s10 displayName:s100 dueDateCalculation:s32 discountDateCalculation:s32 discountPercent:n
      calculateDiscountOnCreditMemos:b lastModifiedDateTime:t!`, { key: ['code'] }),
    T('shipmentMethods', 'shipmentMethod', `id:g code:s10 displayName:s100 lastModifiedDateTime:t!`, { key: ['code'] }),
    // Shipping Agent (291): not in API v2.0; served by the companion group for the SHIPPING AGENT option mapping.
    T('shippingAgents', 'shippingAgent', `id:g code:s10 name:s50 internetAddress:s250 accountNo:s30 lastModifiedDateTime:t!`, { key: ['code'] }),
    T('salesOrders', 'salesOrder', `id:g number:s20 externalDocumentNumber:s35 orderDate:d postingDate:d ${DOC_PARTY}
      pricesIncludeTax:b partialShipping:b requestedDeliveryDate:d fullyShipped:b! status:o(Draft|In_Review|Open|Released)!
      lastShipmentDate:d`, { key: ['number'], series: { field: 'number', prefix: 'S-ORD', width: 6, start: 101001 }, linesTable: 'salesOrderLines' }),
    T('salesOrderLines', 'salesOrderLine', `${LINE} shippedQuantity:n! invoicedQuantity:n! invoiceQuantity:n shipQuantity:n`, { parentTable: 'salesOrders' }),
    T('salesInvoices', 'salesInvoice', `id:g number:s20 externalDocumentNumber:s35 invoiceDate:d postingDate:d dueDate:d
      customerPurchaseOrderReference:s35 ${DOC_PARTY} orderId:g! orderNumber:s20! pricesIncludeTax:b remainingAmount:n!
      status:o(Draft|In_Review|Open|Paid|Canceled|Corrective)! shipmentDate:d draftNumber:s20!`,
      { key: ['number'], series: { field: 'number', prefix: 'S-INV', width: 6, start: 102001 }, linesTable: 'salesInvoiceLines' }),
    T('salesInvoiceLines', 'salesInvoiceLine', LINE, { parentTable: 'salesInvoices' }),
    T('salesQuotes', 'salesQuote', `id:g number:s20 externalDocumentNumber:s35 documentDate:d postingDate:d dueDate:d ${DOC_PARTY}
      status:o(Draft|Sent|Accepted|Expired)! sentDate:t! validUntilDate:d acceptedDate:d`,
      { key: ['number'], series: { field: 'number', prefix: 'S-QUO', width: 5, start: 1001 }, linesTable: 'salesQuoteLines' }),
    T('salesQuoteLines', 'salesQuoteLine', LINE, { parentTable: 'salesQuotes' }),
    // Companion-extension tables (not in the standard API).
    T('customerPriceGroups', 'customerPriceGroup', `id:g code:s10 description:s100 allowInvoiceDisc:b allowLineDisc:b priceIncludesVat:b
      vatBusPostingGrPrice:s20 lastModifiedDateTime:t!`, { key: ['code'] }),
    T('salesPrices', 'salesPrice', `id:g itemNo:s20 salesType:o(Customer|Customer_Price_Group|All_Customers|Campaign) salesCode:s20
      currencyCode:s10 startingDate:d endingDate:d unitPrice:n minimumQuantity:n unitOfMeasureCode:s10 priceIncludesVat:b
      allowInvoiceDisc:b allowLineDisc:b lastModifiedDateTime:t!`),
    T('priceListHeaders', 'priceListHeader', `id:g code:s20 description:s250 priceType:o(Any|Sale|Purchase)
      sourceType:o(All|All_Customers|Customer|Customer_Price_Group|Campaign|Contact) sourceNo:s20 currencyCode:s10
      startingDate:d endingDate:d status:o(Draft|Active|Inactive) amountType:o(Any|Price|Discount) allowUpdatingDefaults:b
      priceIncludesVat:b lastModifiedDateTime:t!`, { key: ['code'] }),
    T('priceListLines', 'priceListLine', `id:g priceListCode:s20 lineNo:i assetType:o(_|Item|Item_Discount_Group|Resource|Resource_Group|Service_Cost)
      assetNo:s20 unitOfMeasureCode:s10 currencyCode:s10 minimumQuantity:n unitPrice:n startingDate:d endingDate:d
      priceType:o(Any|Sale|Purchase) amountType:o(Any|Price|Discount) status:o(Draft|Active|Inactive) lastModifiedDateTime:t!`),
    T('opportunities', 'opportunity', `id:g number:s20 description:s100 contactNumber:s20 contactCompanyNumber:s20 salespersonCode:s20
      status:o(Not_Started|In_Progress|Won|Lost) estimatedValueLcy:n estimatedClosingDate:d creationDate:d probabilityPercent:n
      lastModifiedDateTime:t!`, { key: ['number'], series: { field: 'number', prefix: 'MV', width: 6, start: 1 } }),
    T('itemUnitsOfMeasure', 'itemUnitOfMeasure', `id:g itemNumber:s20 code:s10 qtyPerUnitOfMeasure:n length:n width:n height:n weight:n
      lastModifiedDateTime:t!`, { key: ['itemNumber', 'code'] }),
    T('resources', 'resource', `id:g number:s20 name:s100 type:o(Person|Machine) unitPrice:n unitCost:n capacity:n baseUnitOfMeasure:s10
      blocked:b vendorNumber:s20 lastModifiedDateTime:t!`, { key: ['number'], series: { field: 'number', prefix: 'R', width: 4, start: 1 } }),
    T('resourceUnitsOfMeasure', 'resourceUnitOfMeasure', `id:g resourceNumber:s20 code:s10 qtyPerUnitOfMeasure:n relatedToBaseUnitOfMeasure:b
      lastModifiedDateTime:t!`, { key: ['resourceNumber', 'code'] }),
    T('unitGroups', 'unitGroup', `id:g sourceType:o(Item|Resource) sourceId:g sourceNumber:s20 code:s50! description:s100 lastModifiedDateTime:t!`,
      { key: ['sourceType', 'sourceNumber'] }),
    T('currencyExchangeRates', 'currencyExchangeRate', `id:g currencyCode:s10 startingDate:d exchangeRateAmount:n relationalCurrencyCode:s10
      relationalExchangeRateAmount:n adjustmentExchRateAmount:n lastModifiedDateTime:t!`, { key: ['currencyCode', 'startingDate'] }),
  ].map((t) => [t.name, t]),
);

function E(
  group: ApiGroup,
  set: string,
  table: string,
  fieldList: string,
  opts: Partial<Omit<Exposure, 'group' | 'set' | 'table' | 'fields'>> = {},
): Exposure {
  const t = TABLES[table];
  if (!t) throw new Error(`unknown table ${table}`);
  const fields = new Map<string, ExposedField>();
  const names = fieldList === '*' ? [...t.fields.keys()] : fieldList.trim().split(/\s+/);
  for (const n of names) {
    const [name, from] = n.includes('=') ? (n.split('=') as [string, string]) : [n, n];
    const def = t.fields.get(from);
    if (!def) throw new Error(`exposure ${set}: table ${table} has no field ${from}`);
    fields.set(name, { name, from, def });
  }
  return { group, set, table, entityType: opts.entityType ?? t.entityType, fields, insertable: true, modifiable: true, deletable: true, ...opts };
}

const ADDR_F = (p: string) => `${p}AddressLine1 ${p}AddressLine2 ${p}City ${p}Country ${p}State ${p}PostCode`;
const DOC_F = `customerId customerNumber customerName billToName billToCustomerId billToCustomerNumber shipToName shipToContact
  ${ADDR_F('sellTo')} ${ADDR_F('billTo')} ${ADDR_F('shipTo')} currencyId currencyCode paymentTermsId shipmentMethodId salesperson`;
const TOT_F = `discountAmount discountAppliedBeforeTax totalAmountExcludingTax totalTaxAmount totalAmountIncludingTax`;
const LINE_F = `id documentId sequence itemId accountId lineType lineObjectNumber description description2 unitOfMeasureId
  unitOfMeasureCode quantity unitPrice discountAmount discountPercent discountAppliedBeforeTax amountExcludingTax taxCode
  taxPercent totalTaxAmount amountIncludingTax invoiceDiscountAllocation netAmount netTaxAmount netAmountIncludingTax
  itemVariantId locationId`;
const ADDR_STD = 'addressLine1 addressLine2 city state country postalCode';

const STANDARD: Exposure[] = [
  E('v2.0', 'companies', 'companies', '*', { insertable: false, modifiable: false, deletable: false }),
  E('v2.0', 'companyInformation', 'companyInformation', '*', { insertable: false, deletable: false }),
  E('v2.0', 'customers', 'customers', `id number displayName type ${ADDR_STD} phoneNumber email website salespersonCode balanceDue
    creditLimit taxLiable taxAreaId taxAreaDisplayName taxRegistrationNumber currencyId currencyCode paymentTermsId
    shipmentMethodId paymentMethodId blocked lastModifiedDateTime`),
  E('v2.0', 'vendors', 'vendors', `id number displayName ${ADDR_STD} phoneNumber email website taxRegistrationNumber currencyId
    currencyCode irs1099Code paymentTermsId paymentMethodId taxLiable blocked balance lastModifiedDateTime`),
  E('v2.0', 'contacts', 'contacts', `id number type displayName jobTitle companyNumber companyName contactBusinessRelation
    ${ADDR_STD} phoneNumber mobilePhoneNumber email website searchName privacyBlocked taxRegistrationNumber lastModifiedDateTime`),
  E('v2.0', 'items', 'items', `id number displayName displayName2 type itemCategoryId itemCategoryCode blocked gtin inventory
    unitPrice priceIncludesTax unitCost taxGroupId taxGroupCode baseUnitOfMeasureId baseUnitOfMeasureCode
    generalProductPostingGroupId generalProductPostingGroupCode inventoryPostingGroupId inventoryPostingGroupCode lastModifiedDateTime`),
  E('v2.0', 'unitsOfMeasure', 'unitsOfMeasure', '*'),
  E('v2.0', 'currencies', 'currencies', '*'),
  E('v2.0', 'salespeoplePurchasers', 'salespeoplePurchasers', '*', { entityType: 'salespersonPurchaser' }),
  E('v2.0', 'paymentTerms', 'paymentTerms', '*'),
  E('v2.0', 'shipmentMethods', 'shipmentMethods', '*'),
  E('v2.0', 'salesOrders', 'salesOrders', `id number externalDocumentNumber orderDate postingDate ${DOC_F} pricesIncludeTax
    partialShipping requestedDeliveryDate ${TOT_F} fullyShipped status lastModifiedDateTime phoneNumber email`,
    { lines: { nav: 'salesOrderLines', set: 'salesOrderLines' } }),
  E('v2.0', 'salesOrderLines', 'salesOrderLines', `${LINE_F} shipmentDate shippedQuantity invoicedQuantity invoiceQuantity shipQuantity`),
  E('v2.0', 'salesInvoices', 'salesInvoices', `id number externalDocumentNumber invoiceDate postingDate dueDate
    customerPurchaseOrderReference ${DOC_F} orderId orderNumber pricesIncludeTax remainingAmount ${TOT_F} status
    lastModifiedDateTime phoneNumber email`, { lines: { nav: 'salesInvoiceLines', set: 'salesInvoiceLines' } }),
  E('v2.0', 'salesInvoiceLines', 'salesInvoiceLines', LINE_F),
  E('v2.0', 'salesQuotes', 'salesQuotes', `id number externalDocumentNumber documentDate postingDate dueDate ${DOC_F} ${TOT_F}
    status sentDate validUntilDate acceptedDate lastModifiedDateTime phoneNumber email`, { lines: { nav: 'salesQuoteLines', set: 'salesQuoteLines' } }),
  E('v2.0', 'salesQuoteLines', 'salesQuoteLines', LINE_F),
];

/** API v1.0 (BC 15–16): same entity sets, but customers/vendors/contacts carry a nested `address` object. */
const V1: Exposure[] = STANDARD.filter((e) => !['salesQuotes', 'salesQuoteLines', 'salespeoplePurchasers', 'contacts'].includes(e.set)).map((e) => ({
  ...e,
  group: 'v1.0' as const,
  shape: ['customers', 'vendors'].includes(e.set) ? ('v1-address' as const) : undefined,
}));

const CUSTOM: Exposure[] = [
  E('custom', 'companies', 'companies', '*', { insertable: false, modifiable: false, deletable: false }),
  E('custom', 'customerPriceGroups', 'customerPriceGroups', '*'),
  E('custom', 'salesPrices', 'salesPrices', '*'),
  E('custom', 'priceListHeaders', 'priceListHeaders', '*'),
  E('custom', 'priceListLines', 'priceListLines', '*'),
  E('custom', 'opportunities', 'opportunities', '*'),
  E('custom', 'itemUnitsOfMeasure', 'itemUnitsOfMeasure', '*'),
  E('custom', 'resources', 'resources', '*'),
  E('custom', 'resourceUnitsOfMeasure', 'resourceUnitsOfMeasure', '*'),
  E('custom', 'unitGroups', 'unitGroups', '*'),
  E('custom', 'currencyExchangeRates', 'currencyExchangeRates', '*'),
  // Coupling helper for the SALESPEOPLE mapping (Name/E-Mail/Phone No. are matched against Dataverse users).
  E('custom', 'salespeople', 'salespeoplePurchasers', `id code name=displayName email=email phoneNo jobTitle blocked privacyBlocked
    lastModifiedDateTime`, { insertable: false, deletable: false }),
  // Fields the default mappings need but the standard pages do not show.
  E('custom', 'itemDetails', 'items', `id number description=displayName unitPrice unitCost unitVolume grossWeight netWeight
    vendorNumber vendorItemNumber inventory blocked baseUnitOfMeasureCode type lastModifiedDateTime`, { insertable: false, deletable: false }),
  // Customer / Vendor / Contact with every field their default mappings carry (address and communication too), so one
  // read serves the CUSTOMER / VENDOR / CONTACT mappings; inserts go to the v2.0 pages, the rest is PATCHed here.
  E('custom', 'customerDetails', 'customers', `id number name=displayName contact primaryContactNumber faxNumber homePage=website
    salespersonCode currencyCode paymentTermsCode shipmentMethodCode shippingAgentCode customerPriceGroup creditLimitLcy=creditLimit
    blocked lastModifiedDateTime type ${ADDR_STD} phoneNumber email balanceDue companyContactNumber`, { insertable: false, deletable: false }),
  E('custom', 'vendorDetails', 'vendors', `id number name=displayName contact primaryContactNumber faxNumber homePage=website
    purchaserCode currencyCode paymentTermsCode shipmentMethodCode shippingAgentCode blocked lastModifiedDateTime ${ADDR_STD}
    phoneNumber email companyContactNumber`, { insertable: false, deletable: false }),
  E('custom', 'contactDetails', 'contacts', `id number type firstName middleName surname companyNumber companyName salespersonCode
    currencyCode faxNumber pager mobilePhoneNumber lastModifiedDateTime displayName ${ADDR_STD} phoneNumber email website`,
    { insertable: false, deletable: false }),
  E('custom', 'shippingAgents', 'shippingAgents', '*'),
  E('custom', 'postedSalesInvoices', 'salesInvoices', `id number orderNumber customerNumber=customerNumber billToCustomerNumber
    billToName billToAddress=billToAddressLine1 billToAddress2=billToAddressLine2 billToCity billToCountry billToPostCode
    billToCounty=billToState shipToName shipToAddress=shipToAddressLine1 shipToAddress2=shipToAddressLine2 shipToCity
    shipToCountry shipToPostCode shipToCounty=shipToState currencyCode dueDate postingDate shipmentDate salespersonCode=salesperson
    paymentTermsCode shippingAgentCode shipmentMethodCode amount=totalAmountExcludingTax amountIncludingVat=totalAmountIncludingTax
    invoiceDiscountAmount=discountAmount remainingAmount workDescription status lastModifiedDateTime`,
    { insertable: false, modifiable: false, deletable: false, where: { field: 'status', in: ['Open', 'Paid', 'Canceled', 'Corrective'] },
      lines: { nav: 'postedSalesInvoiceLines', set: 'postedSalesInvoiceLines' } }),
  E('custom', 'postedSalesInvoiceLines', 'salesInvoiceLines', `id documentId documentNumber lineNo=sequence type=lineType
    number=lineObjectNumber description quantity unitPrice unitOfMeasureCode lineDiscountAmount=discountAmount
    amount=amountExcludingTax amountIncludingVat=amountIncludingTax`,
    { insertable: false, modifiable: false, deletable: false, where: { field: 'posted', in: [true] } }),
];

export const EXPOSURES: Exposure[] = [...STANDARD, ...V1, ...CUSTOM];

export function findExposure(group: ApiGroup, set: string): Exposure | undefined {
  return EXPOSURES.find((e) => e.group === group && e.set === set);
}
