/** Writing: body validation, @odata.bind, create/update/upsert/delete, single-property and $ref writes, CreateMultiple/UpdateMultiple/UpsertMultiple. */
import type { RowData, StoredRow } from '../store';
import type { AttributeMeta, EntityMeta } from '../metadata';
import { ENTITIES_BY_SET, defaultStatus, isLookup, resolveProperty } from '../metadata';
import { CODES, DvError, badRequest, notFound, segmentNotFound } from '../errors';
import { normalizeDateTime } from '../filter';
import type { Caller } from '../security';
import { requirePrivilege } from '../security';
import type { DvRequest, DvResponse, BatchCtx, Query, Prefer, DvContext, CreatePlan } from './shared';
import { GUID, JSON_HEADERS, json, methodNotAllowed, payloadError, etagMatches } from './shared';
import { present } from './read';
import { parseSelect, contextUrl, resolveKey, keyNotFound } from './query';
import type { ResolvedKey } from './query';
import { addedOptions } from './metadata';

export function clearType(data: RowData, attr: string, asPatch: boolean): void {
  if (asPatch) data[`${attr}@t`] = null;
  else delete data[`${attr}@t`];
}

export function badValue(e: EntityMeta, a: AttributeMeta, v: unknown, want: string): DvError {
  return payloadError(e, `Microsoft.OData.ODataException: Cannot convert the literal '${JSON.stringify(v)}' to the expected type '${want}' for property '${a.logicalName}'.`);
}

export function parseBody(core: DvContext, e: EntityMeta, body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  try {
    const v = JSON.parse(body) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the body must be a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw payloadError(e, `Microsoft.OData.ODataException: Invalid JSON. ${(err as Error).message}`);
  }
}

/** Resolve an `@odata.bind` / `@odata.id` reference to (entity, id). */
export function resolveRef(core: DvContext, ref: string, bctx?: BatchCtx): { e: EntityMeta; id: string } {
  let u = ref.trim().replace(/^https?:\/\/[^/]+/i, '').replace(/^\/?api\/data\/v9\.[0-2]\//i, '').replace(/^\//, '');
  const cm = /^\$(\d+)$/.exec(u);
  if (cm) {
    const t = bctx?.contentIds.get(cm[1]);
    if (!t) throw badRequest(`Content-ID Reference: '$${cm[1]}' does not exist in the batch context.`);
    u = t;
  }
  const m = /^([A-Za-z0-9_]+)\((.+)\)$/.exec(u);
  const te = m ? ENTITIES_BY_SET.get(m[1]) : undefined;
  if (!m || !te || !core.visible(te)) throw badRequest(`The entity reference '${ref}' could not be resolved. Use the form '/<entityset>(<id>)'.`, CODES.payloadError);
  const r = resolveKey(core, te, m[2]);
  if (!r.id || !core.store.exists(te.logicalName, r.id)) throw r.keyAttr ? keyNotFound(core, te, m[2], r) : notFound(te.logicalName, m[2].toLowerCase());
  return { e: te, id: r.id };
}

/**
 * Validate a request body and merge it into `data`. With `asPatch`, `data` starts empty and becomes a merge patch
 * for `DvStore.patch` (cleared lookups then carry an explicit null for their type marker so the patch removes it).
 */
export function applyBody(core: DvContext, e: EntityMeta, body: Record<string, unknown>, data: RowData, bctx?: BatchCtx, asPatch = false): void {
  let stateSet: number | undefined;
  let statusSet = false;
  const attrs = e.attributes;
  // for-in plus the attribute lookup first: this runs for every column of every row in bulk messages, and plain
  // column names (no '@') are by far the most common keys.
  for (const k in body) {
    const v = body[k];
    const a = attrs.get(k);
    if (a !== undefined) {
      if (a.readOnly || k === e.primaryIdAttribute) continue;
      if (isLookup(a)) {
        if (v === null) { data[k] = null; clearType(data, k, asPatch); continue; }
        throw payloadError(e, `Microsoft.OData.ODataException: A 'PrimitiveValue' node with non-null value was found when trying to read the value of the navigation property '${k}'; use '${a.navs?.[0]?.nav ?? k}@odata.bind' instead.`);
      }
      const value = validateValue(core, e, a, v);
      data[k] = value;
      if (k === 'statecode') stateSet = value as number;
      else if (k === 'statuscode') statusSet = true;
      continue;
    }
    if (k.startsWith('@odata.')) {
      if (k === '@odata.type' && typeof v === 'string' && v.replace(/^#/, '') !== `Microsoft.Dynamics.CRM.${e.logicalName}`) {
        throw payloadError(e, `Microsoft.OData.ODataException: A resource with type '${v}' was found, but it is not assignable to the expected type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
      }
      continue;
    }
    if (k.endsWith('@odata.bind')) {
      const nav = k.slice(0, -'@odata.bind'.length);
      const la = e.navToAttr.get(nav);
      if (!la) {
        throw payloadError(e, `Microsoft.OData.ODataException: An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`);
      }
      if (v === null) { data[la.logicalName] = null; clearType(data, la.logicalName, asPatch); continue; }
      if (typeof v !== 'string') throw payloadError(e, `The value of '${k}' must be a string entity reference like '/contacts(<id>)'.`);
      const ref = resolveRef(core, v, bctx);
      const navDef = la.navs?.find((n) => n.nav === nav);
      if (!navDef?.targets.includes(ref.e.logicalName)) {
        throw badRequest(`The navigation property '${nav}' of '${e.logicalName}' cannot reference a '${ref.e.logicalName}' record; allowed: ${navDef?.targets.join(', ')}.`, CODES.payloadError);
      }
      data[la.logicalName] = ref.id;
      if (la.targets?.length !== 1) data[`${la.logicalName}@t`] = ref.e.logicalName;
      continue;
    }
    if (k.includes('@')) continue; // instance annotations are ignored
    throw payloadError(e, `Microsoft.OData.ODataException: The property '${k}' does not exist on type 'Microsoft.Dynamics.CRM.${e.logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
  }
  if (stateSet !== undefined) {
    const ss = e.attributes.get('statuscode')?.options ?? [];
    const current = ss.find((o) => o.value === data.statuscode);
    if (!statusSet || current?.state !== stateSet) {
      if (statusSet && current) throw new DvError(400, '0x80040203', `${data.statuscode} is not a valid status code for state code ${e.logicalName}State.${stateSet} on ${e.logicalName}.`);
      data.statuscode = ss.find((o) => o.state === stateSet)?.value ?? null;
    }
  } else if (statusSet) {
    const st = e.attributes.get('statuscode')?.options?.find((o) => o.value === data.statuscode);
    if (st?.state !== undefined) data.statecode = st.state;
  }
  if (e.logicalName === 'contact' && ('firstname' in body || 'lastname' in body || 'middlename' in body)) {
    data.fullname = [data.firstname, data.middlename, data.lastname].filter((x) => typeof x === 'string' && x).join(' ') || null;
  }
}

export function validateValue(core: DvContext, e: EntityMeta, a: AttributeMeta, v: unknown): unknown {
  if (v === null) return null;
  // No per-call closures here: this runs once per column of every row in bulk creates.
  switch (a.type) {
    case 'String': case 'Memo':
      if (typeof v !== 'string') throw badValue(e, a, v, 'Edm.String');
      if (a.maxLength && v.length > a.maxLength) {
        throw new DvError(400, CODES.validation, `A validation error occurred. The length of the '${a.logicalName}' attribute of the '${e.logicalName}' entity exceeded the maximum allowed length of '${a.maxLength}'.`);
      }
      return v;
    case 'Integer': case 'BigInt':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw badValue(e, a, v, 'Edm.Int32');
      return v;
    case 'Decimal': case 'Money':
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
      if (typeof v !== 'number') throw badValue(e, a, v, 'Edm.Decimal');
      return v;
    case 'Boolean':
      if (typeof v !== 'boolean') throw badValue(e, a, v, 'Edm.Boolean');
      return v;
    case 'DateTime': {
      const d = typeof v === 'string' ? normalizeDateTime(v) : null;
      if (!d) throw badValue(e, a, v, 'Edm.DateTimeOffset');
      return d;
    }
    case 'Uniqueidentifier':
      if (typeof v !== 'string' || !GUID.test(v)) throw badValue(e, a, v, 'Edm.Guid');
      return v.toLowerCase();
    case 'Picklist': case 'State': case 'Status':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw badValue(e, a, v, 'Edm.Int32');
      if (!a.options?.some((o) => o.value === v) && !addedOptions(core, e.logicalName, a.logicalName).some((o) => o.value === v)) {
        throw new DvError(400, '0x8004431a', `A validation error occurred. The value ${v} of '${a.logicalName}' on record of type '${e.logicalName}' is outside the valid range. Accepted Values: ${a.options?.map((o) => o.value).join(',')}`);
      }
      return v;
    default:
      return v;
  }
}

export function createPlan(core: DvContext, e: EntityMeta): CreatePlan {
  let p = core.plans.get(e.logicalName);
  if (!p) {
    p = {
      status: defaultStatus(e), owned: e.attributes.has('ownerid'),
      defaultCurrency: e.attributes.has('transactioncurrencyid') && e.attributes.has('exchangerate') && e.logicalName !== 'transactioncurrency',
    };
    core.plans.set(e.logicalName, p);
  }
  return p;
}

/** Create one row (validation, server-maintained columns, insert). Returns the new id. */
/** `validated`: the body already run through applyBody in patch mode (UpsertMultiple), so it is not validated twice. */
export function createRow(core: DvContext, e: EntityMeta, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx, forcedId?: string, keyAttr?: AttributeMeta, keyValue?: unknown, validated?: RowData): StoredRow {
  const row = newRow(core, e, body, caller, bctx, forcedId, keyAttr, keyValue, validated);
  if (!core.store.insert(e.logicalName, row.id, row.version, row.data)) throw new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
  if (e.logicalName === 'systemuser' || e.logicalName === 'role') core.securityEpoch++;
  return row;
}

/** Everything createRow does except the INSERT (CreateMultiple inserts a whole request at once). */
export function newRow(core: DvContext, e: EntityMeta, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx, forcedId?: string, keyAttr?: AttributeMeta, keyValue?: unknown, validated?: RowData): StoredRow {
  const idRaw = forcedId ?? body[e.primaryIdAttribute];
  let id: string;
  if (idRaw === undefined || idRaw === null) id = core.newId();
  else if (typeof idRaw === 'string' && GUID.test(idRaw)) id = idRaw.toLowerCase();
  else throw payloadError(e, `Microsoft.OData.ODataException: Cannot convert the literal '${String(idRaw)}' to the expected type 'Edm.Guid'.`);
  const now = core.now();
  const plan = createPlan(core, e);
  const data: RowData = {};
  if (plan.status) { data.statecode = plan.status.statecode; data.statuscode = plan.status.statuscode; }
  if (keyAttr) data[keyAttr.logicalName] = keyValue;
  if (validated) {
    for (const k in validated) {
      // A patch clears lookup type markers with null; a new row simply has none.
      if (validated[k] !== null || !k.endsWith('@t')) data[k] = validated[k];
    }
  } else applyBody(core, e, body, data, bctx);
  data[e.primaryIdAttribute] = id;
  data.createdon = now; data.modifiedon = now;
  data.createdby = caller.systemuserid;
  data.modifiedby = caller.systemuserid;
  if (plan.owned) {
    if (!data.ownerid) { data.ownerid = caller.systemuserid; data['ownerid@t'] = 'systemuser'; }
    data.owningbusinessunit = caller.businessunitid;
  }
  if (plan.defaultCurrency && !data.transactioncurrencyid) {
    core.baseCurrency ??= { id: core.organization().data.basecurrencyid as string };
    if (core.baseCurrency.id) data.transactioncurrencyid = core.baseCurrency.id;
  }
  if (e.logicalName === 'transactioncurrency' && data.isocurrencycode) {
    const dup = core.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'transactioncurrency' AND json_extract(data,'$.isocurrencycode') = ? COLLATE NOCASE LIMIT 1`, [data.isocurrencycode]);
    if (dup.length) throw new DvError(400, '0x80048cf3', `Duplicate currency record: a currency with ISO code '${String(data.isocurrencycode)}' already exists.`);
  }
  const version = core.store.reserveVersion();
  data.versionnumber = version;
  return { id, version, data };
}

export function updateRow(core: DvContext, e: EntityMeta, row: StoredRow, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx): StoredRow {
  const data = { ...row.data };
  applyBody(core, e, body, data, bctx);
  data.modifiedon = core.now();
  data.modifiedby = caller.systemuserid;
  const version = core.store.reserveVersion();
  data.versionnumber = version;
  core.store.update(e.logicalName, row.id, version, data);
  if (e.logicalName === 'systemuser' || e.logicalName === 'role') core.securityEpoch++;
  if (e.logicalName === 'organization') core.baseCurrency = undefined;
  return { id: row.id, version, data };
}

/**
 * Bulk update without reading the row: the changes (applyBody in patch mode) go to SQLite as a merge patch. Only for
 * bodies whose result does not depend on the stored row (see `patchable`). Returns false when the row does not exist.
 */
export function patchRow(core: DvContext, e: EntityMeta, id: string, changes: RowData, caller: Caller): boolean {
  changes.modifiedon = core.now();
  changes.modifiedby = caller.systemuserid;
  const version = core.store.reserveVersion();
  changes.versionnumber = version;
  return core.store.patch(e.logicalName, id, version, changes);
}

export function changesOf(core: DvContext, e: EntityMeta, body: Record<string, unknown>): RowData {
  const changes: RowData = {};
  applyBody(core, e, body, changes, undefined, true);
  return changes;
}

/**
 * Whether `patchRow` gives the same row as `updateRow`: not for tables whose writes have side effects on security
 * or the cached base currency, and not when a contact's name parts change (fullname is derived from the stored
 * parts). statecode/statuscode are fine: the derived code depends only on the body.
 */
export function patchable(core: DvContext, e: EntityMeta, body: Record<string, unknown>): boolean {
  if (e.logicalName === 'systemuser' || e.logicalName === 'role' || e.logicalName === 'organization') return false;
  return e.logicalName !== 'contact' || !('firstname' in body || 'lastname' in body || 'middlename' in body);
}

export function entityPath(core: DvContext, e: EntityMeta, id: string): string {
  return `${e.entitySetName}(${id})`;
}

export function writeResponse(core: DvContext, e: EntityMeta, row: StoredRow, created: boolean, prefer: Prefer, query: Query): DvResponse {
  const path = entityPath(core, e, row.id);
  const full = `${core.opts.apiBase}/${path}`;
  if (prefer.returnRepresentation) {
    const select = parseSelect(core, e, query.params.get('$select'));
    const body = { '@odata.context': contextUrl(core, e, select, '/$entity'), ...present(core, e, row, select, prefer.annotations) };
    return { ...json(created ? 201 : 200, body, { ETag: `W/"${row.version}"`, 'Preference-Applied': 'return=representation', Location: full }), entityPath: path };
  }
  return { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': full, Location: full }, entityPath: path };
}

export function createRequest(core: DvContext, e: EntityMeta, req: DvRequest, query: Query, prefer: Prefer, caller: Caller, bctx?: BatchCtx): DvResponse {
  requirePrivilege(caller, 'Create', e);
  const body = parseBody(core, e, req.body);
  const row = createRow(core, e, body, caller, bctx);
  return writeResponse(core, e, row, true, prefer, query);
}

export function patch(core: DvContext, e: EntityMeta, key: string, req: DvRequest, query: Query, prefer: Prefer, caller: Caller, bctx?: BatchCtx): DvResponse {
  const r = resolveKey(core, e, key);
  const existing = r.id ? core.store.get(e.logicalName, r.id) : undefined;
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  const body = parseBody(core, e, req.body);
  if (existing) {
    if (ifNoneMatch === '*') throw new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
    if (ifMatch && ifMatch !== '*' && !etagMatches(ifMatch, existing.version)) {
      throw new DvError(412, CODES.concurrencyMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
    }
    requirePrivilege(caller, 'Write', e);
    const row = updateRow(core, e, existing, body, caller, bctx);
    return writeResponse(core, e, row, false, prefer, query);
  }
  if (ifMatch) throw keyNotFound(core, e, key, r);
  // Upsert: PATCH on a missing row creates it with the addressed key.
  requirePrivilege(caller, 'Create', e);
  const row = createRow(core, e, body, caller, bctx, r.keyAttr ? undefined : r.id, r.keyAttr, r.keyValue);
  return writeResponse(core, e, row, true, prefer, query);
}

export function deleteRequest(core: DvContext, e: EntityMeta, key: string, req: DvRequest, caller: Caller): DvResponse {
  requirePrivilege(caller, 'Delete', e);
  const r = resolveKey(core, e, key);
  const existing = r.id ? core.store.get(e.logicalName, r.id) : undefined;
  if (!existing) throw keyNotFound(core, e, key, r);
  const ifMatch = req.headers['if-match'];
  if (ifMatch && ifMatch !== '*' && !etagMatches(ifMatch, existing.version)) {
    throw new DvError(412, CODES.concurrencyMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
  }
  if (e.logicalName === 'organization' || (e.logicalName === 'systemuser')) {
    throw new DvError(405, CODES.notSupported, `The ${e.logicalName} entity cannot be deleted.`);
  }
  core.store.delete(e.logicalName, existing.id);
  if (e.logicalName === 'role') core.securityEpoch++;
  return { status: 204, headers: { 'OData-Version': '4.0' } };
}

export function singleProperty(core: DvContext, e: EntityMeta, key: string, prop: string, method: string, req: DvRequest, caller: Caller): DvResponse {
  const a = resolveProperty(e, prop);
  if (!a) throw segmentNotFound(prop);
  const r = resolveKey(core, e, key);
  const existing = r.id ? core.store.get(e.logicalName, r.id) : undefined;
  if (!existing) throw keyNotFound(core, e, key, r);
  if (method === 'GET') {
    requirePrivilege(caller, 'Read', e);
    const v = existing.data[a.logicalName] ?? null;
    if (v === null) return { status: 204, headers: { 'OData-Version': '4.0' } };
    return json(200, { '@odata.context': `${core.opts.apiBase}/$metadata#${e.entitySetName}(${existing.id})/${prop}`, value: v });
  }
  requirePrivilege(caller, 'Write', e);
  if (method === 'PUT') {
    const b = parseBody(core, e, req.body);
    if (!('value' in b)) throw payloadError(e, 'A single-property PUT needs a body like {"value": <new value>}.');
    updateRow(core, e, existing, { [a.logicalName]: b.value }, caller);
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  if (method === 'DELETE') {
    updateRow(core, e, existing, { [a.logicalName]: null }, caller);
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  throw methodNotAllowed(method, prop);
}

export function singleRef(core: DvContext, e: EntityMeta, key: string, nav: string, method: string, req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse {
  if (!e.navToAttr.has(nav)) throw segmentNotFound(nav);
  const r = resolveKey(core, e, key);
  const existing = r.id ? core.store.get(e.logicalName, r.id) : undefined;
  if (!existing) throw keyNotFound(core, e, key, r);
  requirePrivilege(caller, 'Write', e);
  if (method === 'PUT') {
    const b = parseBody(core, e, req.body);
    if (typeof b['@odata.id'] !== 'string') throw payloadError(e, 'The body of a $ref PUT must be {"@odata.id": "<entityset>(<id>)"}.');
    updateRow(core, e, existing, { [`${nav}@odata.bind`]: b['@odata.id'] }, caller, bctx);
  } else if (method === 'DELETE') {
    updateRow(core, e, existing, { [`${nav}@odata.bind`]: null }, caller, bctx);
  } else throw methodNotAllowed(method, `${nav}/$ref`);
  return { status: 204, headers: { 'OData-Version': '4.0' } };
}

export function bulk(core: DvContext, e: EntityMeta, op: 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple', req: DvRequest, caller: Caller): DvResponse {
  const body = parseBody(core, e, req.body);
  const targets = body.Targets;
  if (!Array.isArray(targets)) throw badRequest(`${op} requires a "Targets" array of ${e.logicalName} records.`, CODES.payloadError);
  for (const t of targets) {
    if (!t || typeof t !== 'object' || typeof (t as Record<string, unknown>)['@odata.type'] !== 'string') {
      throw badRequest(`Every item in Targets must carry "@odata.type": "Microsoft.Dynamics.CRM.${e.logicalName}".`, CODES.payloadError);
    }
  }
  const ctx = `${core.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.${op}Response`;
  if (op === 'CreateMultiple') {
    requirePrivilege(caller, 'Create', e);
    const ids = core.store.transaction(() => {
      // A currency's duplicate-ISO-code check reads the rows created before it, so currencies go one by one.
      if (e.logicalName === 'transactioncurrency') return (targets as Record<string, unknown>[]).map((t) => createRow(core, e, t, caller).id);
      const rows = (targets as Record<string, unknown>[]).map((t) => newRow(core, e, t, caller));
      if (!core.store.insertMany(e.logicalName, rows)) throw new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
      if (e.logicalName === 'systemuser' || e.logicalName === 'role') core.securityEpoch++;
      return rows.map((r) => r.id);
    });
    return json(200, { '@odata.context': ctx, Ids: ids });
  }
  if (op === 'UpdateMultiple') {
    requirePrivilege(caller, 'Write', e);
    core.store.transaction(() => {
      for (const t of targets as Record<string, unknown>[]) {
        const id = t[e.primaryIdAttribute];
        if (typeof id !== 'string' || !GUID.test(id)) throw badRequest(`Every UpdateMultiple target needs its primary key '${e.primaryIdAttribute}'.`, CODES.payloadError);
        const key = id.toLowerCase();
        if (patchable(core, e, t)) {
          let found: boolean;
          try {
            found = patchRow(core, e, key, changesOf(core, e, t), caller);
          } catch (err) {
            // A missing row is reported as 404 before anything is said about its body (as the read-first path does).
            if (err instanceof DvError && !core.store.exists(e.logicalName, key)) throw notFound(e.logicalName, id);
            throw err;
          }
          if (!found) throw notFound(e.logicalName, id);
          continue;
        }
        const row = core.store.get(e.logicalName, key);
        if (!row) throw notFound(e.logicalName, id);
        updateRow(core, e, row, t, caller);
      }
    });
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  requirePrivilege(caller, 'Write', e);
  requirePrivilege(caller, 'Create', e);
  // Results are serialised per row: the type prefix and key name are the same for every row of the request.
  const head = `{"RecordCreated":`;
  const mid = `,"Target":{"@odata.type":${JSON.stringify(`#Microsoft.Dynamics.CRM.${e.logicalName}`)},${JSON.stringify(e.primaryIdAttribute)}:"`;
  const upsertResult = (created: boolean, id: string) => `${head}${created}${mid}${id}"}}`;
  const duplicate = () => new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
  const results = core.store.transaction(() => {
    // New rows wait here and go to SQLite in multi-row INSERTs. Whatever could look for them first (the same id
    // again, an alternate-key lookup, the read-modify-write path) flushes them.
    const pending = new Map<string, StoredRow>();
    // Targets addressed by their primary id: which exist is asked once for the whole request, so a new row (every
    // row of an initial sync) skips the UPDATE that would otherwise serve as its existence check. Rows created
    // below join the set (a repeated id in the same request then updates).
    const byPrimary = (targets as Record<string, unknown>[]).flatMap((t) => {
      const id = t[e.primaryIdAttribute];
      return typeof t['@odata.id'] !== 'string' && typeof id === 'string' && GUID.test(id) ? [id.toLowerCase()] : [];
    });
    const known = core.store.existingIds(e.logicalName, byPrimary);
    const flush = () => {
      if (pending.size === 0) return;
      if (!core.store.insertMany(e.logicalName, [...pending.values()])) throw duplicate();
      pending.clear();
    };
    const out = (targets as Record<string, unknown>[]).map((t) => {
      let r: ResolvedKey;
      const odataId = t['@odata.id'];
      if (typeof odataId === 'string') {
        const m = /\(([^)]*)\)$/.exec(odataId);
        if (!m) throw badRequest(`Invalid @odata.id '${odataId}'.`, CODES.payloadError);
        flush();
        r = resolveKey(core, e, m[1]);
      } else {
        const id = t[e.primaryIdAttribute];
        r = { id: typeof id === 'string' ? id.toLowerCase() : undefined };
      }
      // applyBody skips '@odata.*' keys, so the target (with its @odata.id) is passed on as is.
      // The UPDATE doubles as the existence check; a new row is created from the same validated changes.
      if (r.id && GUID.test(r.id) && patchable(core, e, t)) {
        if (pending.has(r.id)) flush();
        const changes = changesOf(core, e, t);
        const mayExist = typeof odataId === 'string' || known.has(r.id);
        if (mayExist && patchRow(core, e, r.id, changes, caller)) return upsertResult(false, r.id);
        // Currencies check their ISO code against stored rows, so they cannot wait.
        if (r.keyAttr || e.logicalName === 'transactioncurrency') {
          const id = createRow(core, e, t, caller, undefined, r.keyAttr ? undefined : r.id, r.keyAttr, r.keyValue, changes).id;
          known.add(id);
          return upsertResult(true, id);
        }
        const row = newRow(core, e, t, caller, undefined, r.id, undefined, undefined, changes);
        pending.set(row.id, row);
        known.add(row.id);
        return upsertResult(true, row.id);
      }
      flush();
      const existing = r.id ? core.store.get(e.logicalName, r.id) : undefined;
      const row = existing ? updateRow(core, e, existing, t, caller) : createRow(core, e, t, caller, undefined, r.keyAttr ? undefined : r.id, r.keyAttr, r.keyValue);
      known.add(row.id);
      return upsertResult(!existing, row.id);
    });
    flush();
    return out;
  });
  return { status: 200, headers: { ...JSON_HEADERS }, body: `{"@odata.context":${JSON.stringify(ctx)},"Results":[${results.join(',')}]}` };
}
