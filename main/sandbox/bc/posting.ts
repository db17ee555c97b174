/**
 * The BC sandbox's business rules and posting simulation: code ⇄ id lookups (currency, payment terms, customer,
 * item…), customer defaults on documents, line amounts, VAT and document totals, editable-document checks, etag
 * checks, and posting (Microsoft.NAV.post, Microsoft.NAV.shipAndInvoice: posted number series, customer balance,
 * item inventory).
 */
import { randomUUID } from 'node:crypto';
import type { Exposure, TableDef } from './entities';
import { TABLES } from './entities';
import { BcError } from './odata';
import type { BcStorage, Row, StoredRow } from './storage';
import { EMPTY_DATE, EMPTY_GUID, etagFor, normalizeRow } from './storage';

/** Norwegian standard VAT; every non-comment sandbox line is taxed at this rate (no VAT posting setup matrix). */
export const VAT_PERCENT = 25;

export const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

/** Resolve a code ⇄ id pair (e.g. currencyCode/currencyId) against a lookup table. */
export function relate(s: BcStorage, company: string, data: Row, changed: Set<string>, idField: string, codeField: string, table: string, keyField: string, owner: string): StoredRow | undefined {
  if (!(idField in data) && !(codeField in data)) return undefined;
  if (changed.has(idField) && data[idField] !== EMPTY_GUID) {
    const r = s.get(table, String(data[idField]));
    if (!r || r.company !== company)
      throw new BcError(400, 'Internal_InvalidTableRelation', `The ${idField} '${String(data[idField])}' of ${owner} does not match any ${table} record in this company. Read ${table} first and use one of its ids.`);
    data[codeField] = r.data[keyField];
    return r;
  }
  if (changed.has(idField) && data[idField] === EMPTY_GUID) {
    data[codeField] = '';
    return undefined;
  }
  if (changed.has(codeField)) {
    if (data[codeField] === '') {
      if (idField in data) data[idField] = EMPTY_GUID;
      return undefined;
    }
    const r = s.byKey(table, company, String(data[codeField]));
    if (!r)
      throw new BcError(400, 'Internal_InvalidTableRelation', `The field ${codeField} of table ${owner} contains a value (${String(data[codeField])}) that cannot be found in the related table (${table}).`);
    if (idField in data) data[idField] = r.id;
    return r;
  }
  return data[idField] && data[idField] !== EMPTY_GUID ? s.get(table, String(data[idField])) : undefined;
}

export function derive(s: BcStorage, table: TableDef, company: string, data: Row, changed: Set<string>, isNew: boolean): void {
  const f = table.fields;
  if (f.has('currencyId')) relate(s, company, data, changed, 'currencyId', 'currencyCode', 'currencies', 'code', table.entityType);
  if (f.has('paymentTermsId')) relate(s, company, data, changed, 'paymentTermsId', 'paymentTermsCode', 'paymentTerms', 'code', table.entityType);
  if (f.has('shipmentMethodId')) relate(s, company, data, changed, 'shipmentMethodId', 'shipmentMethodCode', 'shipmentMethods', 'code', table.entityType);
  if (table.name === 'items') relate(s, company, data, changed, 'baseUnitOfMeasureId', 'baseUnitOfMeasureCode', 'unitsOfMeasure', 'code', 'item');
  if (table.name === 'contacts') {
    if (changed.has('displayName') || isNew) data.searchName = String(data.displayName).toUpperCase();
    if (changed.has('companyNumber')) {
      const c = data.companyNumber ? s.byKey('contacts', company, String(data.companyNumber)) : undefined;
      if (data.companyNumber && (!c || c.data.type !== 'Company'))
        throw new BcError(400, 'Internal_InvalidTableRelation', `Contact company '${String(data.companyNumber)}' does not exist. Create the company contact first or leave companyNumber empty.`);
      data.companyName = c ? c.data.displayName : '';
    }
  }
  if (f.has('customerId') && table.linesTable) {
    const cust = relate(s, company, data, changed, 'customerId', 'customerNumber', 'customers', 'number', table.entityType);
    if (cust && (changed.has('customerId') || changed.has('customerNumber'))) {
      const c = cust.data;
      data.customerName = c.displayName;
      data.billToName = c.displayName;
      data.billToCustomerId = cust.id;
      data.billToCustomerNumber = c.number;
      const copy = (to: string, from: string) => {
        if (!changed.has(to)) data[to] = c[from];
      };
      for (const p of ['sellTo', 'billTo', 'shipTo']) {
        copy(`${p}AddressLine1`, 'addressLine1');
        copy(`${p}AddressLine2`, 'addressLine2');
        copy(`${p}City`, 'city');
        copy(`${p}Country`, 'country');
        copy(`${p}State`, 'state');
        copy(`${p}PostCode`, 'postalCode');
      }
      copy('shipToName', 'displayName');
      copy('phoneNumber', 'phoneNumber');
      copy('email', 'email');
      copy('salesperson', 'salespersonCode');
      if (!changed.has('currencyId') && !changed.has('currencyCode')) {
        data.currencyId = c.currencyId;
        data.currencyCode = c.currencyCode;
      }
      if (!changed.has('paymentTermsId')) {
        data.paymentTermsId = c.paymentTermsId;
        data.paymentTermsCode = c.paymentTermsCode;
      }
      if (!changed.has('shipmentMethodId')) {
        data.shipmentMethodId = c.shipmentMethodId;
        data.shipmentMethodCode = c.shipmentMethodCode;
      }
      if (f.has('shippingAgentCode')) data.shippingAgentCode = c.shippingAgentCode;
    }
    if (isNew && (data.customerId === EMPTY_GUID || !data.customerId))
      throw new BcError(400, 'BadRequest_RequiredParamNotProvided', `A ${table.entityType} needs a customer: provide customerId or customerNumber.`);
  }
}

export function deriveLine(s: BcStorage, table: TableDef, company: string, header: StoredRow, data: Row, changed: Set<string>, isNew: boolean): void {
  data.documentId = header.id;
  data.documentNumber = header.data.number;
  if (isNew && !changed.has('lineType')) data.lineType = changed.has('itemId') || changed.has('lineObjectNumber') ? 'Item' : 'Comment';
  if (data.lineType === 'Item' && (changed.has('itemId') || changed.has('lineObjectNumber'))) {
    const item = relate(s, company, data, changed, 'itemId', 'lineObjectNumber', 'items', 'number', table.entityType);
    if (item) {
      if (item.data.blocked)
        throw new BcError(400, 'Application_FieldValidationException', `Blocked must be equal to 'No' in Item: No.=${String(item.data.number)}. Current value is 'Yes'. Unblock the item or choose another.`);
      if (!changed.has('description')) data.description = item.data.displayName;
      if (!changed.has('unitPrice')) data.unitPrice = item.data.unitPrice;
      if (!changed.has('unitOfMeasureCode') && !changed.has('unitOfMeasureId')) {
        data.unitOfMeasureCode = item.data.baseUnitOfMeasureCode;
        data.unitOfMeasureId = item.data.baseUnitOfMeasureId;
      }
    }
  }
  if (isNew && !changed.has('sequence')) {
    const max = s.children(table.name, header.id).reduce((m, r) => Math.max(m, Number(r.data.sequence)), 0);
    data.sequence = max + 10000;
  }
  const qty = Number(data.quantity);
  const gross = round2(qty * Number(data.unitPrice));
  if (changed.has('discountPercent') && !changed.has('discountAmount')) data.discountAmount = round2((gross * Number(data.discountPercent)) / 100);
  else if (changed.has('discountAmount') && !changed.has('discountPercent')) data.discountPercent = gross ? round2((Number(data.discountAmount) / gross) * 100) : 0;
  const net = data.lineType === 'Comment' ? 0 : round2(gross - Number(data.discountAmount));
  const taxPct = data.lineType === 'Comment' ? 0 : VAT_PERCENT;
  const tax = round2((net * taxPct) / 100);
  Object.assign(data, {
    taxPercent: taxPct, amountExcludingTax: net, totalTaxAmount: tax, amountIncludingTax: round2(net + tax),
    netAmount: net, netTaxAmount: tax, netAmountIncludingTax: round2(net + tax),
  });
  if (table.fields.has('invoiceQuantity') && isNew) {
    if (!changed.has('shipQuantity')) data.shipQuantity = qty;
    if (!changed.has('invoiceQuantity')) data.invoiceQuantity = qty;
  }
}

/** Recompute header totals from its lines and stamp the header (BC's header changes when a line does). */
export function recalcTotals(s: BcStorage, headerTable: TableDef, header: StoredRow): StoredRow {
  const lines = s.children(headerTable.linesTable!, header.id);
  const excl = round2(lines.reduce((s, l) => s + Number(l.data.amountExcludingTax), 0));
  const tax = round2(lines.reduce((s, l) => s + Number(l.data.totalTaxAmount), 0));
  const data: Row = { ...header.data, totalAmountExcludingTax: excl, totalTaxAmount: tax, totalAmountIncludingTax: round2(excl + tax) };
  if (headerTable.name === 'salesInvoices' && data.status !== 'Draft' && data.status !== 'Paid') data.remainingAmount = data.totalAmountIncludingTax;
  return s.write(headerTable, header, header.company, data, header.parent);
}

export function assertEditableDocument(table: TableDef, header: StoredRow | undefined): void {
  if (!header) return;
  if (table.name === 'salesInvoices' && header.data.status !== 'Draft')
    throw new BcError(400, 'Application_DialogException', `Sales invoice ${String(header.data.number)} is posted and can no longer be changed. Create a corrective credit memo instead.`);
}

/** Insert through an API page (body already mapped to table field names and type-checked). */
export function create(s: BcStorage, exp: Exposure, company: string, body: Row, parentId?: string, lines?: Row[]): StoredRow {
  const table = TABLES[exp.table]!;
  const changed = new Set(Object.keys(body));
  const data = normalizeRow(table, body);
  data.id = body.id ? String(body.id).toLowerCase() : randomUUID();
  if (table.series && !body[table.series.field]) data[table.series.field] = s.nextNumber(table, company);
  if (table.parentTable) {
    const header = parentId ? s.get(table.parentTable, parentId) : undefined;
    if (!header || header.company !== company)
      throw new BcError(404, 'BadRequest_NotFound', `The ${table.parentTable} document ${parentId ?? '(documentId missing)'} does not exist. Provide an existing documentId.`);
    assertEditableDocument(TABLES[table.parentTable]!, header);
    deriveLine(s, table, company, header, data, changed, true);
    const row = s.write(table, undefined, company, data, header.id);
    recalcTotals(s, TABLES[table.parentTable]!, s.get(table.parentTable, header.id)!);
    return row;
  }
  if (table.name === 'salesOrders') data.status = 'Draft';
  if (table.name === 'salesInvoices') data.status = 'Draft';
  if (table.name === 'salesQuotes') data.status = 'Draft';
  if (table.name === 'salesOrders' && !changed.has('orderDate')) data.orderDate = s.today();
  if (table.name === 'salesInvoices' && !changed.has('invoiceDate')) data.invoiceDate = s.today();
  if (table.name === 'salesQuotes' && !changed.has('documentDate')) data.documentDate = s.today();
  derive(s, table, company, data, changed, true);
  let row = s.write(table, undefined, company, data, null);
  if (lines && table.linesTable) {
    const lt = TABLES[table.linesTable]!;
    for (const l of lines) {
      const lc = new Set(Object.keys(l));
      const ld = normalizeRow(lt, l);
      ld.id = l.id ? String(l.id).toLowerCase() : randomUUID();
      deriveLine(s, lt, company, row, ld, lc, true);
      s.write(lt, undefined, company, ld, row.id);
    }
    row = recalcTotals(s, table, row);
  }
  return row;
}

export function checkEtag(row: StoredRow, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '')
    throw new BcError(400, 'BadRequest_InvalidToken', 'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.');
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const current = etagFor(row.ver);
  const strip = (t: string) => t.replace(/^W\//, '');
  if (!tags.some((t) => strip(t) === strip(current)))
    throw new BcError(409, 'Request_EntityChanged', 'Another user has already changed the record.');
}

export function update(s: BcStorage, exp: Exposure, row: StoredRow, body: Row, ifMatch: string | undefined): StoredRow {
  const table = TABLES[exp.table]!;
  checkEtag(row, ifMatch);
  const changed = new Set(Object.keys(body));
  const data: Row = { ...row.data, ...body };
  if (table.parentTable) {
    const header = s.get(table.parentTable, row.parent!)!;
    assertEditableDocument(TABLES[table.parentTable]!, header);
    deriveLine(s, table, row.company, header, data, changed, false);
    const out = s.write(table, row, row.company, data, row.parent);
    recalcTotals(s, TABLES[table.parentTable]!, s.get(table.parentTable, header.id)!);
    return out;
  }
  assertEditableDocument(table, row);
  derive(s, table, row.company, data, changed, false);
  return s.write(table, row, row.company, data, row.parent);
}

export function remove(s: BcStorage, exp: Exposure, row: StoredRow, ifMatch: string | undefined): void {
  const table = TABLES[exp.table]!;
  checkEtag(row, ifMatch);
  if (table.parentTable) {
    const header = s.get(table.parentTable, row.parent!)!;
    assertEditableDocument(TABLES[table.parentTable]!, header);
    s.deleteRow(row.seq);
    recalcTotals(s, TABLES[table.parentTable]!, header);
    return;
  }
  assertEditableDocument(table, row);
  if (table.linesTable) s.deleteChildren(table.linesTable, row.id);
  s.deleteRow(row.seq);
}

/** Microsoft.NAV.post on a draft sales invoice: number from the posted series, status Open, balances and inventory move. */
export function postInvoice(s: BcStorage, row: StoredRow): StoredRow {
  const inv = TABLES.salesInvoices!;
  if (row.data.status !== 'Draft')
    throw new BcError(400, 'Application_DialogException', `Sales invoice ${String(row.data.number)} has already been posted (status ${String(row.data.status)}).`);
  const lines = s.children('salesInvoiceLines', row.id);
  if (!lines.some((l) => l.data.lineType !== 'Comment' && Number(l.data.quantity) !== 0))
    throw new BcError(400, 'Application_DialogException', 'There is nothing to post. Add at least one line with a quantity before posting.');
  return postLines(s, inv, row, lines, {});
}

export function postLines(s: BcStorage, inv: TableDef, draft: StoredRow, lines: StoredRow[], extra: Row): StoredRow {
  const company = draft.company;
  const number = s.nextNumber(inv, company, 'postedSalesInvoices', 'PS-INV');
  const postingDate = draft.data.postingDate === EMPTY_DATE ? s.today() : draft.data.postingDate;
  const data: Row = { ...draft.data, ...extra, draftNumber: draft.data.number, number, status: 'Open', postingDate };
  if (data.dueDate === EMPTY_DATE) data.dueDate = postingDate;
  data.remainingAmount = data.totalAmountIncludingTax;
  const posted = s.write(inv, draft, company, data, null);
  for (const l of lines) s.write(TABLES.salesInvoiceLines!, l, company, { ...l.data, posted: true, documentNumber: number }, posted.id);
  const cust = s.get('customers', String(data.customerId));
  if (cust) s.write(TABLES.customers!, cust, company, { ...cust.data, balanceDue: round2(Number(cust.data.balanceDue) + Number(data.totalAmountIncludingTax)) }, null);
  for (const l of lines) {
    if (l.data.lineType !== 'Item') continue;
    const item = s.get('items', String(l.data.itemId));
    if (item && item.data.type === 'Inventory')
      s.write(TABLES.items!, item, company, { ...item.data, inventory: round2(Number(item.data.inventory) - Number(l.data.quantity)) }, null);
  }
  return posted;
}

/** Microsoft.NAV.shipAndInvoice on a sales order: posts an invoice for its lines and removes the fully handled order. */
export function shipAndInvoice(s: BcStorage, order: StoredRow): StoredRow {
  const lines = s.children('salesOrderLines', order.id);
  if (!lines.some((l) => l.data.lineType !== 'Comment' && Number(l.data.quantity) !== 0))
    throw new BcError(400, 'Application_DialogException', 'There is nothing to post. Add at least one line with a quantity before posting.');
  const inv = TABLES.salesInvoices!;
  const draftData = normalizeRow(inv, { ...order.data, id: randomUUID(), orderId: order.id, orderNumber: order.data.number, invoiceDate: s.today(), shipmentDate: s.today() });
  draftData.status = 'Draft';
  const draft = s.write(inv, undefined, order.company, draftData, null);
  const invLines = lines.map((l) =>
    s.write(TABLES.salesInvoiceLines!, undefined, order.company, normalizeRow(TABLES.salesInvoiceLines!, { ...l.data, id: randomUUID(), documentId: draft.id }), draft.id),
  );
  const posted = postLines(s, inv, draft, invLines, {});
  s.deleteChildren('salesOrderLines', order.id);
  s.deleteRow(order.seq);
  return posted;
}
