/**
 * Live metadata catalog (issue 6): entity and attribute definitions fetched from a connection and cached in SQLite
 * (migration 0006) with a timestamp, so validation uses the real org's metadata offline.
 *
 * - Dataverse: EntityDefinitions for every entity the mappings use (types, max lengths, lookup targets, options).
 * - BC: the API's $metadata (entity sets and their properties). BC's table/field numbering is not exposed by the
 *   API, so the static Base Application catalogue (catalog.ts) stays the base and the API only overlays what it can
 *   say about the fields it exposes (lengths). The same table→API map lets "count matching records" run on BC.
 *
 * loadCatalog never touches the network: it only reads the cache.
 */
import { BcODataError, bcConditionExpression, bcExpressionToOData } from '../../../../preload/contract/sales/mapping-bc-filter';
import type { Connections } from '../../../connections';
import { BusinessCentralClient } from '../../../clients/bc/client';
import { DataverseClient } from '../../../clients/dataverse/client';
import type { Db } from '../../../db/database';
import type { HttpClient } from '../../../http/client';
import { ServiceError } from '../../../http/errors';
import type { Logger } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import type { BcField, BcTable, DvAttribute, DvAttributeType, DvEntity, MetadataCatalog } from './catalog';
import { BC_TABLES, DV_ENTITIES, createCatalog, defaultCatalog } from './catalog';
import { FilterSyntaxError, odataString, renderODataFilter } from './filters';
import type { BcFilter, DvFilter, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { odataKinds } from './present';

export type MetadataSide = 'dataverse' | 'bc';

export interface MetadataDeps {
  db: Db;
  connections: Pick<Connections, 'httpClientFor' | 'store'>;
  logger?: Logger;
  now?: () => Date;
}

/** One cached BC API entity set (from $metadata). */
export interface BcApiEntity {
  entitySet: string;
  entityType: string;
  properties: { name: string; type: string; maxLength?: number }[];
}

export interface RefreshResult {
  side: MetadataSide;
  /** Entities stored (Dataverse logical names or BC API entity sets). */
  entities: string[];
  /** Entities the mappings use that the org does not have (Dataverse only). */
  missing: string[];
  fetchedAt: string;
}

export interface CatalogStatus {
  profileId: string;
  side: MetadataSide;
  entities: number;
  /** Oldest and newest fetch of the profile's rows: a partial refresh leaves them apart. */
  oldestFetchedAt: string;
  fetchedAt: string;
}

// ---- cache ---------------------------------------------------------------------------------------

/** Cached Dataverse row: the entity, or a marker that the org has no such table (so validation can say so). */
type DvCached = { absent: true; logicalName: string } | ({ absent?: false } & DvEntity);

class MetadataCache {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      upsert: db.prepare(`INSERT INTO metadata_cache (profile_id, side, entity, json, fetched_at) VALUES (?, ?, ?, ?, ?)
                          ON CONFLICT (profile_id, side, entity) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at`),
      clearSide: db.prepare('DELETE FROM metadata_cache WHERE profile_id = ? AND side = ?'),
      rows: db.prepare('SELECT side, entity, json, fetched_at FROM metadata_cache WHERE profile_id = ? ORDER BY side, entity'),
      status: db.prepare(`SELECT profile_id, side, COUNT(*) AS n, MIN(fetched_at) AS oldest, MAX(fetched_at) AS newest
                          FROM metadata_cache GROUP BY profile_id, side ORDER BY profile_id, side`),
    };
    this.db = db;
  }
  private readonly db: Db;
  /** Replaces a profile's rows for one side in one transaction: a failed refresh leaves the previous cache intact. */
  replace(profileId: string, side: MetadataSide, rows: { entity: string; json: string }[], at: string): void {
    this.db.transaction(() => {
      this.s.clearSide.run(profileId, side);
      for (const r of rows) this.s.upsert.run(profileId, side, r.entity, r.json, at);
    })();
  }
  rows(profileId: string): { side: MetadataSide; entity: string; json: string; fetched_at: string }[] {
    return this.s.rows.all(profileId) as { side: MetadataSide; entity: string; json: string; fetched_at: string }[];
  }
  status(): CatalogStatus[] {
    return (this.s.status.all() as { profile_id: string; side: MetadataSide; n: number; oldest: string; newest: string }[])
      .map((r) => ({ profileId: r.profile_id, side: r.side, entities: r.n, oldestFetchedAt: r.oldest, fetchedAt: r.newest }));
  }
}

// ---- Dataverse -----------------------------------------------------------------------------------

const DV_TYPES = new Set<DvAttributeType>(['String', 'Memo', 'Integer', 'Decimal', 'Money', 'Double', 'Boolean', 'DateTime', 'Picklist', 'State', 'Status',
  'Lookup', 'Owner', 'Customer', 'Uniqueidentifier', 'EntityName']);

/**
 * AttributeType as the catalogue knows it. BigInt counts as Integer; Virtual, ManagedProperty, PartyList, file and
 * image columns are left out: the integration cannot map them, so a mapping naming one should be flagged as unknown.
 */
export function dvAttributeType(attributeType: string): DvAttributeType | null {
  if (attributeType === 'BigInt') return 'Integer';
  return DV_TYPES.has(attributeType as DvAttributeType) ? (attributeType as DvAttributeType) : null;
}

/** Extra typed-cast reads for what the base AttributeMetadata $select cannot return (MaxLength, Targets). */
async function castValues(http: HttpClient, logicalName: string, cast: string, prop: 'MaxLength' | 'Targets'): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  try {
    const r = await http.get<{ value?: Record<string, unknown>[] }>(
      `EntityDefinitions(LogicalName=${odataString(logicalName)})/Attributes/Microsoft.Dynamics.CRM.${cast}?$select=LogicalName,${prop}`,
      { headers: { Accept: 'application/json', 'If-None-Match': 'null' } },
    );
    for (const a of r.body?.value ?? []) out.set(String(a.LogicalName), a[prop]);
  } catch (x) {
    // An org (or sandbox) without this cast still has usable metadata: lengths/targets then stay unknown.
    if (!(x instanceof ServiceError) || x.status === 401 || x.status === 403) throw x;
  }
  return out;
}

export async function fetchDataverseEntity(http: HttpClient, logicalName: string): Promise<DvEntity | null> {
  const client = new DataverseClient({ http });
  let def;
  try {
    def = await client.entityDefinitions(logicalName, true);
  } catch (x) {
    if (x instanceof ServiceError && x.status === 404) return null;
    throw x;
  }
  const [lengths, memoLengths, targets] = await Promise.all([
    castValues(http, logicalName, 'StringAttributeMetadata', 'MaxLength'),
    castValues(http, logicalName, 'MemoAttributeMetadata', 'MaxLength'),
    castValues(http, logicalName, 'LookupAttributeMetadata', 'Targets'),
  ]);
  const attributes: DvAttribute[] = [];
  for (const a of def.attributes ?? []) {
    const type = dvAttributeType(a.attributeType);
    if (!type) continue;
    const attr: DvAttribute = { name: a.logicalName, type };
    const len = a.maxLength ?? lengths.get(a.logicalName) ?? memoLengths.get(a.logicalName);
    if (typeof len === 'number') attr.maxLength = len;
    const t = a.targets ?? targets.get(a.logicalName);
    if (Array.isArray(t) && t.length) attr.targets = t.map(String);
    if (a.options) attr.options = a.options;
    attributes.push(attr);
  }
  attributes.sort((x, y) => x.name.localeCompare(y.name));
  return { logicalName: def.logicalName, entitySetName: def.entitySetName, primaryId: def.primaryIdAttribute, attributes };
}

// ---- Business Central ----------------------------------------------------------------------------

const decodeXml = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeXml(m[1]!) : undefined;
};

/**
 * Entity sets and their properties from a CSDL $metadata document. A small scanner rather than an XML library:
 * only EntityType/Property/EntitySet elements matter and BC's CSDL is machine-written.
 */
export function parseCsdl(xml: string): BcApiEntity[] {
  const types = new Map<string, BcApiEntity['properties']>();
  const typeRe = /<EntityType\b([^>]*)>([\s\S]*?)<\/EntityType>/g;
  for (let m = typeRe.exec(xml); m; m = typeRe.exec(xml)) {
    const name = attr(m[1]!, 'Name');
    if (!name) continue;
    const props: BcApiEntity['properties'] = [];
    const propRe = /<Property\b([^>]*?)\/?>/g;
    for (let p = propRe.exec(m[2]!); p; p = propRe.exec(m[2]!)) {
      const pn = attr(p[1]!, 'Name');
      const pt = attr(p[1]!, 'Type');
      if (!pn || !pt) continue;
      const len = attr(p[1]!, 'MaxLength');
      props.push({ name: pn, type: pt, ...(len && /^\d+$/.test(len) ? { maxLength: Number(len) } : {}) });
    }
    types.set(name, props);
  }
  const out: BcApiEntity[] = [];
  const setRe = /<EntitySet\b([^>]*?)\/?>/g;
  for (let m = setRe.exec(xml); m; m = setRe.exec(xml)) {
    const set = attr(m[1]!, 'Name');
    const type = attr(m[1]!, 'EntityType')?.replace(/^.*\./, '');
    if (!set || !type || !types.has(type)) continue;
    out.push({ entitySet: set, entityType: type, properties: types.get(type)! });
  }
  return out;
}

interface BcApiTable { entitySet: string; fields: Record<string, string> }

/**
 * Standard BC tables the integration maps, with the v2.0 API entity and the API property of each table field the
 * API exposes (the API renames fields: "No." → number, "Description" → displayName on items, …).
 */
export const BC_API_TABLES: Readonly<Record<number, BcApiTable>> = {
  3: { entitySet: 'paymentTerms', fields: { Code: 'code', Description: 'displayName' } },
  4: { entitySet: 'currencies', fields: { Code: 'code', Description: 'displayName', Symbol: 'symbol' } },
  10: { entitySet: 'shipmentMethods', fields: { Code: 'code', Description: 'displayName' } },
  13: { entitySet: 'salespeoplePurchasers', fields: { Code: 'code', Name: 'displayName', 'E-Mail': 'email', 'Phone No.': 'phoneNo' } },
  18: {
    entitySet: 'customers',
    fields: {
      'No.': 'number', Name: 'displayName', 'Phone No.': 'phoneNumber', 'E-Mail': 'email', 'Home Page': 'website', 'Salesperson Code': 'salespersonCode',
      'Currency Code': 'currencyCode', 'Credit Limit (LCY)': 'creditLimit', Blocked: 'blocked', Contact: 'contact', 'Fax No.': 'faxNumber',
      'Payment Terms Code': 'paymentTermsCode', 'Shipment Method Code': 'shipmentMethodCode', 'Shipping Agent Code': 'shippingAgentCode',
      'Primary Contact No.': 'primaryContactNumber',
    },
  },
  23: {
    entitySet: 'vendors',
    fields: {
      'No.': 'number', Name: 'displayName', 'Phone No.': 'phoneNumber', 'E-Mail': 'email', 'Home Page': 'website', 'Purchaser Code': 'purchaserCode',
      'Currency Code': 'currencyCode', Blocked: 'blocked', Contact: 'contact', 'Fax No.': 'faxNumber', 'Payment Terms Code': 'paymentTermsCode',
    },
  },
  27: {
    entitySet: 'items',
    fields: {
      'No.': 'number', Description: 'displayName', Blocked: 'blocked', 'Unit Price': 'unitPrice', 'Unit Cost': 'unitCost',
      'Base Unit of Measure': 'baseUnitOfMeasureCode', 'Vendor No.': 'vendorNumber', 'Vendor Item No.': 'vendorItemNumber',
      'Gross Weight': 'grossWeight', 'Unit Volume': 'unitVolume', Inventory: 'inventory',
    },
  },
  156: { entitySet: 'resources', fields: { 'No.': 'number', Name: 'name', Blocked: 'blocked', 'Unit Price': 'unitPrice', 'Unit Cost': 'unitCost' } },
};

/** The static BC catalogue with the lengths the connection's API reports for the fields it exposes. */
export function overlayBcTables(base: readonly BcTable[], api: readonly BcApiEntity[]): BcTable[] {
  const bySet = new Map(api.map((e) => [e.entitySet, new Map(e.properties.map((p) => [p.name, p]))]));
  return base.map((t) => {
    const map = BC_API_TABLES[t.id];
    const props = map && bySet.get(map.entitySet);
    if (!map || !props) return t;
    return {
      ...t,
      fields: t.fields.map((f): BcField => {
        const p = map.fields[f.name] ? props.get(map.fields[f.name]!) : undefined;
        // Only text-like fields have a meaningful length; an API length never shortens an Option or number field.
        return p?.maxLength !== undefined && (f.type === 'Code' || f.type === 'Text') ? { ...f, length: p.maxLength } : f;
      }),
    };
  });
}

// ---- refresh / load ------------------------------------------------------------------------------

async function profileOf(deps: MetadataDeps, profileId: string): Promise<{ kind: MetadataSide; company: string | null }> {
  const { profile } = await deps.connections.store.get(profileId);
  if (profile.kind === 'dataverse') return { kind: 'dataverse', company: null };
  if (profile.kind === 'bc-online' || profile.kind === 'bc-onprem') return { kind: 'bc', company: profile.company ?? null };
  throw new AppFailure('MAPPING_METADATA_WRONG_KIND', `"${profile.name}" is a ${profile.kind} connection; mapping metadata comes from a Dataverse or Business Central connection. Pick one of those.`, { name: profile.name });
}

function fetchFailure(x: unknown, what: string): never {
  if (x instanceof AppFailure) throw x;
  if (x instanceof FilterSyntaxError)
    throw new AppFailure('MAPPING_COUNT_UNSUPPORTED', `Cannot count: the filter is not valid (${x.message}). Fix the filter first.`, { reason: x.message });
  if (x instanceof ServiceError)
    throw new AppFailure('MAPPING_METADATA_FETCH_FAILED', `Could not read ${what}: ${x.serviceMessage} Check the connection (Connections → Test) and try again; validation keeps using the cached metadata.`, { reason: x.serviceMessage });
  throw x;
}

/**
 * Fetches the metadata for a profile and replaces its cache rows for that side. Dataverse: `entities` (default: every
 * entity of the static catalogue) — entities the org does not have are cached as absent. BC: every API entity set.
 */
export async function refreshCatalog(deps: MetadataDeps, profileId: string, entities?: readonly string[]): Promise<RefreshResult> {
  const { kind } = await profileOf(deps, profileId);
  const http = await deps.connections.httpClientFor(profileId);
  const fetchedAt = (deps.now?.() ?? new Date()).toISOString();
  const cache = new MetadataCache(deps.db);
  if (kind === 'dataverse') {
    const names = [...new Set(entities ?? DV_ENTITIES.map((e) => e.logicalName))].sort();
    const rows: { entity: string; json: string }[] = [];
    const missing: string[] = [];
    try {
      // Sequential on purpose: metadata reads are heavy for the service and a refresh is a rare, manual action.
      for (const n of names) {
        const e = await fetchDataverseEntity(http, n);
        if (!e) missing.push(n);
        rows.push({ entity: n, json: JSON.stringify(e ?? { absent: true, logicalName: n }) });
      }
    } catch (x) {
      fetchFailure(x, 'the Dataverse table definitions');
    }
    cache.replace(profileId, 'dataverse', rows, fetchedAt);
    deps.logger?.info(`Metadata catalog refreshed from Dataverse profile ${profileId}: ${rows.length - missing.length} table(s), ${missing.length} missing.`);
    return { side: 'dataverse', entities: names.filter((n) => !missing.includes(n)), missing, fetchedAt };
  }
  let api: BcApiEntity[];
  try {
    const r = await http.get<unknown>('$metadata', { headers: { Accept: 'application/xml' } });
    if (typeof r.body !== 'string') throw new AppFailure('MAPPING_METADATA_FETCH_FAILED', 'Business Central did not return a $metadata document. Check that the connection points at the API root (…/api/v2.0).', { reason: 'not xml' });
    api = parseCsdl(r.body);
  } catch (x) {
    fetchFailure(x, 'the Business Central API $metadata');
  }
  cache.replace(profileId, 'bc', api.map((e) => ({ entity: e.entitySet, json: JSON.stringify(e) })), fetchedAt);
  deps.logger?.info(`Metadata catalog refreshed from Business Central profile ${profileId}: ${api.length} API entity set(s).`);
  return { side: 'bc', entities: api.map((e) => e.entitySet), missing: [], fetchedAt };
}

export interface LoadedCatalog {
  catalog: MetadataCatalog;
  /** Newest fetch among the profile's rows; null when nothing is cached (then catalog = defaultCatalog). */
  fetchedAt: string | null;
  bcApi: BcApiEntity[];
  /** The lists behind `catalog`, for the pickers. */
  tables: readonly BcTable[];
  entities: readonly DvEntity[];
}

/** The profile's cached catalog (no network). Entities never fetched fall back to the static catalogue. */
export function loadCatalog(db: Db, profileId: string): LoadedCatalog {
  const rows = new MetadataCache(db).rows(profileId);
  if (!rows.length) return { catalog: defaultCatalog, fetchedAt: null, bcApi: [], tables: BC_TABLES, entities: DV_ENTITIES };
  const fetched = new Map<string, DvEntity | null>();
  const bcApi: BcApiEntity[] = [];
  let fetchedAt = '';
  for (const r of rows) {
    if (r.fetched_at > fetchedAt) fetchedAt = r.fetched_at;
    if (r.side === 'bc') bcApi.push(JSON.parse(r.json) as BcApiEntity);
    else {
      const e = JSON.parse(r.json) as DvCached;
      fetched.set(r.entity, e.absent ? null : e);
    }
  }
  const dv = [
    ...DV_ENTITIES.filter((e) => !fetched.has(e.logicalName)),
    ...[...fetched.values()].filter((e): e is DvEntity => e !== null),
  ];
  const tables = overlayBcTables(BC_TABLES, bcApi);
  return { catalog: createCatalog(tables, dv), fetchedAt, bcApi, tables, entities: dv };
}

export function catalogStatus(db: Db): CatalogStatus[] {
  return new MetadataCache(db).status();
}

// ---- count matching records ----------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class CountNotExpressibleError extends Error {}

/**
 * BC table filter → OData $filter on the table's v2.0 API entity. Throws CountNotExpressibleError when a table or
 * field is not exposed by the API, or a value cannot be written as the API property's literal.
 */
export function bcFilterToApiOData(tableId: number, filter: BcFilter, bcApi: readonly BcApiEntity[] = []): { entitySet: string; filter: string } {
  const map = BC_API_TABLES[tableId];
  const table = defaultCatalog.bcTable(tableId);
  if (!map || !table) throw new CountNotExpressibleError(`BC table ${tableId} has no standard API entity this console knows.`);
  const live = bcApi.find((e) => e.entitySet === map.entitySet);
  const parts = filter.conditions.map((c) => {
    const field = table.fields.find((f) => f.name.toLowerCase() === c.field.toLowerCase());
    const prop = field ? map.fields[field.name] : undefined;
    if (!field || !prop) throw new CountNotExpressibleError(`The API entity ${map.entitySet} does not expose "${c.field}".`);
    if (live && !live.properties.some((p) => p.name === prop)) throw new CountNotExpressibleError(`This Business Central's ${map.entitySet} API has no ${prop} property (for "${c.field}").`);
    const lit = (v: string): string => {
      switch (field.type) {
        case 'Boolean': {
          const b = /^(yes|true|1)$/i.test(v) ? 'true' : /^(no|false|0)$/i.test(v) ? 'false' : null;
          if (!b) throw new CountNotExpressibleError(`"${v}" is not Yes or No (${c.field}).`);
          return b;
        }
        case 'Integer': case 'BigInteger': case 'Decimal':
          if (!/^-?\d+(\.\d+)?$/.test(v)) throw new CountNotExpressibleError(`"${v}" is not a number (${c.field}).`);
          return v;
        case 'Option': {
          // The API exposes option members as enum names: spaces become _, the blank member is "_".
          const member = (field.options ?? []).find((o) => o.trim().toLowerCase() === v.trim().toLowerCase());
          if (member === undefined) throw new CountNotExpressibleError(`"${v}" is not an option of ${c.field}.`);
          return odataString(member.trim() === '' ? '_' : member.trim().replace(/[^A-Za-z0-9]+/g, '_'));
        }
        case 'Code': case 'Text':
          // BC filter values may hold wildcards or ranges only when unquoted; the structured filter keeps them literal.
          return odataString(field.type === 'Code' ? v.toUpperCase() : v);
        default:
          throw new CountNotExpressibleError(`${c.field} is a ${field.type} field, which the count does not translate.`);
      }
    };
    // eq/ne/in are shorthands of BC expressions: one translation (every literal through lit, which escapes it).
    try {
      return bcExpressionToOData(bcConditionExpression(c), prop, lit);
    } catch (x) {
      if (x instanceof BcODataError) throw new CountNotExpressibleError(`${c.field}: ${x.message}`);
      throw x;
    }
  });
  return { entitySet: map.entitySet, filter: parts.join(' and ') };
}

export interface CountResult {
  count: number;
  /** Dataverse caps @odata.count at 5,000: then the real number is at least `count`. */
  capped: boolean;
  /** The $filter sent (shown to the user so the number can be checked). */
  filter: string;
  entitySet: string;
}

/** Records matching a mapping's filter on one side, counted by the service ($count), never by paging rows. */
export async function countMatching(deps: MetadataDeps, profileId: string, side: MetadataSide, mapping: TableMapping): Promise<CountResult> {
  const { kind, company } = await profileOf(deps, profileId);
  if (kind !== side) {
    throw new AppFailure('MAPPING_COUNT_WRONG_CONNECTION', `Counting the ${side === 'bc' ? 'Business Central' : 'Dataverse'} filter needs a ${side === 'bc' ? 'Business Central' : 'Dataverse'} connection. Pick one in "Metadata from".`, { side });
  }
  const http = await deps.connections.httpClientFor(profileId);
  const { catalog, bcApi } = loadCatalog(deps.db, profileId);
  try {
    if (side === 'dataverse') {
      // The company clause needs the connection's bcbi_company id, which a count cannot know: count without it.
      const f: DvFilter = { ...mapping.integrationTableFilter, companyScoped: false };
      const filter = renderODataFilter(f, { kindOf: odataKinds(mapping.dataverseEntity, catalog) });
      const client = new DataverseClient({ http });
      const set = catalog.dvEntity(mapping.dataverseEntity)?.entitySetName ?? mapping.dataverseEntitySet;
      const pk = catalog.dvEntity(mapping.dataverseEntity)?.primaryId;
      for await (const page of client.retrieveMultiple(set, { ...(filter ? { filter } : {}), count: true, top: 1, ...(pk ? { select: [pk] } : {}) })) {
        const count = page.count ?? page.value.length;
        return { count, capped: count >= 5000, filter, entitySet: set };
      }
      return { count: 0, capped: false, filter, entitySet: set };
    }
    let q;
    try {
      q = bcFilterToApiOData(mapping.bcTableId, mapping.tableFilter, bcApi);
    } catch (x) {
      if (x instanceof CountNotExpressibleError)
        throw new AppFailure('MAPPING_COUNT_UNSUPPORTED', `Cannot count this filter on Business Central: ${x.message} Check the count in BC itself (filter the list page).`, { reason: x.message });
      throw x;
    }
    const bc = new BusinessCentralClient({ http });
    const companies = await bc.companies();
    const co = companies.find((c) => company !== null && (c.name === company || c.displayName === company)) ?? companies[0];
    if (!co || !GUID.test(co.id)) throw new AppFailure('MAPPING_COUNT_UNSUPPORTED', 'Cannot count on Business Central: the connection sees no company. Check the connection\'s company and permissions.', { reason: 'no company' });
    const qs = new URLSearchParams({ $count: 'true', $top: '1', $select: 'id' });
    if (q.filter) qs.set('$filter', q.filter);
    const r = await http.get<{ '@odata.count'?: number; value?: unknown[] }>(`companies(${co.id})/${q.entitySet}?${qs.toString().replace(/\+/g, '%20')}`);
    const count = r.body['@odata.count'];
    if (typeof count !== 'number') throw new AppFailure('MAPPING_COUNT_UNSUPPORTED', `Cannot count this filter on Business Central: ${q.entitySet} did not return a count. Check the count in BC itself.`, { reason: 'no @odata.count' });
    return { count, capped: false, filter: q.filter, entitySet: q.entitySet };
  } catch (x) {
    return fetchFailure(x, 'the matching record count');
  }
}
