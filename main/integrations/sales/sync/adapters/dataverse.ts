/**
 * SidePort over the Dataverse Web API (DataverseClient).
 *
 * Reads: `modifiedon gt <watermark>` ordered by (modifiedon, primary id) at the maximum page size (5,000), cut into
 * the engine's pages; the mapping's Integration Table Filter and the echo filter (`_modifiedby_value ne <integration
 * user>`) are pushed down, every literal escaped by renderODataFilter / odataLiteral.
 * Writes: inserts go out as UpsertMultiple on the primary id the engine chose (and stored as a pending coupling
 * before the request), so a retried or resumed create updates the row the first attempt made instead of adding a
 * second one; updates as UpdateMultiple (never resurrects a deleted row); deletes one by one. Chunks of ≤ 1,000
 * targets run in parallel under an AdaptiveLimiter (AIMD, pauses every worker for Retry-After). A bulk message is
 * all-or-nothing, so a chunk that fails for a non-transient reason is bisected until the bad rows are isolated and
 * every other row still gets written.
 *
 * Stamps: the bulk messages do not return modifiedon; reading every row back would triple the request count. The
 * result stamp is the server time when the answer arrived (local clock + the skew measured in now()), an upper
 * bound of the row's real modifiedon. A user edit of the same row during that request's round trip could
 * therefore look "already synced" — documented in main/integrations/sales/sync/adapters/README.md.
 */
import type { DataverseClient, Row as DvRow } from '../../../../clients/dataverse';
import { AdaptiveLimiter, DATAVERSE_MAX_CONCURRENCY } from '../../../../clients/concurrency';
import { chunk } from '../../../../clients/odata';
import { isServiceError } from '../../../../http/errors';
import { odataGuid, odataLiteral } from '../../../../http/odata';
import type { BcFilter, DvFilter } from '../../../../../preload/contract/sales/mapping-model';
import { renderODataFilter } from '../../mappings/filters';
import type { MatchCondition, QueryModified, Row, SidePort, WriteOp, WriteResult } from '../ports';
import { SideError } from '../ports';
import { errorText, isTransient, parseTime, retryTransient, serverDate, slices } from './common';
import { DV_CONFIG_TEMPLATES, dvEntity, type DvEntity } from './entities';
import type { OptionValue } from '../engine/options';
import { systemClock, type Clock } from '../../../../ports';

export interface DataverseSideOptions {
  client: DataverseClient;
  /** Shared limiter (one per user: the service counts per user). Default: new AdaptiveLimiter(initial 8, max 52). */
  limiter?: AdaptiveLimiter;
  /** Targets per bulk request (1..1000, default 1000). */
  bulkSize?: number;
  /** Current company's bcbi_company id, for company-scoped Integration Table Filters. */
  companyId?: string;
  /** Attribute kinds for filter rendering (lookups → _x_value). */
  lookupAttributes?: ReadonlySet<string>;
  /** This machine's clock (write stamps = local time + measured server skew). Default: the system clock. */
  clock?: Clock;
}

export const DV_MAX_PAGE = 5000;
/** Ids per `In(…)` query (~45 URL characters each; the engine asks for ≤ 400 at a time: ID_CHUNK). */
const IDS_PER_QUERY = 200;
/** "Error identified in Payload provided by the user": a column that does not exist on the table. */
const PAYLOAD_SCHEMA_ERROR = '0x80048d19';

export class DataverseSide implements SidePort {
  readonly side = 'dataverse' as const;
  readonly limiter: AdaptiveLimiter;
  private readonly client: DataverseClient;
  private readonly bulkSize: number;
  private skewMs = 0;
  private readonly clock: Clock;
  /** Counters for benchmarks and logs. */
  readonly stats = { bulkRequests: 0, bisections: 0, reads: 0 };

  constructor(private readonly o: DataverseSideOptions) {
    this.client = o.client;
    this.limiter = o.limiter ?? new AdaptiveLimiter({ initial: 8, max: DATAVERSE_MAX_CONCURRENCY });
    this.bulkSize = o.bulkSize ?? 1000;
    this.clock = o.clock ?? systemClock;
    if (!(Number.isInteger(this.bulkSize) && this.bulkSize >= 1 && this.bulkSize <= 1000)) throw new Error(`bulkSize must be 1..1000; got ${this.bulkSize}.`);
  }

  /**
   * The Integration Table Filter as $filter text. Lookups of the entity (entities.ts) are named `_x_value`; a
   * polymorphic lookup's companion type (`parentcustomeridtype eq 'account'`, which BC keeps as a column but the Web
   * API has no attribute for) cannot be pushed down: those conditions are returned in `local` and checked on the rows
   * read (with the lookuplogicalname annotation asked for).
   */
  private filterParts(filter: BcFilter | DvFilter, e?: DvEntity): { text: string | null; local: DvFilter['conditions'] } {
    const f = filter as DvFilter;
    if (!Array.isArray(f.conditions)) return { text: null, local: [] };
    const typeAttrs = e?.lookups ? typeAttrsOf(e.lookups) : null;
    const local = typeAttrs ? f.conditions.filter((c) => typeAttrs.has(c.attribute)) : [];
    const kinds = this.o.lookupAttributes ?? (e?.lookups ? new Set(Object.keys(e.lookups)) : undefined);
    const text = renderODataFilter(local.length ? { ...f, conditions: f.conditions.filter((c) => !local.includes(c)) } : f, {
      ...(this.o.companyId !== undefined ? { companyId: this.o.companyId } : {}),
      ...(kinds ? { kindOf: (a: string) => (kinds.has(a) ? 'lookup' as const : 'other' as const) } : {}),
    });
    return { text: text === '' ? null : text, local };
  }
  private filterText(filter: BcFilter | DvFilter, e?: DvEntity): string | null {
    return this.filterParts(filter, e).text;
  }

  private toRow(e: DvEntity, r: DvRow): Row {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k.includes('@')) {
        // Polymorphic lookups: the target's logical name (when annotations were asked for) fills the companion
        // type value (owneridtype …) the engine compares and writes.
        const typed = k.endsWith(LOOKUP_TYPE_ANNOTATION) ? e.lookups?.[k.slice(1, -LOOKUP_TYPE_ANNOTATION.length - '_value'.length)] : undefined;
        if (typed?.typeAttr) values[typed.typeAttr] = v;
        continue;
      }
      const lookup = /^_(.+)_value$/.exec(k);
      values[lookup ? lookup[1]! : k] = v;
    }
    const id = String(r[e.primaryId] ?? '').toLowerCase();
    return { id, modifiedOn: parseTime(r.modifiedon), modifiedBy: typeof r._modifiedby_value === 'string' ? r._modifiedby_value.toLowerCase() : null, values };
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(fn);
    } catch (err) {
      throw new SideError(`Dataverse ${what} failed: ${errorText(err)}`, isTransient(err));
    }
  }

  async *queryModified(entity: string, q: QueryModified): AsyncIterable<Row[]> {
    const e = dvEntity(entity);
    const parts: string[] = [];
    if (q.since !== null) parts.push(`modifiedon gt ${odataLiteral(new Date(q.since))}`);
    if (q.excludeModifiedBy) parts.push(`_modifiedby_value ne ${odataGuid(q.excludeModifiedBy)}`);
    const { text: pushed, local } = this.filterParts(q.filter, e);
    if (pushed) parts.push(`(${pushed})`);
    const pages = this.client.retrieveMultiple(e.set, {
      ...(parts.length ? { filter: parts.join(' and ') } : {}), orderby: ['modifiedon asc', `${e.primaryId} asc`], maxPageSize: DV_MAX_PAGE,
      ...(local.length ? { annotations: true } : {}),
    });
    const it = pages[Symbol.asyncIterator]();
    for (;;) {
      // Not through the limiter: a generator that threw is finished, so a limiter retry would silently end the
      // selection early. HttpClient already retries GETs on 429/503 and network errors; what still fails here
      // ends the pass, and the next run resumes from the unchanged watermark.
      let next: IteratorResult<{ value: DvRow[] }>;
      try {
        next = await it.next();
      } catch (err) {
        throw new SideError(`Dataverse reading ${e.set} failed: ${errorText(err)}`, isTransient(err));
      }
      this.stats.reads++;
      if (next.done) return;
      let rows = next.value.value.map((r) => this.toRow(e, r));
      if (local.length) rows = rows.filter((r) => matchesLocal(r, local));
      for (const s of slices(rows, q.pageSize)) yield s;
    }
  }

  /**
   * Rows by primary key: one query per ≤ 200 ids, `$filter=Microsoft.Dynamics.CRM.In(PropertyName='<primary id>',
   * PropertyValues=[…])`, answered from the primary-key index. One request counts once against the service-
   * protection limits; the $batch of GET-by-key requests used before counted every inner GET (api-limits.md), so a
   * 1 %-change run over a million rows (~12,000 reads) ran into the 6,000 requests / 300 s limit and waited for
   * minutes. 200 ids keep the URL at ~9 KB: Dataverse takes 32 KB, but Node's HTTP server (the sandbox) refuses
   * request headers over 16 KB with 431, and 400 ids (~18 KB) hit that. Missing ids are simply not in the answer.
   */
  private async byIds(e: DvEntity, ids: readonly string[], select?: string[]): Promise<Row[]> {
    const groups = chunk([...new Set(ids.map((i) => i.toLowerCase()))], IDS_PER_QUERY);
    const pages = await Promise.all(groups.map((g) => this.guard(`reading ${e.set} by id`, async () => {
      const values = g.map((id) => odataLiteral(odataGuid(id))).join(',');
      const filter = `Microsoft.Dynamics.CRM.In(PropertyName=${odataLiteral(e.primaryId)},PropertyValues=[${values}])`;
      this.stats.reads++;
      const rows = await this.client.retrieveAll(e.set, { filter, ...(select ? { select } : {}) });
      return rows.map((r) => this.toRow(e, r));
    })));
    return pages.flat();
  }

  async getByIds(entity: string, ids: readonly string[]): Promise<Row[]> {
    if (ids.length === 0) return [];
    return this.byIds(dvEntity(entity), ids);
  }

  async exists(entity: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const e = dvEntity(entity);
    const rows = await this.byIds(e, ids, [e.primaryId]);
    const found = new Set(rows.map((r) => r.id));
    // Answer in the caller's spelling of the id.
    return new Set(ids.filter((i) => found.has(i.toLowerCase())));
  }

  async findMatches(entity: string, conditions: readonly MatchCondition[], filter: BcFilter | DvFilter, limit: number): Promise<Row[]> {
    const e = dvEntity(entity);
    // Field names go into $filter as they are: only plain attribute names (the mapping model's rule) are accepted.
    const badField = conditions.find((c) => !ATTRIBUTE_NAME.test(c.field));
    if (badField) throw new SideError(`Cannot match on "${badField.field.slice(0, 60)}": it is not an attribute name.`, false);
    // A lookup holds an id: a value that is not a GUID (a BC code) can match nothing.
    if (conditions.some((c) => e.lookups?.[c.field] && c.value !== null && c.value !== '' && !GUID.test(String(c.value)))) return [];
    const parts = conditions.map((c) => e.lookups?.[c.field]
      ? `_${c.field}_value eq ${c.value === null || c.value === '' ? 'null' : odataGuid(String(c.value))}`
      : `${c.field} eq ${odataLiteral(c.value as string | number | boolean | null)}`);
    const { text: pushed, local } = this.filterParts(filter, e);
    if (pushed) parts.push(`(${pushed})`);
    return this.guard(`matching ${e.set}`, async () => {
      const out: Row[] = [];
      const q = { ...(parts.length ? { filter: parts.join(' and ') } : {}), top: limit, ...(local.length ? { annotations: true } : {}) };
      for await (const p of this.client.retrieveMultiple(e.set, q)) {
        for (const r of p.value) {
          const row = this.toRow(e, r);
          if (!local.length || matchesLocal(row, local)) out.push(row);
        }
      }
      // Dataverse compares text case-insensitively; a case-sensitive condition is re-checked here.
      return out.filter((r) => conditions.every((c) => !c.caseSensitive || r.values[c.field] === c.value)).slice(0, limit);
    });
  }

  async hasChangesSince(entity: string, filter: BcFilter | DvFilter, since: number | null): Promise<boolean> {
    const e = dvEntity(entity);
    const parts: string[] = [];
    if (since !== null) parts.push(`modifiedon gt ${odataLiteral(new Date(since))}`);
    const pushed = this.filterText(filter, e);
    if (pushed) parts.push(`(${pushed})`);
    return this.guard(`probing ${e.set}`, async () => {
      for await (const p of this.client.retrieveMultiple(e.set, { select: [e.primaryId], top: 1, ...(parts.length ? { filter: parts.join(' and ') } : {}) })) {
        return p.value.length > 0;
      }
      return false;
    });
  }

  /** Server clock from the Date header of WhoAmI (floored to the second: safe as a watermark cap). */
  async now(): Promise<number> {
    const r = await this.guard('reading the server time', () => this.client.http.request({ path: 'WhoAmI', headers: { Accept: 'application/json' } }));
    const t = serverDate(r.headers);
    if (t === null) return this.clock.now() + this.skewMs;
    // The Date header has second precision: the true server time is in [t, t + 1 s). Write stamps must be an upper
    // bound of the row's modifiedon, so the skew only ever corrects for a server clock AHEAD of ours; a slow answer
    // (local time well past t) must not pull stamps down, or our own writes would later look like user edits.
    const local = this.clock.now();
    if (t > local) this.skewMs = Math.max(this.skewMs, t - local);
    return t;
  }

  async write(entity: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    const e = dvEntity(entity);
    const results: WriteResult[] = new Array<WriteResult>(ops.length);
    const upserts: { i: number; target: DvRow }[] = [];
    const updates: { i: number; target: DvRow }[] = [];
    const deletes: number[] = [];
    ops.forEach((op, i) => {
      if (op.kind === 'insert') {
        if (op.id === null) {
          results[i] = { ok: false, error: `Dataverse inserts need the record id chosen by the engine (got none for key ${op.idempotencyKey}); this is a bug in the caller.` };
          return;
        }
        const wire = toWire(e, op.values);
        if (typeof wire === 'string') results[i] = { ok: false, error: wire };
        // The mapping's Integration Table Config Template fills what the field mappings do not (C.3: BCICUSTOME sets
        // customertypecode = Customer, without which the new account falls outside the CUSTOMER integration filter).
        else upserts.push({ i, target: { ...(op.template ? DV_CONFIG_TEMPLATES[op.template] : undefined), ...wire, [e.primaryId]: op.id.toLowerCase() } });
      } else if (op.kind === 'update') {
        const wire = toWire(e, op.values);
        if (typeof wire === 'string') results[i] = { ok: false, error: wire };
        else updates.push({ i, target: { ...wire, [e.primaryId]: op.id.toLowerCase() } });
      } else deletes.push(i);
    });
    const jobs: Promise<void>[] = [];
    for (const part of chunk(upserts, this.bulkSize)) jobs.push(this.bulk(e, 'UpsertMultiple', part, results));
    for (const part of chunk(updates, this.bulkSize)) jobs.push(this.bulk(e, 'UpdateMultiple', part, results));
    for (const i of deletes) {
      const op = ops[i] as Extract<WriteOp, { kind: 'delete' }>;
      jobs.push(this.limiter.run(() => this.client.delete(e.set, op.id, op.etag ? { ifMatch: op.etag } : {})).then(
        () => void (results[i] = { ok: true, id: op.id, modifiedOn: this.stamp() }),
        (err: unknown) => void (results[i] = isServiceError(err) && err.status === 404
          ? { ok: true, id: op.id, modifiedOn: this.stamp() }
          : { ok: false, error: errorText(err), transient: isTransient(err) }),
      ));
    }
    await Promise.all(jobs);
    return results;
  }

  // ---- Option sets (engine/options.ts OptionSetPort): E.13 option mappings read and extend a local option set.

  async listOptions(entity: string, attribute: string): Promise<OptionValue[]> {
    const def = await this.guard(`reading the ${entity}.${attribute} option set`, () => this.client.entityDefinitions(entity, [attribute]));
    const a = def.attributes?.find((x) => x.logicalName === attribute);
    if (!a?.options) throw new SideError(`Dataverse ${entity}.${attribute} is not an option set (type ${a?.attributeType ?? 'unknown'}). Check the option mapping's Integration Table UID field.`, false);
    return a.options.map((o) => ({ value: o.value, label: o.label }));
  }
  async insertOption(entity: string, attribute: string, label: string): Promise<number> {
    const r = await this.guard(`adding "${label}" to ${entity}.${attribute}`, () => this.client.http.request<{ NewOptionValue?: number }>({
      method: 'POST', path: 'InsertOptionValue', headers: { Accept: 'application/json' },
      json: { EntityLogicalName: entity, AttributeLogicalName: attribute, Label: optionLabel(label) },
    }));
    if (typeof r.body?.NewOptionValue !== 'number') throw new SideError(`Dataverse did not return the new option value for "${label}" in ${entity}.${attribute}.`, false);
    return r.body.NewOptionValue;
  }
  async updateOptionLabel(entity: string, attribute: string, value: number, label: string): Promise<void> {
    await this.guard(`relabelling option ${value} of ${entity}.${attribute}`, () => this.client.http.request({
      method: 'POST', path: 'UpdateOptionValue', headers: { Accept: 'application/json' },
      json: { EntityLogicalName: entity, AttributeLogicalName: attribute, Value: value, Label: optionLabel(label), MergeLabels: true },
    }));
  }

  private stamp(): number {
    return this.clock.now() + this.skewMs;
  }

  private async bulk(e: DvEntity, op: 'UpsertMultiple' | 'UpdateMultiple', part: { i: number; target: DvRow }[], results: WriteResult[]): Promise<void> {
    if (part.length === 0) return;
    try {
      await retryTransient(() => this.limiter.run<unknown>(() => {
        this.stats.bulkRequests++;
        const rows = part.map((p) => p.target);
        const opts = { chunkSize: rows.length, mode: 'auto' as const, idAttribute: e.primaryId };
        return op === 'UpsertMultiple' ? this.client.upsertMultiple(e.set, e.logicalName, rows, opts) : this.client.updateMultiple(e.set, e.logicalName, rows, opts);
      }));
      const t = this.stamp();
      for (const p of part) results[p.i] = { ok: true, id: String(p.target[e.primaryId]), modifiedOn: t };
    } catch (err) {
      // A payload that does not fit the table's schema (unknown column) fails every row alike: no point bisecting.
      if (isTransient(err) || part.length === 1 || (isServiceError(err) && err.code === PAYLOAD_SCHEMA_ERROR)) {
        const error = part.length === 1 ? errorText(err) : `${op} of ${part.length} ${e.set} rows failed: ${errorText(err)}`;
        for (const p of part) results[p.i] = { ok: false, error, transient: isTransient(err) };
        return;
      }
      // One bad row fails the whole message: split to find it and still write the rest.
      this.stats.bisections++;
      const mid = part.length >> 1;
      await Promise.all([this.bulk(e, op, part.slice(0, mid), results), this.bulk(e, op, part.slice(mid), results)]);
    }
  }
}

const LOOKUP_TYPE_ANNOTATION = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const optionLabel = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });

/** Conditions that could not be pushed down (polymorphic lookup types), checked on a row as read. */
function matchesLocal(r: Row, conditions: DvFilter['conditions']): boolean {
  return conditions.every((c) => {
    const v = r.values[c.attribute] ?? null;
    if (c.op === 'eq') return v === c.values[0];
    if (c.op === 'ne') return v !== c.values[0];
    if (c.op === 'in') return c.values.includes(v as never);
    return true;
  });
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

// Per entity's lookup table, computed once: toWire runs for every written row (100,000s per initial sync).
const typeAttrCache = new WeakMap<object, Set<string> | null>();
function typeAttrsOf(lookups: NonNullable<DvEntity['lookups']>): Set<string> | null {
  let t = typeAttrCache.get(lookups);
  if (t === undefined) {
    t = null;
    for (const l of Object.values(lookups)) if (l.typeAttr) (t ??= new Set()).add(l.typeAttr);
    typeAttrCache.set(lookups, t);
  }
  return t;
}

/**
 * Engine values → Web API body: lookups (plain GUIDs under the attribute name, see DvLookup in entities.ts) become
 * `<nav>@odata.bind: "/<set>(<id>)"`, empty ones `<nav>@odata.bind: null` (clears it); companion type values are
 * consumed. Returns the body, or a message when a lookup value cannot be sent (the op fails, the rest goes on).
 */
export function toWire(e: DvEntity, values: Record<string, unknown>): Record<string, unknown> | string {
  const lookups = e.lookups;
  if (!lookups) return values;
  const typeAttrs = typeAttrsOf(lookups);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeAttrs?.has(k)) continue;
    const l = lookups[k];
    if (!l) {
      out[k] = v;
      continue;
    }
    let target: { set: string; nav?: string } | undefined;
    if (l.targets) {
      const type = values[l.typeAttr ?? ''];
      const names = Object.keys(l.targets);
      // Without a type the first target is meant (owner: a user, as BC's owneridtype constant says).
      target = l.targets[type === undefined || type === null || type === '' ? names[0]! : String(type).toLowerCase()];
      if (!target) return `${e.logicalName}.${k}: "${String(type)}" is not a valid ${l.typeAttr}; use one of ${names.join(', ')}.`;
    } else target = { set: l.set ?? k, ...(l.nav ? { nav: l.nav } : {}) };
    const nav = `${target.nav ?? l.nav ?? k}@odata.bind`;
    if (v === null || v === undefined || v === '') {
      out[nav] = null;
      continue;
    }
    if (typeof v !== 'string' || !GUID.test(v)) {
      return `${e.logicalName}.${k} must be the id (GUID) of a ${target.set} record, but the value is "${String(v).slice(0, 60)}". ` +
        'A field mapping onto a Dataverse lookup needs a rule that translates the Business Central value (see main/integrations/sales/sync/rules).';
    }
    out[nav] = `/${target.set}(${v.toLowerCase()})`;
  }
  return out;
}
