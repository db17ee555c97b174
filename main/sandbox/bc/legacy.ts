/**
 * OData V4 *page* web services (`/{instance}/ODataV4/Company('<name>')/<Service>`), the only API a pre-v16
 * server (BC 14/15 as presented by the sandbox) offers. Field names are page control names with underscores,
 * as published from the Web Services page. Read-only here: the sync reads master data and item availability
 * through them; writes go through the v1.0/v2.0 APIs on newer servers.
 *
 * `ProductItemAvailability` (page 5390) is what Dynamics 365 Sales called for item availability; it exists
 * on servers up to v22, so the sandbox publishes it for versions 14–16 and not for 24.
 */
import type { ApiContext, ApiRequest, ApiResponse } from './api';
import { parseQuery } from './api';
import type { FilterNode, Literal } from './odata';
import { BcError, parseFilter } from './odata';
import type { Row, StoredRow } from './storage';
import { etagFor } from './storage';

const HEADERS = { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' };

interface PageService {
  table: string;
  key: string;
  map: (r: StoredRow) => Row;
  maxVersion?: number;
}

const SERVICES: Record<string, PageService> = {
  Customer: {
    table: 'customers', key: 'No',
    map: (r) => ({
      No: r.data.number, Name: r.data.displayName, Address: r.data.addressLine1, Address_2: r.data.addressLine2, City: r.data.city,
      County: r.data.state, Post_Code: r.data.postalCode, Country_Region_Code: r.data.country, Phone_No: r.data.phoneNumber,
      E_Mail: r.data.email, Home_Page: r.data.website, Salesperson_Code: r.data.salespersonCode, Currency_Code: r.data.currencyCode,
      Payment_Terms_Code: r.data.paymentTermsCode, Shipment_Method_Code: r.data.shipmentMethodCode, Credit_Limit_LCY: r.data.creditLimit,
      Balance_LCY: r.data.balanceDue, Blocked: r.data.blocked, Last_Date_Modified: new Date(r.modified).toISOString().slice(0, 10),
    }),
  },
  Vendor: {
    table: 'vendors', key: 'No',
    map: (r) => ({
      No: r.data.number, Name: r.data.displayName, Address: r.data.addressLine1, City: r.data.city, Post_Code: r.data.postalCode,
      Country_Region_Code: r.data.country, Phone_No: r.data.phoneNumber, E_Mail: r.data.email, Purchaser_Code: r.data.purchaserCode,
      Currency_Code: r.data.currencyCode, Blocked: r.data.blocked,
    }),
  },
  Contact: {
    table: 'contacts', key: 'No',
    map: (r) => ({
      No: r.data.number, Type: r.data.type, Name: r.data.displayName, First_Name: r.data.firstName, Surname: r.data.surname,
      Company_No: r.data.companyNumber, Company_Name: r.data.companyName, E_Mail: r.data.email, Phone_No: r.data.phoneNumber,
      Mobile_Phone_No: r.data.mobilePhoneNumber, City: r.data.city, Salesperson_Code: r.data.salespersonCode,
    }),
  },
  Item: {
    table: 'items', key: 'No',
    map: (r) => ({
      No: r.data.number, Description: r.data.displayName, Type: r.data.type, Base_Unit_of_Measure: r.data.baseUnitOfMeasureCode,
      Unit_Price: r.data.unitPrice, Unit_Cost: r.data.unitCost, Inventory: r.data.inventory, Blocked: r.data.blocked,
      Vendor_No: r.data.vendorNumber, Vendor_Item_No: r.data.vendorItemNumber, Gross_Weight: r.data.grossWeight, Unit_Volume: r.data.unitVolume,
    }),
  },
  Currencies: {
    table: 'currencies', key: 'Code',
    map: (r) => ({ Code: r.data.code, Description: r.data.displayName, Symbol: r.data.symbol }),
  },
  ProductItemAvailability: {
    table: 'items', key: 'ItemNo', maxVersion: 22,
    // CRM_ID is the coupled Sales product id; the sandbox has no coupling table, so it reports the empty GUID.
    map: (r) => ({ Table_ID: 27, Integration_ID: r.id, CRM_ID: '00000000-0000-0000-0000-000000000000', ItemNo: r.data.number, UOM: r.data.baseUnitOfMeasureCode, Inventory: r.data.inventory }),
  },
};

function litValue(l: Literal): unknown {
  switch (l.kind) {
    case 'null':
      return null;
    case 'boolean':
    case 'number':
    case 'string':
    case 'guid':
    case 'date':
    case 'datetime':
      return l.value;
  }
}

/** Evaluate a parsed $filter against a plain object (page services are small; no SQL needed). */
export function evalFilter(n: FilterNode, row: Row): boolean {
  switch (n.type) {
    case 'and':
      return evalFilter(n.left, row) && evalFilter(n.right, row);
    case 'or':
      return evalFilter(n.left, row) || evalFilter(n.right, row);
    case 'not':
      return !evalFilter(n.expr, row);
    case 'fn': {
      const v = String(row[n.field] ?? '').toLowerCase();
      const s = n.value.toLowerCase();
      return n.fn === 'startswith' ? v.startsWith(s) : n.fn === 'endswith' ? v.endsWith(s) : v.includes(s);
    }
    case 'cmp': {
      if (!(n.field in row)) throw new BcError(400, 'BadRequest', `Could not find a property named '${n.field}' on this page service.`);
      const a = row[n.field] as string | number | boolean | null;
      const b = litValue(n.value) as string | number | boolean | null;
      switch (n.op) {
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        case 'gt':
          return a! > b!;
        case 'ge':
          return a! >= b!;
        case 'lt':
          return a! < b!;
        case 'le':
          return a! <= b!;
      }
    }
  }
}

export function legacyOData(ctx: ApiContext, req: ApiRequest, root: string, rest: string[]): ApiResponse {
  if (req.method.toUpperCase() !== 'GET')
    throw new BcError(405, 'BadRequest_MethodNotAllowed', 'The sandbox publishes the ODataV4 page services read-only. Use the API (v1.0/v2.0) for writes.');
  const services = Object.entries(SERVICES).filter(([, s]) => !s.maxVersion || ctx.version <= s.maxVersion);
  if (rest.length === 0)
    return { status: 200, headers: HEADERS, body: { '@odata.context': `${ctx.baseUrl}${root}/$metadata`, value: [{ name: 'Company', kind: 'EntitySet', url: 'Company' }, ...services.map(([n]) => ({ name: n, kind: 'EntitySet', url: n }))] } };
  const first = decodeURIComponent(rest[0]!);
  if (first === 'Company' && rest.length === 1)
    return {
      status: 200, headers: HEADERS,
      body: { '@odata.context': `${ctx.baseUrl}${root}/$metadata#Company`, value: ctx.store.companies().map((c) => ({ Name: c.data.name, Display_Name: c.data.displayName, Id: c.id, Business_Profile_Id: c.data.businessProfileId })) },
    };
  const cm = /^Company\('((?:[^']|'')*)'\)$/.exec(first);
  if (!cm) throw new BcError(404, 'BadRequest_NotFound', `No HTTP resource was found that matches the request URI '${req.path}'. Use ${root}/Company('<name>')/<Service>.`);
  const name = cm[1]!.replace(/''/g, "'");
  const company = ctx.store.companies().find((c) => c.data.name === name);
  if (!company) throw new BcError(404, 'Internal_CompanyNotFound', `Cannot open company '${name}'. Check the name (URL-encode it inside the quotes).`);
  const sm = /^([A-Za-z_]+)(?:\('((?:[^']|'')*)'\))?$/.exec(decodeURIComponent(rest[1] ?? ''));
  const svc = sm ? services.find(([n]) => n === sm[1]) : undefined;
  if (!sm || !svc || rest.length > 2)
    throw new BcError(404, 'BadRequest_NotFound', `The web service '${rest[1] ?? ''}' is not published. Published services: ${services.map(([n]) => n).join(', ')}.`);
  const [svcName, def] = svc;
  const q = parseQuery(req.query);
  const rows: Row[] = [];
  // Page services are read through the generic list in chunks so large (bench) companies stay cheap on memory.
  let after: unknown[] | undefined;
  const exp = { group: 'v2.0', set: def.table, table: def.table, entityType: def.table, fields: new Map(), insertable: false, modifiable: false, deletable: false } as const;
  const filter = q.has('$filter') ? parseFilter(q.get('$filter')!) : undefined;
  const top = q.has('$top') ? Number(q.get('$top')) : Infinity;
  for (;;) {
    const page = ctx.store.list({ ...exp, fields: new Map() }, company.id, { limit: 5000, after });
    for (const r of page.rows) {
      const o: Row = { '@odata.etag': etagFor(r.ver), ...def.map(r) };
      if (!filter || evalFilter(filter, o)) rows.push(o);
      if (rows.length >= top) break;
    }
    if (!page.next || rows.length >= top) break;
    after = page.next;
  }
  if (sm[2] !== undefined) {
    const key = sm[2].replace(/''/g, "'");
    const hit = rows.find((r) => r[def.key] === key);
    if (!hit) throw new BcError(404, 'BadRequest_NotFound', `The record ${def.key}='${key}' does not exist in ${svcName}.`);
    return { status: 200, headers: HEADERS, body: { '@odata.context': `${ctx.baseUrl}${root}/$metadata#${svcName}/$entity`, ...hit } };
  }
  return { status: 200, headers: HEADERS, body: { '@odata.context': `${ctx.baseUrl}${root}/$metadata#${svcName}`, value: rows } };
}
