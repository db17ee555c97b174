/**
 * The Dataverse Web API v9.2 request engine, independent of the socket: `handle()` takes one request (from
 * HTTP or from a $batch part) plus the calling systemuser and returns one response, synchronously. Being
 * synchronous is what makes change sets atomic: nothing else runs between BEGIN and COMMIT.
 *
 * This class holds the per-instance state and the route table; the handlers live in ./handlers/ (query parsing,
 * read, write incl. bulk messages, $batch, metadata and option values, security endpoints, solutions), each a
 * function of the engine state (`DvContext`).
 */
import { randomUUID } from 'node:crypto';
import type { DvStore, RowData, StoredRow } from './store';
import type { AttributeMeta, EntityMeta } from './metadata';
import { ENTITIES, ENTITIES_BY_SET, buildCsdl } from './metadata';
import { CODES, DvError, badRequest, segmentNotFound } from './errors';
import type { Caller } from './security';
import type { BatchCtx, CoreOptions, CreatePlan, DvContext, DvRequest, DvResponse } from './handlers/shared';
import { NAV_SOLUTION, SERVER_VERSION, parsePrefer, json, errorResponse, methodNotAllowed, splitPath } from './handlers/shared';
import { splitUrl } from './handlers/query';
import type { ExpandItem } from './handlers/query';
import { present, retrieve, countRequest, retrieveMultiple } from './handlers/read';
import { resolveRef, applyBody, createRow, updateRow, createRequest, patch, deleteRequest, singleProperty, singleRef, bulk } from './handlers/write';
import { userRoles, retrieveUserPrivileges, userRoleRows } from './handlers/security';
import { batch } from './handlers/batch';
import { entityDefinitions, addedOptions, optionValueAction } from './handlers/metadata';
import { importSolutionAction, importNavSolution } from './handlers/solutions';

export class DataverseCore implements DvContext {
  /** Bumped on writes that affect who a token maps to or what they may do. */
  securityEpoch = 0;
  /** Delta tokens below this version are treated as expired (knob "expire all change tracking tokens"). */
  minDeltaVersion = 0;
  /** The organization's base currency, cached for new rows (cleared when the organization row changes). */
  baseCurrency: { id: string } | undefined;
  /** What createRow derives from metadata alone, computed once per table instead of once per row. */
  plans = new Map<string, CreatePlan>();
  /**
   * Option values added or relabelled through InsertOptionValue / UpdateOptionValue, per `entity.attribute`. Kept in
   * dv_meta (the metadata tables are shared by every sandbox in the process), so they survive a restart like rows do.
   */
  optionEdits = new Map<string, { value: number; label: string }[]>();
  private idClock = { ms: 0, seq: 0 };
  private nowCache = { second: NaN, text: '' };

  constructor(readonly store: DvStore, readonly opts: CoreOptions) {
    this.minDeltaVersion = Number(store.getMeta('ct.minVersion') ?? '0');
  }

  get solutionImported(): boolean {
    return this.store.getMeta(`solution:${NAV_SOLUTION}`) !== undefined;
  }

  expireChangeTokens(): void {
    // Burn one version: every token issued so far is below it, every token issued later is at or above it.
    this.minDeltaVersion = this.store.reserveVersion();
    this.store.setMeta('ct.minVersion', String(this.minDeltaVersion));
  }

  visible(e: EntityMeta): boolean {
    return e.solution !== 'nav' || this.solutionImported;
  }

  /**
   * Server-assigned ids are sequential like the GUIDs Dataverse assigns (UUIDv7 layout: 48-bit milliseconds, a
   * 12-bit counter, then 62 random bits), so new rows append to the (entity, id) index instead of landing at random
   * places in it, which halves the index cost of bulk creates. Monotonic even when the clock stands still or steps back.
   */
  newId(): string {
    const c = this.idClock;
    const now = Math.floor(this.opts.clock());
    if (now > c.ms) { c.ms = now; c.seq = 0; } else if (++c.seq > 0xfff) { c.ms++; c.seq = 0; }
    const t = c.ms.toString(16).padStart(12, '0');
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${c.seq.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
  }

  /** Current time at Dataverse's second precision; cached per second because bulk creates call it per row. */
  now(): string {
    const second = Math.floor(this.opts.clock() / 1000);
    if (second !== this.nowCache.second) this.nowCache = { second, text: new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    return this.nowCache.text;
  }

  organization(): StoredRow {
    const org = this.store.get('organization', this.opts.organizationId);
    if (!org) throw new DvError(500, CODES.unexpected, 'The organization record is missing from the sandbox database. Restart the sandbox with seed "demo".');
    return org;
  }

  handle(req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse {
    try {
      return this.route(req, caller, bctx);
    } catch (err) {
      if (err instanceof DvError) return errorResponse(err);
      const msg = err instanceof Error ? err.message : String(err);
      return errorResponse(new DvError(500, CODES.unexpected, `An unexpected error occurred: ${msg}`));
    }
  }

  private route(req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse {
    const { path, query } = splitUrl(this, req.url, bctx);
    const segs = splitPath(path);
    const method = req.method.toUpperCase();
    if (segs.length === 0) return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata`, value: [...ENTITIES.values()].filter((e) => this.visible(e)).map((e) => ({ name: e.entitySetName, kind: 'EntitySet', url: e.entitySetName })) });
    const first = segs[0];
    if (first.name === '$metadata' && segs.length === 1) {
      return { status: 200, headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' }, body: buildCsdl((e) => this.visible(e)) };
    }
    if (first.name === '$batch' && segs.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method, '$batch');
      if (bctx) throw badRequest('Nested $batch requests are not supported.');
      return batch(this, req, caller);
    }
    if ((first.name === 'WhoAmI' || first.name === 'WhoAmI()') && segs.length === 1) {
      return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: caller.businessunitid, UserId: caller.systemuserid, OrganizationId: this.opts.organizationId });
    }
    if ((first.name === 'RetrieveVersion' || first.name === 'RetrieveVersion()') && segs.length === 1) {
      return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse`, Version: SERVER_VERSION });
    }
    if (first.name === 'ImportSolution' && segs.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method, 'ImportSolution');
      return importSolutionAction(this, req, caller);
    }
    if (first.name === 'EntityDefinitions') return entityDefinitions(this, segs, query);
    if ((first.name === 'InsertOptionValue' || first.name === 'UpdateOptionValue') && segs.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method, first.name);
      return optionValueAction(this, first.name, req, caller);
    }

    if (first.name === 'systemuserrolescollection' && segs.length === 1 && first.key === undefined && method === 'GET') return userRoleRows(this, query, caller);
    const e = ENTITIES_BY_SET.get(first.name);
    if (!e || !this.visible(e)) throw segmentNotFound(first.key !== undefined ? `${first.name}(${first.key})` : first.name);
    const prefer = parsePrefer(req.headers['prefer']);

    if (first.key === undefined) {
      if (segs.length === 1) {
        if (method === 'GET') return retrieveMultiple(this, e, query, prefer, caller);
        if (method === 'POST') return createRequest(this, e, req, query, prefer, caller, bctx);
        throw methodNotAllowed(method, e.entitySetName);
      }
      const op = segs[1].name;
      if (op === '$count' && segs.length === 2 && method === 'GET') return countRequest(this, e, query, caller);
      if (segs.length === 2 && method === 'POST' && /^(Microsoft\.Dynamics\.CRM\.)?(CreateMultiple|UpdateMultiple|UpsertMultiple)$/.test(op)) {
        return bulk(this, e, op.replace('Microsoft.Dynamics.CRM.', '') as 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple', req, caller);
      }
      throw segmentNotFound(op);
    }

    const key = first.key;
    if (segs.length === 1) {
      if (method === 'GET') return retrieve(this, e, key, query, prefer, caller, req.headers);
      if (method === 'PATCH') return patch(this, e, key, req, query, prefer, caller, bctx);
      if (method === 'DELETE') return deleteRequest(this, e, key, req, caller);
      throw methodNotAllowed(method, `${e.entitySetName}(${key})`);
    }
    const prop = segs[1];
    if (e.logicalName === 'systemuser' && /^(Microsoft\.Dynamics\.CRM\.)?RetrieveUserPrivileges(\(\))?$/.test(prop.name) && method === 'GET' && segs.length === 2) {
      return retrieveUserPrivileges(this, key, caller);
    }
    if (e.logicalName === 'systemuser' && prop.name === 'systemuserroles_association') return userRoles(this, key, prop, segs, method, req, query, caller, bctx);
    if (segs.length === 3 && segs[2].name === '$ref') return singleRef(this, e, key, prop.name, method, req, caller, bctx);
    if (segs.length === 2) return singleProperty(this, e, key, prop.name, method, req, caller);
    throw segmentNotFound(segs[2].name);
  }

  present(e: EntityMeta, row: StoredRow, select: AttributeMeta[] | null, annotations: boolean, expand: ExpandItem[] = []): Record<string, unknown> {
    return present(this, e, row, select, annotations, expand);
  }

  /** Resolve an `@odata.bind` / `@odata.id` reference to (entity, id). */
  resolveRef(ref: string, bctx?: BatchCtx): { e: EntityMeta; id: string } {
    return resolveRef(this, ref, bctx);
  }

  /**
   * Validate a request body and merge it into `data`. With `asPatch`, `data` starts empty and becomes a merge patch
   * for `DvStore.patch` (cleared lookups then carry an explicit null for their type marker so the patch removes it).
   */
  applyBody(e: EntityMeta, body: Record<string, unknown>, data: RowData, bctx?: BatchCtx, asPatch = false): void {
    return applyBody(this, e, body, data, bctx, asPatch);
  }

  /** Create one row (validation, server-maintained columns, insert). Returns the new id. */
  /** `validated`: the body already run through applyBody in patch mode (UpsertMultiple), so it is not validated twice. */
  createRow(e: EntityMeta, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx, forcedId?: string, keyAttr?: AttributeMeta, keyValue?: unknown, validated?: RowData): StoredRow {
    return createRow(this, e, body, caller, bctx, forcedId, keyAttr, keyValue, validated);
  }

  updateRow(e: EntityMeta, row: StoredRow, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx): StoredRow {
    return updateRow(this, e, row, body, caller, bctx);
  }

  addedOptions(entity: string, attribute: string): { value: number; label: string }[] {
    return addedOptions(this, entity, attribute);
  }

  /** Make the BC integration solution exist: solution row, nav_* tables, the two BC roles and a nav_connection. */
  importNavSolution(caller: Caller, version: string): void {
    return importNavSolution(this, caller, version);
  }

  rootBusinessUnit(): string {
    return this.store.getMeta('rootbusinessunit') ?? '';
  }
}
