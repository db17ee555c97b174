import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusinessCentralService } from '../../../main/sandbox/bc';
import type { Wire } from './helpers';
import { client, startBc } from './helpers';

let bc: BusinessCentralService;
let base: string;
const call = client('api-user');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  bc = await startBc({ seed: 'demo', seedValue: 1 });
  base = `${bc.apiBase}/companies(${bc.companyId})`;
});
afterAll(() => bc.close());

describe('reading', () => {
  it('lists companies and scopes by path and by ?company=', async () => {
    const c = await call('GET', `${bc.apiBase}/companies`);
    expect(c.status).toBe(200);
    expect(c.body.value.map((x: Wire) => x.name)).toContain('Nordlys Handel AS');
    const a = await call('GET', `${base}/customers?$select=id,number`);
    const b = await call('GET', `${bc.apiBase}/customers?company=${bc.companyId}&$select=id,number`);
    expect(a.status).toBe(200);
    expect(b.body.value).toEqual(a.body.value);
    expect(a.body.value.length).toBeGreaterThan(30);
    const none = await call('GET', `${bc.apiBase}/customers`);
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/company/);
  });

  it('returns the v2.0 customer shape with etag and lastModifiedDateTime', async () => {
    const r = await call('GET', `${base}/customers?$top=1`);
    const c = r.body.value[0];
    for (const k of ['id', 'number', 'displayName', 'type', 'addressLine1', 'addressLine2', 'city', 'state', 'country', 'postalCode', 'phoneNumber', 'email', 'website', 'salespersonCode', 'balanceDue', 'creditLimit', 'taxLiable', 'currencyId', 'currencyCode', 'paymentTermsId', 'shipmentMethodId', 'blocked', 'lastModifiedDateTime'])
      expect(c, k).toHaveProperty(k);
    expect(c).not.toHaveProperty('customerPriceGroup');
    expect(c['@odata.etag']).toMatch(/^W\/"JzE5O[A-Za-z0-9+/=]+"$/);
    expect(c.lastModifiedDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r.body['@odata.context']).toBe(`${bc.apiBase}/$metadata#companies(${bc.companyId})/customers`);
  });

  it('filters with and/eq/ne/gt/startswith/contains, or on one field, and orders/selects/skips/counts', async () => {
    const r = await call('GET', `${base}/customers?$filter=${encodeURIComponent("country eq 'NL' and startswith(displayName,'')")}&$count=true&$orderby=number desc&$select=number,country`);
    expect(r.status).toBe(200);
    expect(r.body['@odata.count']).toBe(r.body.value.length);
    expect(r.body.value.every((c: Wire) => c.country === 'NL' && Object.keys(c).length === 3)).toBe(true);
    const nums = r.body.value.map((c: Wire) => c.number);
    expect(nums).toEqual([...nums].sort().reverse());
    const or = await call('GET', `${base}/customers?$filter=${encodeURIComponent("country eq 'NL' or country eq 'FI'")}&$select=country`);
    expect(new Set(or.body.value.map((c: Wire) => c.country))).toEqual(new Set(['NL', 'FI']));
    const bad = await call('GET', `${base}/customers?$filter=${encodeURIComponent("country eq 'NL' or city eq 'Oslo'")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^The 'OR' operator is not supported on distinct fields on an OData filter\. {2}CorrelationId: {2}[0-9a-f-]{36}\.$/);
    const contains = await call('GET', `${base}/items?$filter=${encodeURIComponent("contains(displayName,'kuksa')")}&$select=displayName`);
    expect(contains.body.value.length).toBeGreaterThan(0);
    expect(contains.body.value.every((i: Wire) => i.displayName.toLowerCase().includes('kuksa'))).toBe(true);
    const price = await call('GET', `${base}/items?$filter=unitPrice gt 3000 and blocked eq false&$select=unitPrice,blocked`);
    expect(price.body.value.every((i: Wire) => i.unitPrice > 3000 && i.blocked === false)).toBe(true);
    const page = await call('GET', `${base}/items?$orderby=number&$top=3&$skip=2&$select=number`);
    const all = await call('GET', `${base}/items?$orderby=number&$top=5&$select=number`);
    expect(page.body.value.map((i: Wire) => i.number)).toEqual(all.body.value.slice(2, 5).map((i: Wire) => i.number));
    const typeErr = await call('GET', `${base}/items?$filter=unitPrice eq 'x'`);
    expect(typeErr.status).toBe(400);
    expect(typeErr.body.error.message).toMatch(/incompatible types/);
    const unknown = await call('GET', `${base}/items?$filter=nope eq 1`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/nope/);
  });

  it('reads incrementally with lastModifiedDateTime gt <unquoted datetime>', async () => {
    const newest = await call('GET', `${base}/customers?$orderby=lastModifiedDateTime desc&$top=1`);
    const since = newest.body.value[0].lastModifiedDateTime;
    const none = await call('GET', `${base}/customers?$filter=lastModifiedDateTime gt ${since}`);
    expect(none.body.value).toEqual([]);
    const target = (await call('GET', `${base}/customers?$top=2`)).body.value[1];
    const upd = await call('PATCH', `${base}/customers(${target.id})`, { phoneNumber: '+47 22 000000' }, { 'If-Match': target['@odata.etag'] });
    expect(upd.status).toBe(200);
    expect(Date.parse(upd.body.lastModifiedDateTime)).toBeGreaterThan(Date.parse(since));
    const delta = await call('GET', `${base}/customers?$filter=lastModifiedDateTime gt ${since}`);
    expect(delta.body.value.map((c: Wire) => c.id)).toEqual([target.id]);
    const ge = await call('GET', `${base}/customers?$filter=lastModifiedDateTime ge ${upd.body.lastModifiedDateTime} and lastModifiedDateTime le ${upd.body.lastModifiedDateTime}`);
    expect(ge.body.value.map((c: Wire) => c.id)).toEqual([target.id]);
    const lt = await call('GET', `${base}/customers?$filter=lastModifiedDateTime lt ${since}&$count=true&$top=0`);
    expect(lt.body['@odata.count']).toBeGreaterThan(30);
  });

  it('expands lines of orders and serves them nested and top-level', async () => {
    const o = await call('GET', `${base}/salesOrders?$top=1&$expand=salesOrderLines`);
    const order = o.body.value[0];
    expect(order.salesOrderLines.length).toBeGreaterThan(0);
    expect(order.salesOrderLines[0]).not.toHaveProperty('lastModifiedDateTime');
    const sum = order.salesOrderLines.reduce((s: number, l: Wire) => s + l.amountIncludingTax, 0);
    expect(order.totalAmountIncludingTax).toBeCloseTo(sum, 2);
    const nested = await call('GET', `${base}/salesOrders(${order.id})/salesOrderLines`);
    expect(nested.body.value.map((l: Wire) => l.id)).toEqual(order.salesOrderLines.map((l: Wire) => l.id));
    const top = await call('GET', `${base}/salesOrderLines?$filter=documentId eq ${order.id}`);
    expect(top.body.value.map((l: Wire) => l.id)).toEqual(order.salesOrderLines.map((l: Wire) => l.id));
    const noFilter = await call('GET', `${base}/salesOrderLines`);
    expect(noFilter.status).toBe(400);
    const statuses = await call('GET', `${base}/salesOrders?$filter=${encodeURIComponent("status eq 'Released'")}&$select=status`);
    expect(statuses.body.value.length).toBeGreaterThan(0);
  });

  it('serves $metadata generated from the model', async () => {
    const r = await fetch(`${bc.apiBase}/$metadata`, { headers: { Authorization: 'Bearer test:meta' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/xml/);
    const xml = await r.text();
    expect(xml).toContain('<EntitySet Name="customers" EntityType="Microsoft.NAV.customer"/>');
    expect(xml).toMatch(/<Property Name="balanceDue" Type="Edm.Decimal"><Annotation Term="Org.OData.Core.V1.Computed"/);
    expect(xml).toContain('<NavigationProperty Name="salesOrderLines"');
    expect(xml).not.toContain('customerPriceGroups');
  });

  it('answers unknown ids and sets with BC error bodies', async () => {
    const r = await call('GET', `${base}/customers(00000000-0000-4000-8000-00000000dead)`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('BadRequest_NotFound');
    expect(r.body.error.message).toMatch(/CorrelationId: {2}[0-9a-f-]{36}\.$/);
    expect((await call('GET', `${base}/nothing`)).status).toBe(404);
  });
});

describe('writing', () => {
  it('creates with a client-supplied id (201 + body), updates with If-Match (200 + body) and deletes (204)', async () => {
    const id = '1b2c3d4e-0000-4000-8000-000000000001';
    const c = await call('POST', `${base}/customers`, { id, displayName: 'Test Kunde AS', currencyCode: 'EUR', city: 'Bergen' });
    expect(c.status).toBe(201);
    expect(c.body.id).toBe(id);
    expect(c.body.number).toMatch(/^K\d{5}$/);
    expect(c.body.currencyId).toMatch(GUID);
    expect(c.headers.get('etag')).toBe(c.body['@odata.etag']);
    expect(c.headers.get('location')).toBe(`${base}/customers(${id})`);
    const missing = await call('PATCH', `${base}/customers(${id})`, { city: 'Oslo' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('BadRequest_InvalidToken');
    expect(missing.body.error.message).toMatch(/^Could not validate the client concurrency token required by the service\. Please provide a valid token in the client request\./);
    const ok = await call('PATCH', `${base}/customers(${id})`, { city: 'Oslo' }, { 'If-Match': c.body['@odata.etag'] });
    expect(ok.status).toBe(200);
    expect(ok.body.city).toBe('Oslo');
    expect(ok.body['@odata.etag']).not.toBe(c.body['@odata.etag']);
    expect(Date.parse(ok.body.lastModifiedDateTime)).toBeGreaterThan(Date.parse(c.body.lastModifiedDateTime));
    const stale = await call('PATCH', `${base}/customers(${id})`, { city: 'Tromsø' }, { 'If-Match': c.body['@odata.etag'] });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('Request_EntityChanged');
    expect(stale.body.error.message).toMatch(/^Another user has already changed the record\./);
    const star = await call('PATCH', `${base}/customers(${id})`, { city: 'Tromsø' }, { 'If-Match': '*' });
    expect(star.status).toBe(200);
    const delMissing = await call('DELETE', `${base}/customers(${id})`);
    expect(delMissing.status).toBe(400);
    const delStale = await call('DELETE', `${base}/customers(${id})`, undefined, { 'If-Match': ok.body['@odata.etag'] });
    expect(delStale.status).toBe(409);
    const del = await call('DELETE', `${base}/customers(${id})`, undefined, { 'If-Match': star.body['@odata.etag'] });
    expect(del.status).toBe(204);
    expect((await call('GET', `${base}/customers(${id})`)).status).toBe(404);
  });

  it('rejects read-only fields, unknown properties, bad options, too-long strings and duplicate numbers', async () => {
    const ro = await call('POST', `${base}/customers`, { displayName: 'X', balanceDue: 5 });
    expect(ro.status).toBe(400);
    expect(ro.body.error.code).toBe('BadRequest_InvalidOperation');
    const ro2 = await call('POST', `${base}/customers`, { displayName: 'X', lastModifiedDateTime: '2020-01-01T00:00:00Z' });
    expect(ro2.body.error.code).toBe('BadRequest_InvalidOperation');
    const unknown = await call('POST', `${base}/customers`, { displayName: 'X', favouriteColour: 'blue' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/favouriteColour/);
    const opt = await call('POST', `${base}/customers`, { displayName: 'X', blocked: 'Sometimes' });
    expect(opt.body.error.message).toMatch(/'Sometimes' is not an option\. The existing options are: ' ',Ship,Invoice,All/);
    const long = await call('POST', `${base}/customers`, { displayName: 'x'.repeat(101) });
    expect(long.body.error.code).toBe('Application_StringExceededLength');
    const dup = await call('POST', `${base}/customers`, { number: 'K10000', displayName: 'Dup' });
    expect(dup.body.error.code).toBe('Internal_EntityWithSameKeyExists');
    const badCur = await call('POST', `${base}/customers`, { displayName: 'X', currencyCode: 'XXX' });
    expect(badCur.status).toBe(400);
    expect(badCur.body.error.message).toMatch(/XXX/);
  });

  it('deep-inserts a sales order with lines, adds a line, and keeps totals in step', async () => {
    const items = (await call('GET', `${base}/items?$filter=type eq 'Inventory' and blocked eq false&$top=2`)).body.value;
    const cust = (await call('GET', `${base}/customers?$filter=blocked eq ' '&$top=1`)).body.value[0];
    const o = await call('POST', `${base}/salesOrders`, { customerNumber: cust.number, salesOrderLines: [{ itemId: items[0].id, quantity: 2 }] });
    expect(o.status).toBe(201);
    expect(o.body.customerId).toBe(cust.id);
    expect(o.body.status).toBe('Draft');
    expect(o.body.salesOrderLines).toHaveLength(1);
    expect(o.body.salesOrderLines[0].unitPrice).toBe(items[0].unitPrice);
    const line = await call('POST', `${base}/salesOrders(${o.body.id})/salesOrderLines`, { lineObjectNumber: items[1].number, lineType: 'Item', quantity: 3, discountPercent: 10 });
    expect(line.status).toBe(201);
    expect(line.body.sequence).toBe(20000);
    const after = await call('GET', `${base}/salesOrders(${o.body.id})?$expand=salesOrderLines`);
    const sum = after.body.salesOrderLines.reduce((s: number, l: Wire) => s + l.amountExcludingTax, 0);
    expect(after.body.totalAmountExcludingTax).toBeCloseTo(sum, 2);
    expect(after.body.totalAmountIncludingTax).toBeCloseTo(sum * 1.25, 1);
    const topLine = await call('POST', `${base}/salesOrderLines`, { documentId: o.body.id, itemId: items[0].id, quantity: 1 });
    expect(topLine.status).toBe(201);
    expect(topLine.body.documentId).toBe(o.body.id);
  });

  it('posts a draft invoice with Microsoft.NAV.post: number, status, balance and inventory move', async () => {
    const item = (await call('GET', `${base}/items?$filter=type eq 'Inventory' and blocked eq false&$top=1`)).body.value[0];
    const cust = (await call('GET', `${base}/customers?$filter=blocked eq ' '&$top=1&$skip=3`)).body.value[0];
    const inv = await call('POST', `${base}/salesInvoices`, { customerId: cust.id, salesInvoiceLines: [{ itemId: item.id, quantity: 4 }] });
    expect(inv.status).toBe(201);
    expect(inv.body.status).toBe('Draft');
    const posted = await call('POST', `${base}/salesInvoices(${inv.body.id})/Microsoft.NAV.post`);
    expect(posted.status).toBe(204);
    const after = await call('GET', `${base}/salesInvoices(${inv.body.id})`);
    expect(after.body.status).toBe('Open');
    expect(after.body.number).toMatch(/^PS-INV/);
    expect(after.body.remainingAmount).toBe(inv.body.totalAmountIncludingTax);
    const c2 = await call('GET', `${base}/customers(${cust.id})`);
    expect(c2.body.balanceDue).toBeCloseTo(cust.balanceDue + inv.body.totalAmountIncludingTax, 2);
    const i2 = await call('GET', `${base}/items(${item.id})`);
    expect(i2.body.inventory).toBe(item.inventory - 4);
    const again = await call('POST', `${base}/salesInvoices(${inv.body.id})/Microsoft.NAV.post`);
    expect(again.status).toBe(400);
    const edit = await call('PATCH', `${base}/salesInvoices(${inv.body.id})`, { externalDocumentNumber: 'X' }, { 'If-Match': '*' });
    expect(edit.status).toBe(400);
    const custom = await call('GET', `${bc.url}/v2.0/${bc.tenant}/${bc.environment}/api/d365ic/integration/v1.0/companies(${bc.companyId})/postedSalesInvoices(${inv.body.id})?$expand=postedSalesInvoiceLines`);
    expect(custom.status).toBe(200);
    expect(custom.body.amountIncludingVat).toBe(inv.body.totalAmountIncludingTax);
    expect(custom.body.postedSalesInvoiceLines[0].number).toBe(item.number);
    const statuses = await call('GET', `${base}/salesInvoices?$filter=${encodeURIComponent("status eq 'Draft'")}&$select=status`);
    expect(statuses.body.value.length).toBeGreaterThan(0);
  });
});

describe('$batch', () => {
  it('runs independent operations without Isolation and reports per-op status and ids', async () => {
    const cust = (await call('GET', `${base}/customers?$top=1`)).body.value[0];
    const r = await call('POST', `${bc.apiBase}/$batch`, {
      requests: [
        { id: '1', method: 'GET', url: `companies(${bc.companyId})/customers(${cust.id})`, headers: {} },
        { id: '2', method: 'POST', url: `companies(${bc.companyId})/customers`, headers: { 'Content-Type': 'application/json' }, body: { displayName: 'Batch One AS' } },
        { id: '3', method: 'PATCH', url: `companies(${bc.companyId})/customers(${cust.id})`, headers: {}, body: { city: 'X' } },
        { id: '4', method: 'POST', url: `companies(${bc.companyId})/customers`, headers: {}, body: { displayName: 'Batch Two AS' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.responses.map((x: Wire) => [x.id, x.status])).toEqual([['1', 200], ['2', 201], ['3', 400], ['4', 201]]);
    expect(r.body.responses[2].body.error.code).toBe('BadRequest_InvalidToken');
    const names = await call('GET', `${base}/customers?$filter=startswith(displayName,'Batch ')&$select=displayName`);
    expect(names.body.value.map((c: Wire) => c.displayName).sort()).toEqual(['Batch One AS', 'Batch Two AS']);
  });

  it('rolls back everything with Isolation: snapshot when one operation fails', async () => {
    const r = await call('POST', `${bc.apiBase}/$batch`, {
      requests: [
        { id: 'a', method: 'POST', url: `companies(${bc.companyId})/customers`, headers: {}, body: { displayName: 'Snapshot One AS' } },
        { id: 'b', method: 'POST', url: `companies(${bc.companyId})/customers`, headers: {}, body: { displayName: 'Snapshot Two AS', blocked: 'Nope' } },
      ],
    }, { Isolation: 'snapshot' });
    expect(r.status).toBe(200);
    expect(r.body.responses[1].status).toBe(400);
    expect(r.body.responses[0].status).toBeGreaterThanOrEqual(400);
    const after = await call('GET', `${base}/customers?$filter=startswith(displayName,'Snapshot ')`);
    expect(after.body.value).toEqual([]);
    const ok = await call('POST', `${bc.apiBase}/$batch`, {
      requests: [{ id: 'a', method: 'POST', url: `companies(${bc.companyId})/customers`, headers: {}, body: { displayName: 'Snapshot Ok AS' } }],
    }, { Isolation: 'snapshot' });
    expect(ok.body.responses[0].status).toBe(201);
    expect((await call('GET', `${base}/customers?$filter=startswith(displayName,'Snapshot ')`)).body.value).toHaveLength(1);
  });

  it('refuses more than 100 operations', async () => {
    const requests = Array.from({ length: 101 }, (_, i) => ({ id: String(i), method: 'GET', url: `companies(${bc.companyId})/currencies` }));
    const r = await call('POST', `${bc.apiBase}/$batch`, { requests });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/101 operations; at most 100/);
  });
});

describe('custom API group', () => {
  it('serves the companion-extension entities with camelCase BC field names', async () => {
    const root = `${bc.url}/v2.0/${bc.tenant}/${bc.environment}/api/d365ic/integration/v1.0/companies(${bc.companyId})`;
    const groups = await call('GET', `${root}/customerPriceGroups`);
    expect(groups.body.value.map((g: Wire) => g.code).sort()).toEqual(['DETALJ', 'ENGROS', 'PARTNER']);
    const prices = await call('GET', `${root}/salesPrices?$filter=${encodeURIComponent("salesCode eq 'ENGROS'")}&$top=1`);
    expect(prices.body.value[0]).toMatchObject({ salesType: 'Customer Price Group', salesCode: 'ENGROS' });
    for (const k of ['itemNo', 'currencyCode', 'startingDate', 'unitPrice', 'minimumQuantity', 'unitOfMeasureCode']) expect(prices.body.value[0]).toHaveProperty(k);
    const res = await call('GET', `${root}/resources?$top=1`);
    for (const k of ['number', 'name', 'unitPrice', 'unitCost', 'capacity', 'baseUnitOfMeasure', 'blocked', 'vendorNumber']) expect(res.body.value[0]).toHaveProperty(k);
    const opp = await call('GET', `${root}/opportunities?$top=1`);
    for (const k of ['number', 'description', 'contactNumber', 'contactCompanyNumber', 'salespersonCode', 'status', 'estimatedValueLcy', 'estimatedClosingDate']) expect(opp.body.value[0]).toHaveProperty(k);
    const details = await call('GET', `${root}/itemDetails?$top=1`);
    for (const k of ['unitVolume', 'grossWeight', 'vendorNumber', 'vendorItemNumber', 'inventory', 'unitCost', 'unitPrice', 'blocked', 'baseUnitOfMeasureCode']) expect(details.body.value[0]).toHaveProperty(k);
    const rates = await call('GET', `${root}/currencyExchangeRates?$filter=${encodeURIComponent("currencyCode eq 'EUR'")}&$orderby=startingDate desc`);
    expect(rates.body.value[0].relationalExchangeRateAmount).toBeGreaterThan(10);
    const iuom = await call('GET', `${root}/itemUnitsOfMeasure?$top=1`);
    expect(iuom.body.value[0]).toHaveProperty('qtyPerUnitOfMeasure');
    const created = await call('POST', `${root}/customerPriceGroups`, { code: 'VIP', description: 'VIP-kunder' });
    expect(created.status).toBe(201);
    const denied = await call('POST', `${root}/postedSalesInvoices`, { number: 'X' });
    expect(denied.status).toBe(405);
    // Same company, standard API does not know the custom sets.
    expect((await call('GET', `${base}/customerPriceGroups`)).status).toBe(404);
  });
});
