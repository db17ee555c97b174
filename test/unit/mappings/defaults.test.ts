import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import { renderBcFilterText, renderODataFilter } from '../../../main/integrations/sales/mappings/filters';
import { defaultJobs } from '../../../main/integrations/sales/mappings/jobs';
import type { FieldMapping, MappingOptions, TableMapping } from '../../../preload/contract/sales/mapping-model';
import { odataKinds } from '../../../main/integrations/sales/mappings/present';

// Pins every default against bc-sales-integration.md §C.3 (overview), §C.4 (field mappings) and §D (jobs).
const SEED: Partial<MappingOptions> = { pricing: 'legacy', unitGroups: false, orders: 'legacy', ownership: 'person' };
const byName = (ms: TableMapping[]) => new Map(ms.map((m) => [m.name, m]));
const D = { Bidirectional: 'B', ToIntegrationTable: 'T', FromIntegrationTable: 'F' } as const;
/** "BC field > attribute : B|T|F" with flags; constants as ="value". Compact enough to read against the reference. */
function fieldLine(f: FieldMapping): string {
  const left = f.bcField ?? `="${f.constant}"`;
  const right = f.dataverseField ?? `="${f.constant}"`;
  const flags = [f.validateField && 'V', f.notNull && 'NotNull', f.clearValueOnFailedSync && 'Clear', f.useForMatchBasedCoupling && 'Match'].filter(Boolean).join(',');
  return `${left} > ${right} : ${D[f.direction]}${flags ? ` ${flags}` : ''}`;
}
const odata = (m: TableMapping, companyId?: string) => renderODataFilter(m.integrationTableFilter, { kindOf: odataKinds(m.dataverseEntity), ...(companyId ? { companyId } : {}) });
const COMPANY = '6f1e2c1a-0000-4000-8000-00000000abcd';

describe('default table mappings (§C.3)', () => {
  const seed = byName(defaultMappings(SEED));

  it('the seed profile has exactly the Dataverse and Sales mappings, in job order with children after parents', () => {
    expect([...seed.keys()]).toEqual([
      'CURRENCY', 'VENDOR', 'CONTACT', 'CUSTOMER', 'SALESPEOPLE', 'PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT',
      'UNIT OF MEASURE', 'RESOURCE-PRODUCT', 'ITEM-PRODUCT', 'CUSTPRCGRP-PRICE', 'SALESPRC-PRODPRICE', 'POSTEDSALESINV-INV',
      'POSTEDSALESLINE-INV', 'OPPORTUNITY', 'SALESORDER-ORDER',
    ]);
  });

  it.each([
    // name, BC table, entity (set), direction, synch only coupled, BC filter, DV filter (company id given), dependency filter
    ['SALESPEOPLE', 13, 'systemusers', 'F', true, '', 'isdisabled eq false and islicensed eq true and isintegrationuser eq false', ''],
    ['CUSTOMER', 18, 'accounts', 'B', true, "Blocked=' '", `statecode eq 0 and customertypecode eq 3 and (_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'SALESPEOPLE|CURRENCY|PAYMENT TERMS|SHIPMENT METHOD|SHIPPING AGENT'],
    ['VENDOR', 23, 'accounts', 'B', true, "Blocked=' '", `statecode eq 0 and customertypecode eq 11 and (_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'SALESPEOPLE|CURRENCY|PAYMENT TERMS|SHIPMENT METHOD|SHIPPING AGENT'],
    ['CONTACT', 5050, 'contacts', 'B', true, "Type=Person, Company No.=<>''", `_parentcustomerid_value ne null and statecode eq 0 and parentcustomeridtype eq 'account' and (_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'CUSTOMER|VENDOR'],
    ['CURRENCY', 4, 'transactioncurrencies', 'T', true, '', '', ''],
    ['PAYMENT TERMS', 3, 'accounts', 'T', true, '', '', ''],
    ['SHIPMENT METHOD', 10, 'accounts', 'T', true, '', '', ''],
    ['SHIPPING AGENT', 291, 'accounts', 'T', true, '', '', ''],
    ['UNIT OF MEASURE', 204, 'uomschedules', 'T', true, '', '', ''],
    ['ITEM-PRODUCT', 27, 'products', 'B', true, 'Blocked=No', `producttypecode eq 1 and statecode eq 0 and (_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'UNIT OF MEASURE'],
    ['RESOURCE-PRODUCT', 156, 'products', 'B', true, 'Blocked=No', `producttypecode eq 3 and statecode eq 0 and (_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'UNIT OF MEASURE'],
    ['CUSTPRCGRP-PRICE', 6, 'pricelevels', 'T', true, '', `(_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'CURRENCY|ITEM-PRODUCT'],
    ['SALESPRC-PRODPRICE', 7002, 'productpricelevels', 'T', false, "Sales Type=Customer Price Group, Sales Code=<>''", '', 'CUSTPRCGRP-PRICE|ITEM-PRODUCT'],
    ['POSTEDSALESINV-INV', 112, 'invoices', 'T', true, '', `(_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'ITEM-PRODUCT|RESOURCE-PRODUCT|OPPORTUNITY'],
    ['POSTEDSALESLINE-INV', 113, 'invoicedetails', 'T', false, '', '', 'POSTEDSALESINV-INV'],
    ['OPPORTUNITY', 5092, 'opportunities', 'B', false, 'Status=Not Started|In Progress', `(_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'CONTACT'],
    ['SALESORDER-ORDER', 36, 'salesorders', 'T', true, 'Document Type=Order, Status=Released', `(_bcbi_companyid_value eq ${COMPANY} or _bcbi_companyid_value eq null)`, 'ITEM-PRODUCT|RESOURCE-PRODUCT|OPPORTUNITY'],
  ] as const)('%s: table %i ⇄ %s, %s, only coupled %s, filters and dependencies', (name, table, set, dir, onlyCoupled, bcFilter, dvFilter, deps) => {
    const m = seed.get(name)!;
    expect(m).toBeDefined();
    expect([m.bcTableId, m.dataverseEntitySet, D[m.direction], m.synchOnlyCoupled]).toEqual([table, set, dir, onlyCoupled]);
    expect(renderBcFilterText(m.tableFilter)).toBe(bcFilter);
    expect(odata(m, COMPANY)).toBe(dvFilter);
    expect(m.dependencyFilter.join('|')).toBe(deps);
  });

  it('renders the published Dataverse product filters without the per-connection company clause', () => {
    expect(odata(seed.get('ITEM-PRODUCT')!)).toBe('producttypecode eq 1 and statecode eq 0');
    expect(odata(seed.get('RESOURCE-PRODUCT')!)).toBe('producttypecode eq 3 and statecode eq 0');
  });

  it('option mappings use the account picklists, couple through CRM Option Mapping and are never Bidirectional', () => {
    for (const [name, attr] of [['PAYMENT TERMS', 'paymenttermscode'], ['SHIPMENT METHOD', 'address1_freighttermscode'], ['SHIPPING AGENT', 'address1_shippingmethodcode']]) {
      const m = seed.get(name)!;
      expect([m.isOptionMapping, m.integrationUidField, m.couplingCodeunit, m.createNewInCaseOfNoMatch, m.synchAfterBulkCoupling]).toEqual([true, attr, 'CDS Int. Option Couple', true, true]);
    }
  });

  it('config templates and caption prefixes follow the creating setup', () => {
    const c = seed.get('CUSTOMER')!;
    const v = seed.get('VENDOR')!;
    expect([c.tableConfigTemplateCode, c.integrationTableConfigTemplateCode, v.tableConfigTemplateCode, v.integrationTableConfigTemplateCode]).toEqual(['BCICUST', 'BCICUSTOME', 'BCIVEND', 'BCIVENDOR']);
    expect(c.intTblCaptionPrefix).toBe('Dynamics CRM');
    expect(seed.get('ITEM-PRODUCT')!.intTblCaptionPrefix).toBe('Dataverse');
    const legacy = byName(defaultMappings({ ...SEED, bcVersion: 15 }));
    expect([legacy.get('CUSTOMER')!.tableConfigTemplateCode, legacy.get('CUSTOMER')!.integrationTableConfigTemplateCode]).toEqual(['CRMCUST', 'CRMACCOUNT']);
  });

  it('unit groups on: UNIT GROUP, ITEM UOM, RESOURCE UOM replace UNIT OF MEASURE and products depend on them', () => {
    const ug = byName(defaultMappings({ ...SEED, unitGroups: true }));
    expect(ug.has('UNIT OF MEASURE')).toBe(false);
    expect(['UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM'].map((n) => [ug.get(n)!.bcTableId, ug.get(n)!.dataverseEntity, ug.get(n)!.dependencyFilter.join('|')])).toEqual([
      [5400, 'uomschedule', ''], [5404, 'uom', 'UNIT GROUP'], [205, 'uom', 'UNIT GROUP'],
    ]);
    expect(ug.get('ITEM-PRODUCT')!.dependencyFilter).toEqual(['ITEM UOM']);
    expect(ug.get('RESOURCE-PRODUCT')!.dependencyFilter).toEqual(['RESOURCE UOM']);
  });

  it('price lists: PLHEADER-PRICE / PLLINE-PRODPRICE replace the legacy price mappings', () => {
    const pl = byName(defaultMappings({ ...SEED, pricing: 'pricelists' }));
    expect(pl.has('CUSTPRCGRP-PRICE') || pl.has('SALESPRC-PRODPRICE')).toBe(false);
    const h = pl.get('PLHEADER-PRICE')!;
    const l = pl.get('PLLINE-PRODPRICE')!;
    expect([h.bcTableId, h.dataverseEntity, h.synchOnlyCoupled, renderBcFilterText(h.tableFilter), h.dependencyFilter.join('|')]).toEqual([7000, 'pricelevel', true, 'Price Type=Sale, Amount Type=Price', 'CURRENCY|ITEM-PRODUCT']);
    expect([l.bcTableId, l.dataverseEntity, l.synchOnlyCoupled, renderBcFilterText(l.tableFilter), l.dependencyFilter.join('|')]).toEqual([
      7001, 'productpricelevel', false, 'Price Type=Sale, Amount Type=Price, Asset Type=Item|Resource, Minimum Quantity=0', 'PLHEADER-PRICE|ITEM-PRODUCT',
    ]);
  });

  it('sales orders: none has no order mapping; bidirectional adds lines, Submitted filter and CUSTOMER dependency', () => {
    expect(byName(defaultMappings({ ...SEED, orders: 'none' })).has('SALESORDER-ORDER')).toBe(false);
    const bi = byName(defaultMappings({ ...SEED, orders: 'bidirectional' }));
    const so = bi.get('SALESORDER-ORDER')!;
    expect([so.direction, odata(so), so.dependencyFilter.join('|')]).toEqual(['Bidirectional', 'statecode eq 1', 'CUSTOMER|ITEM-PRODUCT|RESOURCE-PRODUCT|OPPORTUNITY']);
    const line = bi.get('SOLINE-ORDERDETAIL')!;
    expect([line.bcTableId, line.direction, line.synchOnlyCoupled, line.deletionConflictResolution, renderBcFilterText(line.tableFilter), line.dependencyFilter]).toEqual([
      37, 'Bidirectional', false, 'Remove Coupling', 'Type=Item|Resource, Document Type=Order', ['SALESORDER-ORDER'],
    ]);
  });

  it('team ownership: no SALESPEOPLE mapping, no owner fields, dependencies without SALESPEOPLE', () => {
    const team = defaultMappings({ ...SEED, ownership: 'team' });
    expect(team.some((m) => m.name === 'SALESPEOPLE')).toBe(false);
    expect(team.flatMap((m) => m.fields).some((f) => f.dataverseField === 'ownerid' || f.dataverseField === 'owneridtype')).toBe(false);
    expect(byName(team).get('CUSTOMER')!.dependencyFilter).toEqual(['CURRENCY', 'PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT']);
  });

  it('pre-Dataverse versions (BC < 16): no VENDOR, no company scoping, From option mappings, legacy dependencies', () => {
    const old = byName(defaultMappings({ ...SEED, bcVersion: 14 }));
    expect(old.has('VENDOR')).toBe(false);
    expect([...old.values()].some((m) => m.integrationTableFilter.companyScoped)).toBe(false);
    expect(old.get('PAYMENT TERMS')!.direction).toBe('FromIntegrationTable');
    expect(old.get('CUSTOMER')!.dependencyFilter).toEqual(['SALESPEOPLE', 'CURRENCY']);
    expect(old.get('CONTACT')!.dependencyFilter).toEqual(['CUSTOMER']);
  });
});

describe('default field mappings (§C.4)', () => {
  const seed = byName(defaultMappings(SEED));
  const lines = (name: string, ms = seed) => ms.get(name)!.fields.map(fieldLine);

  it('SALESPEOPLE, CURRENCY, option mappings, UNIT OF MEASURE', () => {
    expect(lines('SALESPEOPLE')).toEqual(['E-Mail > internalemailaddress : F V', 'Name > fullname : F V', 'Phone No. > mobilephone : F V']);
    expect(lines('CURRENCY')).toEqual(['Code > isocurrencycode : T V,Match', 'Symbol > currencysymbol : T', 'Description > currencyname : T']);
    expect(lines('PAYMENT TERMS')).toEqual(['Code > paymenttermscode : T Match']);
    expect(lines('SHIPMENT METHOD')).toEqual(['Code > address1_freighttermscode : F Match']);
    expect(lines('SHIPPING AGENT')).toEqual(['Code > address1_shippingmethodcode : F Match']);
    expect(lines('UNIT OF MEASURE')).toEqual(['Code > baseuomname : T V']);
  });

  it('CUSTOMER (person ownership); VENDOR is identical except Purchaser Code and no Credit Limit', () => {
    const customer = [
      '="systemuser" > owneridtype : T', 'Salesperson Code > ownerid : T V,NotNull', 'Name > name : B V', 'Contact > address1_primarycontactname : B',
      'Address > address1_line1 : B V', 'Address 2 > address1_line2 : B V', 'Post Code > address1_postalcode : B V', 'City > address1_city : B V',
      'Country/Region Code > address1_country : B', 'County > address1_stateorprovince : B V', 'Currency Code > transactioncurrencyid : B V',
      'E-Mail > emailaddress1 : B V', 'Fax No. > fax : B V', 'Home Page > websiteurl : B V', 'Phone No. > telephone1 : B V',
      'Shipment Method Code > address1_freighttermscode : B V', 'Shipping Agent Code > address1_shippingmethodcode : B V',
      'Payment Terms Code > paymenttermscode : B V', 'Credit Limit (LCY) > creditlimit : T V', 'Primary Contact No. > primarycontactid : B V,Clear',
    ];
    expect(lines('CUSTOMER')).toEqual(customer);
    expect(lines('VENDOR')).toEqual(customer.filter((l) => !l.startsWith('Credit Limit')).map((l) => l.replace('Salesperson Code', 'Purchaser Code')));
  });

  it('CONTACT', () => {
    expect(lines('CONTACT')).toEqual([
      '="systemuser" > owneridtype : T', 'Salesperson Code > ownerid : T V,NotNull', 'Currency Code > transactioncurrencyid : B V', 'Address > address1_line1 : B V',
      'Address 2 > address1_line2 : B V', 'Post Code > address1_postalcode : B V', 'City > address1_city : B V', 'Country/Region Code > address1_country : B',
      'County > address1_stateorprovince : B V', 'E-Mail > emailaddress1 : B V', 'Fax No. > fax : B V', 'First Name > firstname : B V', 'Middle Name > middlename : B V',
      'Surname > lastname : B V', 'Home Page > websiteurl : B V', 'Mobile Phone No. > mobilephone : B V', 'Pager > pager : B V', 'Phone No. > telephone1 : B V',
      'Type > ="Person" : F', '="account" > parentcustomeridtype : T',
    ]);
  });

  it('ITEM-PRODUCT and RESOURCE-PRODUCT in both unit modes', () => {
    const item = ['No. > productnumber : T', 'Description > name : B', 'Unit Price > price : T', 'Unit Cost > standardcost : T', 'Unit Cost > currentcost : T',
      'Unit Volume > stockvolume : T', 'Gross Weight > stockweight : T', 'Vendor No. > vendorid : T', 'Vendor Item No. > vendorpartnumber : T', 'Inventory > quantityonhand : T'];
    expect(lines('ITEM-PRODUCT')).toEqual([...item, 'Base Unit of Measure > defaultuomscheduleid : B']);
    const res = ['No. > productnumber : T', 'Name > name : B', 'Unit Price > price : T', 'Unit Cost > standardcost : T', 'Unit Cost > currentcost : T', 'Vendor No. > vendorid : T', 'Capacity > quantityonhand : T'];
    expect(lines('RESOURCE-PRODUCT')).toEqual(res);
    const ug = byName(defaultMappings({ ...SEED, unitGroups: true }));
    expect(lines('ITEM-PRODUCT', ug)).toEqual([...item, 'Base Unit of Measure > defaultuomid : B']);
    expect(lines('RESOURCE-PRODUCT', ug)).toEqual([...res, 'Base Unit of Measure > defaultuomid : T']);
    expect(lines('UNIT GROUP', ug)).toEqual(['Source No. > name : T Match', 'Source No. > baseuomname : T']);
    expect(lines('ITEM UOM', ug)).toEqual(['Code > name : T Match', 'Qty. per Unit of Measure > quantity : T']);
    expect(lines('RESOURCE UOM', ug)).toEqual(['Code > name : T Match', 'Qty. per Unit of Measure > quantity : T']);
  });

  it('price mappings, legacy and price lists', () => {
    expect(lines('CUSTPRCGRP-PRICE')).toEqual(['Code > name : T']);
    expect(lines('SALESPRC-PRODPRICE')).toEqual(['Sales Code > pricelevelid : T', 'Item No. > productid : T', 'Item No. > productnumber : T',
      'Currency Code > transactioncurrencyid : T', '="CurrencyAmount" > pricingmethodcode : T', 'Unit Price > amount : T']);
    const pl = byName(defaultMappings({ ...SEED, pricing: 'pricelists', unitGroups: true }));
    expect(lines('PLHEADER-PRICE', pl)).toEqual(['Code > name : T', 'Description > description : T', 'Currency Code > transactioncurrencyid : T', 'Starting Date > begindate : T', 'Ending Date > enddate : T']);
    expect(lines('PLLINE-PRODPRICE', pl)).toEqual(['Price List Code > pricelevelid : T', 'Asset No. > productid : T', 'Asset No. > productnumber : T',
      'Currency Code > transactioncurrencyid : T', '="CurrencyAmount" > pricingmethodcode : T', 'Unit of Measure Code > uomid : T', 'Unit Price > amount : T']);
  });

  it('posted invoices and lines, opportunity', () => {
    expect(lines('POSTEDSALESINV-INV')).toEqual([
      'No. > invoicenumber : T V', '="systemuser" > owneridtype : T', 'Salesperson Code > ownerid : T V,NotNull', 'Currency Code > transactioncurrencyid : T V', 'Due Date > duedate : T V',
      'Ship-to Name > shipto_name : T V', 'Ship-to Address > shipto_line1 : T V', 'Ship-to Address 2 > shipto_line2 : T V', 'Ship-to City > shipto_city : T V',
      'Ship-to Country/Region Code > shipto_country : T V', 'Ship-to Post Code > shipto_postalcode : T V', 'Ship-to County > shipto_stateorprovince : T V',
      'Shipment Date > datedelivered : T V', 'Bill-to Name > billto_name : T V', 'Bill-to Address > billto_line1 : T V', 'Bill-to Address 2 > billto_line2 : T V',
      'Bill-to City > billto_city : T V', 'Bill-to Country/Region Code > billto_country : T V', 'Bill-to Post Code > billto_postalcode : T V',
      'Bill-to County > billto_stateorprovince : T V', 'Amount > totalamountlessfreight : T V', 'Amount Including VAT > totalamount : T V',
      'Invoice Discount Amount > discountamount : T V', 'Shipping Agent Code > shippingmethodcode : T V', 'Payment Terms Code > paymenttermscode : T V',
      'Work Description > description : T',
    ]);
    expect(lines('POSTEDSALESLINE-INV')).toEqual(['Quantity > quantity : T', 'Line Discount Amount > manualdiscountamount : T', 'Unit Price > priceperunit : T',
      '="1" > ispriceoverridden : T', 'Amount > baseamount : T', 'Amount Including VAT > extendedamount : T']);
    expect(lines('OPPORTUNITY')).toEqual(['Description > name : B', 'Contact No. > parentcontactid : T', 'Contact Company No. > parentaccountid : T',
      '="systemuser" > owneridtype : T', 'Salesperson Code > ownerid : T V,NotNull', 'Estimated Value (LCY) > estimatedvalue : T', 'Estimated Closing Date > estimatedclosedate : T']);
  });

  it('sales orders, legacy and bidirectional, and order lines', () => {
    const legacy = lines('SALESORDER-ORDER');
    expect(legacy.slice(0, 4)).toEqual(['No. > ordernumber : T V', '="systemuser" > owneridtype : T', 'Salesperson Code > ownerid : T V,NotNull', 'Currency Code > transactioncurrencyid : T V']);
    expect(legacy.slice(-7)).toEqual(['Last Shipment Date > datefulfilled : T V', 'Amount > totalamountlessfreight : T V', 'Amount Including VAT > totalamount : T V',
      'Invoice Discount Amount > discountamount : T V', 'Shipping Agent Code > shippingmethodcode : T V', 'Payment Terms Code > paymenttermscode : T V', 'Requested Delivery Date > requestdeliveryby : T V']);
    expect(legacy).toHaveLength(4 + 14 + 7);
    const bi = byName(defaultMappings({ ...SEED, orders: 'bidirectional' }));
    expect(lines('SALESORDER-ORDER', bi)).toEqual([
      '="systemuser" > owneridtype : T', 'Salesperson Code > ownerid : T V,NotNull', 'Document Type > ="Order" : F', 'No. > bcbi_businesscentralordernumber : T',
      'Your Reference > ordernumber : F', '="account" > customeridtype : T', 'Sell-to Customer No. > customerid : B', 'Currency Code > transactioncurrencyid : B',
      'Ship-to Name > shipto_name : B', 'Ship-to Address > shipto_line1 : B', 'Ship-to Address 2 > shipto_line2 : B', 'Ship-to Post Code > shipto_postalcode : B',
      'Ship-to City > shipto_city : B', 'Ship-to Country/Region Code > shipto_country : B', 'Ship-to County > shipto_stateorprovince : B', 'Last Shipment Date > datefulfilled : T',
      'Bill-to Address > billto_line1 : B', 'Bill-to Address 2 > billto_line2 : B', 'Bill-to Post Code > billto_postalcode : B', 'Bill-to City > billto_city : B',
      'Bill-to Country/Region Code > billto_country : B', 'Bill-to County > billto_stateorprovince : B', 'Invoice Discount Amount > discountamount : T',
      'Shipping Agent Code > shippingmethodcode : B', 'Payment Terms Code > paymenttermscode : B', 'Shipment Method Code > freighttermscode : B',
      'Requested Delivery Date > requestdeliveryby : B', 'Payment Discount % > discountpercentage : B', 'Work Description > description : B',
    ]);
    expect(lines('SOLINE-ORDERDETAIL', bi)).toEqual([
      'Document Type > ="Order" : F', '="Product" > producttypecode : T', 'No. > productid : B', 'Line No. > bcbi_businesscentrallinenumber : B', 'Quantity > quantity : B',
      'Quantity Shipped > quantityshipped : B', '="1" > ispriceoverridden : T', 'Unit Price > priceperunit : B', 'Currency Code > transactioncurrencyid : B',
      'Amount > baseamount : B', 'Amount Including VAT > extendedamount : B', 'Requested Delivery Date > requestdeliveryby : B',
    ]);
  });

  it('pre-Dataverse CUSTOMER directions: contact name From, code fields To', () => {
    const old = byName(defaultMappings({ ...SEED, bcVersion: 14 }));
    const l = lines('CUSTOMER', old);
    expect(l).toContain('Contact > address1_primarycontactname : F');
    expect(l).toContain('Payment Terms Code > paymenttermscode : T V');
    expect(l).toContain('Shipment Method Code > address1_freighttermscode : T V');
  });

  it('item availability keeps exactly one Inventory → quantityonhand mapping', () => {
    const on = byName(defaultMappings({ ...SEED, itemAvailability: true })).get('ITEM-PRODUCT')!;
    expect(on.fields.filter((f) => f.bcField === 'Inventory' && f.dataverseField === 'quantityonhand')).toHaveLength(1);
  });
});

describe('default job queue entries (§D)', () => {
  const summary = (o: Partial<MappingOptions>) => defaultJobs(o).map((j) => `${j.name} ${j.everyMinutes}/${j.inactivityTimeoutMinutes ?? 'n/a'}`);

  it('seed profile: the published Sales jobs appear in the published order with their intervals and timeouts', () => {
    const jobs = defaultJobs(SEED);
    const published = ['UNIT OF MEASURE 30/720', 'RESOURCE-PRODUCT 30/720', 'ITEM-PRODUCT 30/1440', 'CUSTPRCGRP-PRICE 30/1440', 'SALESPRC-PRODPRICE 30/1440', 'POSTEDSALESINV-INV 30/1440', 'Customer Statistics 30/n/a'];
    const all = summary(SEED);
    const positions = published.map((p) => all.indexOf(p));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(jobs.map((j) => j.order)).toEqual(jobs.map((_, i) => i + 1));
    expect(jobs.find((j) => j.name === 'Customer Statistics')!.mapping).toBeNull();
  });

  it('full order: Dataverse jobs, Sales jobs, then feature jobs', () => {
    expect(summary(SEED)).toEqual([
      'CURRENCY 30/720', 'VENDOR 30/720', 'CONTACT 30/720', 'CUSTOMER 30/720', 'SALESPEOPLE 30/1440', 'PAYMENT TERMS 30/1440', 'SHIPMENT METHOD 30/1440',
      'SHIPPING AGENT 30/1440', 'UNIT OF MEASURE 30/720', 'RESOURCE-PRODUCT 30/720', 'ITEM-PRODUCT 30/1440', 'CUSTPRCGRP-PRICE 30/1440', 'SALESPRC-PRODPRICE 30/1440',
      'POSTEDSALESINV-INV 30/1440', 'SALESORDER-ORDER 30/720', 'Customer Statistics 30/n/a', 'Sales Order Status 7/7', 'Sales Order Notes 5/5',
    ]);
  });

  it('no jobs for OPPORTUNITY and the line mappings; option jobs in BCI OPTION, parties in BCI CUST', () => {
    const jobs = defaultJobs({ ...SEED, orders: 'bidirectional' });
    expect(jobs.map((j) => j.mapping)).not.toContain('OPPORTUNITY');
    expect(jobs.map((j) => j.mapping)).not.toContain('POSTEDSALESLINE-INV');
    expect(jobs.map((j) => j.mapping)).not.toContain('SOLINE-ORDERDETAIL');
    expect(jobs.filter((j) => j.category === 'BCI OPTION').map((j) => j.name)).toEqual(['PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT']);
    expect(jobs.filter((j) => j.category === 'BCI CUST').map((j) => j.name)).toEqual(['VENDOR', 'CONTACT', 'CUSTOMER']);
    expect(jobs.find((j) => j.name === 'CUSTOMER')!.description).toBe(' CUSTOMER - Dataverse synchronization job.');
    expect(jobs.find((j) => j.name === 'ITEM-PRODUCT')!.description).toBe(' ITEM-PRODUCT - Dynamics 365 Sales synchronization job.');
    expect(summary({ ...SEED, orders: 'bidirectional' }).slice(-4)).toEqual(['SALESORDER-ORDER 30/720', 'Customer Statistics 30/n/a', 'Sales Order Notes 5/5', 'Archived Sales Orders 30/30']);
  });

  it('options add and remove jobs: unit groups, price lists, team, item availability, auto-create/process', () => {
    const names = (o: Partial<MappingOptions>) => defaultJobs(o).map((j) => j.name);
    expect(names({ ...SEED, unitGroups: true })).toEqual(expect.arrayContaining(['UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM']));
    expect(names({ ...SEED, unitGroups: true })).not.toContain('UNIT OF MEASURE');
    expect(names({ ...SEED, pricing: 'pricelists' })).toEqual(expect.arrayContaining(['PLHEADER-PRICE', 'PLLINE-PRODPRICE']));
    expect(names({ ...SEED, ownership: 'team' })).not.toContain('SALESPEOPLE');
    expect(summary({ ...SEED, itemAvailability: true })).toContain('Item Availability 30/30');
    expect(names({ ...SEED, orders: 'none', autoCreateSalesOrders: true })).not.toContain('Auto Create Sales Orders');
    expect(names({ ...SEED, autoCreateSalesOrders: true, autoProcessSalesQuotes: true }).slice(-2)).toEqual(['Auto Create Sales Orders', 'Auto Process Sales Quotes']);
    expect(names({ ...SEED, orders: 'none' })).not.toContain('Sales Order Notes');
  });
});
