/**
 * BC's "Use Default Synchronization Setup" as a pure function of the profile's options: the Dataverse-owned
 * mappings (CDS Setup Defaults) followed by the Sales ones (CRM Setup Defaults), in the job-queue order of the
 * reference (§D), each child mapping right after its parent. Reference: bc-sales-integration.md §C.3/§C.4.
 */
import type { BcFilter, DvFilter, FieldMapping, MappingOptions, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { MAPPING_DEFAULT_FIELD } from '../../../../preload/contract/sales/mapping-model';
import { defaultCatalog } from './catalog';

/**
 * Defaults follow BC's own initial values: Unit Group Mapping Enabled has InitValue true, both sales-order
 * integrations start off, the Dataverse setup proposes Person ownership, and the extended price calculation
 * (price lists) is an opt-in feature, so legacy pricing.
 */
export const DEFAULT_OPTIONS: MappingOptions = {
  pricing: 'legacy',
  unitGroups: true,
  orders: 'none',
  ownership: 'person',
  itemAvailability: false,
  bcVersion: 26,
  autoCreateSalesOrders: false,
  autoProcessSalesQuotes: false,
};

export function resolveOptions(partial: Partial<MappingOptions> = {}): MappingOptions {
  return { ...DEFAULT_OPTIONS, ...partial };
}

/** Before BC 16 the integration was the "Dynamics 365 for Sales" connection only (no Dataverse layer, no companies). */
export const isPreDataverse = (o: MappingOptions) => o.bcVersion < 16;

type Dir = 'B' | 'T' | 'F';
const DIR = { B: 'Bidirectional', T: 'ToIntegrationTable', F: 'FromIntegrationTable' } as const;

/** Field mapping; `v` = Validate Field (BC OnValidate) as marked "V" in the reference tables. */
function fm(bc: string | null, dv: string | null, dir: Dir, extra: Partial<FieldMapping> & { v?: boolean } = {}): FieldMapping {
  const { v, ...rest } = extra;
  return { ...MAPPING_DEFAULT_FIELD, bcField: bc, dataverseField: dv, direction: DIR[dir], validateField: v ?? false, ...rest };
}
const constant = (bc: string | null, dv: string | null, dir: Dir, value: string) => fm(bc, dv, dir, { constant: value });

const bcEq = (field: string, value: string) => ({ field, op: 'eq' as const, values: [value] });
const bcNe = (field: string, value: string) => ({ field, op: 'ne' as const, values: [value] });
const bcIn = (field: string, ...values: string[]) => ({ field, op: 'in' as const, values });
const dvEq = (attribute: string, value: string | number | boolean | null) => ({ attribute, op: 'eq' as const, values: [value] });
const dvNe = (attribute: string, value: string | number | boolean | null) => ({ attribute, op: 'ne' as const, values: [value] });
const NO_BC: BcFilter = { conditions: [] };

interface Spec {
  name: string;
  bcTableId: number;
  entity: string;
  direction: Dir;
  synchOnlyCoupled?: boolean;
  tableFilter?: BcFilter;
  integrationTableFilter?: Partial<DvFilter>;
  dependencyFilter?: string[];
  fields: FieldMapping[];
  createdBy: 'Dataverse' | 'Sales';
  option?: boolean;
  extra?: Partial<TableMapping>;
}

function build(spec: Spec, o: MappingOptions): TableMapping {
  const table = defaultCatalog.bcTable(spec.bcTableId);
  const entity = defaultCatalog.dvEntity(spec.entity);
  if (!table || !entity) throw new Error(`Catalogue is missing ${spec.bcTableId} or ${spec.entity} (default mapping ${spec.name}).`);
  const direction = DIR[spec.direction];
  const option = spec.option ?? false;
  const hasCompany = entity.attributes.some((x) => x.name === 'bcbi_companyid');
  const companyScoped = (spec.integrationTableFilter?.companyScoped ?? false) && !isPreDataverse(o);
  return {
    name: spec.name,
    bcTable: table.name,
    bcTableId: table.id,
    dataverseEntity: entity.logicalName,
    dataverseEntitySet: entity.entitySetName,
    integrationUidField: option ? optionAttribute(spec.name) : entity.primaryId,
    integrationModifiedOnField: option ? null : 'modifiedon',
    isOptionMapping: option,
    direction,
    tableFilter: spec.tableFilter ?? NO_BC,
    integrationTableFilter: { conditions: spec.integrationTableFilter?.conditions ?? [], companyScoped },
    synchOnlyCoupled: spec.synchOnlyCoupled ?? true,
    deletionConflictResolution: 'None',
    updateConflictResolution: 'None',
    dependencyFilter: spec.dependencyFilter ?? [],
    tableConfigTemplateCode: null,
    integrationTableConfigTemplateCode: null,
    intTblCaptionPrefix: spec.createdBy === 'Sales' ? 'Dataverse' : 'Dynamics CRM',
    synchAfterBulkCoupling: false,
    createNewInCaseOfNoMatch: false,
    couplingCodeunit: option ? 'CDS Int. Option Couple' : 'CDS Int. Table Couple',
    uncoupleCodeunit: !option && hasCompany && direction !== 'FromIntegrationTable' && !isPreDataverse(o) ? 'CDS Int. Table Uncouple' : null,
    disableEventJobResch: false,
    multiCompanySynchEnabled: false,
    deleteAfterSynchronization: false,
    parentName: null,
    userDefined: false,
    createdBy: spec.createdBy,
    fields: spec.fields,
    optionCouplings: [],
    ...spec.extra,
  };
}

const OPTION_ATTRIBUTES: Record<string, string> = {
  'PAYMENT TERMS': 'paymenttermscode',
  'SHIPMENT METHOD': 'address1_freighttermscode',
  'SHIPPING AGENT': 'address1_shippingmethodcode',
};
const optionAttribute = (name: string) => OPTION_ATTRIBUTES[name]!;

/** Owner pair written to DV in the Person ownership model only (the Team model leaves ownership to the company's team). */
function ownerFields(o: MappingOptions, salespersonField = 'Salesperson Code', validate = true): FieldMapping[] {
  if (o.ownership !== 'person') return [];
  return [constant(null, 'owneridtype', 'T', 'systemuser'), fm(salespersonField, 'ownerid', 'T', { v: validate, notNull: true })];
}

function partyFields(o: MappingOptions, kind: 'customer' | 'vendor'): FieldMapping[] {
  const legacy = isPreDataverse(o);
  // Pre-Dataverse the three code fields only went BC → Sales and the contact name only came back.
  const codeDir: Dir = legacy ? 'T' : 'B';
  return [
    ...ownerFields(o, kind === 'customer' ? 'Salesperson Code' : 'Purchaser Code'),
    fm('Name', 'name', 'B', { v: true }),
    fm('Contact', 'address1_primarycontactname', legacy ? 'F' : 'B'),
    fm('Address', 'address1_line1', 'B', { v: true }),
    fm('Address 2', 'address1_line2', 'B', { v: true }),
    fm('Post Code', 'address1_postalcode', 'B', { v: true }),
    fm('City', 'address1_city', 'B', { v: true }),
    fm('Country/Region Code', 'address1_country', 'B'),
    fm('County', 'address1_stateorprovince', 'B', { v: true }),
    fm('Currency Code', 'transactioncurrencyid', 'B', { v: true }),
    fm('E-Mail', 'emailaddress1', 'B', { v: true }),
    fm('Fax No.', 'fax', 'B', { v: true }),
    fm('Home Page', 'websiteurl', 'B', { v: true }),
    fm('Phone No.', 'telephone1', 'B', { v: true }),
    fm('Shipment Method Code', 'address1_freighttermscode', codeDir, { v: true }),
    fm('Shipping Agent Code', 'address1_shippingmethodcode', codeDir, { v: true }),
    fm('Payment Terms Code', 'paymenttermscode', codeDir, { v: true }),
    ...(kind === 'customer' ? [fm('Credit Limit (LCY)', 'creditlimit', 'T', { v: true })] : []),
    fm('Primary Contact No.', 'primarycontactid', 'B', { v: true, clearValueOnFailedSync: true }),
  ];
}

function partyDependencies(o: MappingOptions): string[] {
  const salespeople = o.ownership === 'person' ? ['SALESPEOPLE'] : [];
  if (isPreDataverse(o)) return [...salespeople, 'CURRENCY'];
  return [...salespeople, 'CURRENCY', 'PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT'];
}

const ACTIVE = dvEq('statecode', 0);

function dataverseMappings(o: MappingOptions): Spec[] {
  const legacy = isPreDataverse(o);
  const specs: Spec[] = [
    {
      name: 'CURRENCY', bcTableId: 4, entity: 'transactioncurrency', direction: 'T', createdBy: 'Dataverse',
      fields: [fm('Code', 'isocurrencycode', 'T', { v: true, useForMatchBasedCoupling: true }), fm('Symbol', 'currencysymbol', 'T'), fm('Description', 'currencyname', 'T')],
      extra: { synchAfterBulkCoupling: true, createNewInCaseOfNoMatch: true },
    },
  ];
  if (!legacy) {
    specs.push({
      name: 'VENDOR', bcTableId: 23, entity: 'account', direction: 'B', createdBy: 'Dataverse',
      tableFilter: { conditions: [bcEq('Blocked', ' ')] },
      integrationTableFilter: { conditions: [ACTIVE, dvEq('customertypecode', 11)], companyScoped: true },
      dependencyFilter: partyDependencies(o), fields: partyFields(o, 'vendor'),
      extra: { tableConfigTemplateCode: 'BCIVEND', integrationTableConfigTemplateCode: 'BCIVENDOR' },
    });
  }
  specs.push(
    {
      name: 'CONTACT', bcTableId: 5050, entity: 'contact', direction: 'B', createdBy: 'Dataverse',
      tableFilter: { conditions: [bcEq('Type', 'Person'), bcNe('Company No.', '')] },
      integrationTableFilter: { conditions: [dvNe('parentcustomerid', null), ACTIVE, dvEq('parentcustomeridtype', 'account')], companyScoped: true },
      dependencyFilter: legacy ? ['CUSTOMER'] : ['CUSTOMER', 'VENDOR'],
      fields: [
        ...ownerFields(o),
        ...(
          [
            ['Currency Code', 'transactioncurrencyid'], ['Address', 'address1_line1'], ['Address 2', 'address1_line2'], ['Post Code', 'address1_postalcode'],
            ['City', 'address1_city'], ['Country/Region Code', 'address1_country'], ['County', 'address1_stateorprovince'], ['E-Mail', 'emailaddress1'],
            ['Fax No.', 'fax'], ['First Name', 'firstname'], ['Middle Name', 'middlename'], ['Surname', 'lastname'], ['Home Page', 'websiteurl'],
            ['Mobile Phone No.', 'mobilephone'], ['Pager', 'pager'], ['Phone No.', 'telephone1'],
          ] as const
        ).map(([bc, dv]) => fm(bc, dv, 'B', { v: bc !== 'Country/Region Code' })),
        constant('Type', null, 'F', 'Person'),
        constant(null, 'parentcustomeridtype', 'T', 'account'),
      ],
    },
    {
      name: 'CUSTOMER', bcTableId: 18, entity: 'account', direction: 'B', createdBy: 'Dataverse',
      tableFilter: { conditions: [bcEq('Blocked', ' ')] },
      integrationTableFilter: { conditions: [ACTIVE, dvEq('customertypecode', 3)], companyScoped: true },
      dependencyFilter: partyDependencies(o), fields: partyFields(o, 'customer'),
      extra: legacy
        ? { tableConfigTemplateCode: 'CRMCUST', integrationTableConfigTemplateCode: 'CRMACCOUNT' }
        : { tableConfigTemplateCode: 'BCICUST', integrationTableConfigTemplateCode: 'BCICUSTOME' },
    },
  );
  if (o.ownership === 'person') {
    specs.push({
      name: 'SALESPEOPLE', bcTableId: 13, entity: 'systemuser', direction: 'F', createdBy: 'Dataverse',
      integrationTableFilter: { conditions: [dvEq('isdisabled', false), dvEq('islicensed', true), dvEq('isintegrationuser', false)], companyScoped: false },
      fields: [fm('E-Mail', 'internalemailaddress', 'F', { v: true }), fm('Name', 'fullname', 'F', { v: true }), fm('Phone No.', 'mobilephone', 'F', { v: true })],
    });
  }
  // Option mappings: table direction To, but BC creates the SHIPMENT METHOD / SHIPPING AGENT field mapping as From (a
  // remnant of the legacy DV → BC behaviour that ResetOptionMappingConfiguration later re-aligns); kept as BC ships it.
  const optionSpec = (name: string, bcTableId: number, fieldDir: Dir): Spec => ({
    name, bcTableId, entity: 'account', direction: legacy ? 'F' : 'T', createdBy: 'Dataverse', option: true,
    fields: [fm('Code', optionAttribute(name), legacy ? 'F' : fieldDir, { useForMatchBasedCoupling: true })],
    extra: { synchAfterBulkCoupling: true, createNewInCaseOfNoMatch: true },
  });
  specs.push(optionSpec('PAYMENT TERMS', 3, 'T'), optionSpec('SHIPMENT METHOD', 10, 'F'), optionSpec('SHIPPING AGENT', 291, 'F'));
  return specs;
}

function documentAddress(dir: Dir, withBillToName = true): FieldMapping[] {
  const pairs: [string, string][] = [
    ['Ship-to Name', 'shipto_name'], ['Ship-to Address', 'shipto_line1'], ['Ship-to Address 2', 'shipto_line2'], ['Ship-to City', 'shipto_city'],
    ['Ship-to Country/Region Code', 'shipto_country'], ['Ship-to Post Code', 'shipto_postalcode'], ['Ship-to County', 'shipto_stateorprovince'],
    ...(withBillToName ? [['Bill-to Name', 'billto_name'] as [string, string]] : []),
    ['Bill-to Address', 'billto_line1'], ['Bill-to Address 2', 'billto_line2'], ['Bill-to City', 'billto_city'], ['Bill-to Country/Region Code', 'billto_country'],
    ['Bill-to Post Code', 'billto_postalcode'], ['Bill-to County', 'billto_stateorprovince'],
  ];
  return pairs.map(([bc, dv]) => fm(bc, dv, dir, { v: true }));
}

function salesMappings(o: MappingOptions): Spec[] {
  const ug = o.unitGroups;
  const specs: Spec[] = [];
  const uomBase = { direction: 'T' as const, createdBy: 'Sales' as const, extra: { synchAfterBulkCoupling: true, createNewInCaseOfNoMatch: true } };
  if (ug) {
    specs.push(
      { ...uomBase, name: 'UNIT GROUP', bcTableId: 5400, entity: 'uomschedule', fields: [fm('Source No.', 'name', 'T', { useForMatchBasedCoupling: true }), fm('Source No.', 'baseuomname', 'T')] },
      { ...uomBase, name: 'ITEM UOM', bcTableId: 5404, entity: 'uom', dependencyFilter: ['UNIT GROUP'], fields: [fm('Code', 'name', 'T', { useForMatchBasedCoupling: true }), fm('Qty. per Unit of Measure', 'quantity', 'T')] },
      { ...uomBase, name: 'RESOURCE UOM', bcTableId: 205, entity: 'uom', dependencyFilter: ['UNIT GROUP'], fields: [fm('Code', 'name', 'T', { useForMatchBasedCoupling: true }), fm('Qty. per Unit of Measure', 'quantity', 'T')] },
    );
  } else {
    specs.push({ name: 'UNIT OF MEASURE', bcTableId: 204, entity: 'uomschedule', direction: 'T', createdBy: 'Sales', fields: [fm('Code', 'baseuomname', 'T', { v: true })] });
  }
  const productFilter = (typeCode: number): Partial<DvFilter> => ({ conditions: [dvEq('producttypecode', typeCode), ACTIVE], companyScoped: true });
  specs.push(
    {
      name: 'RESOURCE-PRODUCT', bcTableId: 156, entity: 'product', direction: 'B', createdBy: 'Sales',
      tableFilter: { conditions: [bcEq('Blocked', 'No')] }, integrationTableFilter: productFilter(3),
      dependencyFilter: [ug ? 'RESOURCE UOM' : 'UNIT OF MEASURE'],
      fields: [
        fm('No.', 'productnumber', 'T'), fm('Name', 'name', 'B'), fm('Unit Price', 'price', 'T'), fm('Unit Cost', 'standardcost', 'T'), fm('Unit Cost', 'currentcost', 'T'),
        fm('Vendor No.', 'vendorid', 'T'), fm('Capacity', 'quantityonhand', 'T'), ...(ug ? [fm('Base Unit of Measure', 'defaultuomid', 'T')] : []),
      ],
    },
    {
      name: 'ITEM-PRODUCT', bcTableId: 27, entity: 'product', direction: 'B', createdBy: 'Sales',
      tableFilter: { conditions: [bcEq('Blocked', 'No')] }, integrationTableFilter: productFilter(1),
      dependencyFilter: [ug ? 'ITEM UOM' : 'UNIT OF MEASURE'],
      fields: [
        fm('No.', 'productnumber', 'T'), fm('Description', 'name', 'B'), fm('Unit Price', 'price', 'T'), fm('Unit Cost', 'standardcost', 'T'),
        fm('Unit Cost', 'currentcost', 'T'), fm('Unit Volume', 'stockvolume', 'T'), fm('Gross Weight', 'stockweight', 'T'), fm('Vendor No.', 'vendorid', 'T'),
        fm('Vendor Item No.', 'vendorpartnumber', 'T'), fm('Inventory', 'quantityonhand', 'T'),
        fm('Base Unit of Measure', ug ? 'defaultuomid' : 'defaultuomscheduleid', 'B'),
      ],
    },
  );
  if (o.pricing === 'pricelists') {
    specs.push(
      {
        name: 'PLHEADER-PRICE', bcTableId: 7000, entity: 'pricelevel', direction: 'T', createdBy: 'Sales',
        // BC also sets "Allow Updating Defaults" from S&R Setup's Default Price List Code at creation time; that depends on
        // the company's data, not on the profile, so it is left to the user (validate() does not require it).
        tableFilter: { conditions: [bcEq('Price Type', 'Sale'), bcEq('Amount Type', 'Price')] },
        integrationTableFilter: { conditions: [], companyScoped: true }, dependencyFilter: ['CURRENCY', 'ITEM-PRODUCT'],
        fields: [fm('Code', 'name', 'T'), fm('Description', 'description', 'T'), fm('Currency Code', 'transactioncurrencyid', 'T'), fm('Starting Date', 'begindate', 'T'), fm('Ending Date', 'enddate', 'T')],
      },
      {
        name: 'PLLINE-PRODPRICE', bcTableId: 7001, entity: 'productpricelevel', direction: 'T', createdBy: 'Sales', synchOnlyCoupled: false,
        tableFilter: { conditions: [bcEq('Price Type', 'Sale'), bcEq('Amount Type', 'Price'), bcIn('Asset Type', 'Item', 'Resource'), bcEq('Minimum Quantity', '0')] },
        dependencyFilter: ['PLHEADER-PRICE', 'ITEM-PRODUCT'],
        fields: [
          fm('Price List Code', 'pricelevelid', 'T'), fm('Asset No.', 'productid', 'T'), fm('Asset No.', 'productnumber', 'T'), fm('Currency Code', 'transactioncurrencyid', 'T'),
          constant(null, 'pricingmethodcode', 'T', 'CurrencyAmount'), fm('Unit of Measure Code', ug ? 'uomid' : 'uomscheduleid', 'T'), fm('Unit Price', 'amount', 'T'),
        ],
      },
    );
  } else {
    specs.push(
      {
        name: 'CUSTPRCGRP-PRICE', bcTableId: 6, entity: 'pricelevel', direction: 'T', createdBy: 'Sales',
        integrationTableFilter: { conditions: [], companyScoped: true }, dependencyFilter: ['CURRENCY', 'ITEM-PRODUCT'], fields: [fm('Code', 'name', 'T')],
      },
      {
        name: 'SALESPRC-PRODPRICE', bcTableId: 7002, entity: 'productpricelevel', direction: 'T', createdBy: 'Sales', synchOnlyCoupled: false,
        tableFilter: { conditions: [bcEq('Sales Type', 'Customer Price Group'), bcNe('Sales Code', '')] }, dependencyFilter: ['CUSTPRCGRP-PRICE', 'ITEM-PRODUCT'],
        fields: [
          fm('Sales Code', 'pricelevelid', 'T'), fm('Item No.', 'productid', 'T'), fm('Item No.', 'productnumber', 'T'), fm('Currency Code', 'transactioncurrencyid', 'T'),
          constant(null, 'pricingmethodcode', 'T', 'CurrencyAmount'), fm('Unit Price', 'amount', 'T'),
        ],
      },
    );
  }
  specs.push(
    {
      name: 'POSTEDSALESINV-INV', bcTableId: 112, entity: 'invoice', direction: 'T', createdBy: 'Sales',
      integrationTableFilter: { conditions: [], companyScoped: true }, dependencyFilter: ['ITEM-PRODUCT', 'RESOURCE-PRODUCT', 'OPPORTUNITY'],
      fields: [
        fm('No.', 'invoicenumber', 'T', { v: true }), ...ownerFields(o), fm('Currency Code', 'transactioncurrencyid', 'T', { v: true }), fm('Due Date', 'duedate', 'T', { v: true }),
        ...documentAddress('T').slice(0, 7), fm('Shipment Date', 'datedelivered', 'T', { v: true }), ...documentAddress('T').slice(7),
        fm('Amount', 'totalamountlessfreight', 'T', { v: true }), fm('Amount Including VAT', 'totalamount', 'T', { v: true }),
        fm('Invoice Discount Amount', 'discountamount', 'T', { v: true }), fm('Shipping Agent Code', 'shippingmethodcode', 'T', { v: true }),
        fm('Payment Terms Code', 'paymenttermscode', 'T', { v: true }), fm('Work Description', 'description', 'T'),
      ],
    },
    {
      name: 'POSTEDSALESLINE-INV', bcTableId: 113, entity: 'invoicedetail', direction: 'T', createdBy: 'Sales', synchOnlyCoupled: false,
      dependencyFilter: ['POSTEDSALESINV-INV'],
      fields: [
        fm('Quantity', 'quantity', 'T'), fm('Line Discount Amount', 'manualdiscountamount', 'T'), fm('Unit Price', 'priceperunit', 'T'),
        constant(null, 'ispriceoverridden', 'T', '1'), fm('Amount', 'baseamount', 'T'), fm('Amount Including VAT', 'extendedamount', 'T'),
      ],
    },
    {
      name: 'OPPORTUNITY', bcTableId: 5092, entity: 'opportunity', direction: 'B', createdBy: 'Sales', synchOnlyCoupled: false,
      tableFilter: { conditions: [bcIn('Status', 'Not Started', 'In Progress')] }, integrationTableFilter: { conditions: [], companyScoped: true },
      dependencyFilter: ['CONTACT'],
      fields: [
        fm('Description', 'name', 'B'), fm('Contact No.', 'parentcontactid', 'T'), fm('Contact Company No.', 'parentaccountid', 'T'), ...ownerFields(o),
        fm('Estimated Value (LCY)', 'estimatedvalue', 'T'), fm('Estimated Closing Date', 'estimatedclosedate', 'T'),
      ],
    },
  );
  const orderFilter: BcFilter = { conditions: [bcEq('Document Type', 'Order'), bcEq('Status', 'Released')] };
  if (o.orders === 'legacy') {
    specs.push({
      name: 'SALESORDER-ORDER', bcTableId: 36, entity: 'salesorder', direction: 'T', createdBy: 'Sales',
      tableFilter: orderFilter, integrationTableFilter: { conditions: [], companyScoped: true }, dependencyFilter: ['ITEM-PRODUCT', 'RESOURCE-PRODUCT', 'OPPORTUNITY'],
      fields: [
        fm('No.', 'ordernumber', 'T', { v: true }), ...ownerFields(o), fm('Currency Code', 'transactioncurrencyid', 'T', { v: true }), ...documentAddress('T'),
        fm('Last Shipment Date', 'datefulfilled', 'T', { v: true }), fm('Amount', 'totalamountlessfreight', 'T', { v: true }),
        fm('Amount Including VAT', 'totalamount', 'T', { v: true }), fm('Invoice Discount Amount', 'discountamount', 'T', { v: true }),
        fm('Shipping Agent Code', 'shippingmethodcode', 'T', { v: true }), fm('Payment Terms Code', 'paymenttermscode', 'T', { v: true }),
        fm('Requested Delivery Date', 'requestdeliveryby', 'T', { v: true }),
      ],
    });
  } else if (o.orders === 'bidirectional') {
    const shipTo: [string, string][] = [
      ['Ship-to Name', 'shipto_name'], ['Ship-to Address', 'shipto_line1'], ['Ship-to Address 2', 'shipto_line2'], ['Ship-to Post Code', 'shipto_postalcode'],
      ['Ship-to City', 'shipto_city'], ['Ship-to Country/Region Code', 'shipto_country'], ['Ship-to County', 'shipto_stateorprovince'],
    ];
    const billTo: [string, string][] = [
      ['Bill-to Address', 'billto_line1'], ['Bill-to Address 2', 'billto_line2'], ['Bill-to Post Code', 'billto_postalcode'], ['Bill-to City', 'billto_city'],
      ['Bill-to Country/Region Code', 'billto_country'], ['Bill-to County', 'billto_stateorprovince'],
    ];
    specs.push(
      {
        name: 'SALESORDER-ORDER', bcTableId: 36, entity: 'salesorder', direction: 'B', createdBy: 'Sales',
        tableFilter: orderFilter, integrationTableFilter: { conditions: [dvEq('statecode', 1)], companyScoped: true },
        dependencyFilter: ['CUSTOMER', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT', 'OPPORTUNITY'],
        fields: [
          ...ownerFields(o), constant('Document Type', null, 'F', 'Order'), fm('No.', 'bcbi_businesscentralordernumber', 'T'), fm('Your Reference', 'ordernumber', 'F'),
          constant(null, 'customeridtype', 'T', 'account'), fm('Sell-to Customer No.', 'customerid', 'B'), fm('Currency Code', 'transactioncurrencyid', 'B'),
          ...shipTo.map(([bc, dv]) => fm(bc, dv, 'B')), fm('Last Shipment Date', 'datefulfilled', 'T'), ...billTo.map(([bc, dv]) => fm(bc, dv, 'B')),
          fm('Invoice Discount Amount', 'discountamount', 'T'), fm('Shipping Agent Code', 'shippingmethodcode', 'B'), fm('Payment Terms Code', 'paymenttermscode', 'B'),
          fm('Shipment Method Code', 'freighttermscode', 'B'), fm('Requested Delivery Date', 'requestdeliveryby', 'B'), fm('Payment Discount %', 'discountpercentage', 'B'),
          fm('Work Description', 'description', 'B'),
        ],
      },
      {
        name: 'SOLINE-ORDERDETAIL', bcTableId: 37, entity: 'salesorderdetail', direction: 'B', createdBy: 'Sales', synchOnlyCoupled: false,
        tableFilter: { conditions: [bcIn('Type', 'Item', 'Resource'), bcEq('Document Type', 'Order')] }, dependencyFilter: ['SALESORDER-ORDER'],
        fields: [
          constant('Document Type', null, 'F', 'Order'), constant(null, 'producttypecode', 'T', 'Product'), fm('No.', 'productid', 'B'),
          fm('Line No.', 'bcbi_businesscentrallinenumber', 'B'), fm('Quantity', 'quantity', 'B'), fm('Quantity Shipped', 'quantityshipped', 'B'),
          constant(null, 'ispriceoverridden', 'T', '1'), fm('Unit Price', 'priceperunit', 'B'), fm('Currency Code', 'transactioncurrencyid', 'B'),
          fm('Amount', 'baseamount', 'B'), fm('Amount Including VAT', 'extendedamount', 'B'), fm('Requested Delivery Date', 'requestdeliveryby', 'B'),
        ],
        extra: { deletionConflictResolution: 'Remove Coupling' },
      },
    );
  }
  return specs;
}

/**
 * The mapping set Enable creates from the defaults (setup/enable.ts), and whose match-based coupling choices sync
 * follows (sync/service/catalog.ts). Here, below both, so neither imports the other for it.
 */
export const SALES_MAPPING_SET = 'Dynamics 365 Sales';

/** Every default table mapping with its field mappings, in setup (and job-queue) order. */
export function defaultMappings(options: Partial<MappingOptions> = {}): TableMapping[] {
  const o = resolveOptions(options);
  const mappings = [...dataverseMappings(o), ...salesMappings(o)].map((s) => build(s, o));
  if (o.itemAvailability) ensureItemAvailabilityField(mappings);
  return mappings;
}

/** "Item Availability Enabled" adds Item.Inventory → product.quantityonhand when it is missing (C.1 field 140). */
export function ensureItemAvailabilityField(mappings: TableMapping[]): void {
  const item = mappings.find((m) => m.name === 'ITEM-PRODUCT');
  if (!item) return;
  if (!item.fields.some((f) => f.bcField === 'Inventory' && f.dataverseField === 'quantityonhand')) item.fields.push(fm('Inventory', 'quantityonhand', 'T'));
}
