/** Request/response types, the handler context and the small helpers every Dataverse handler module shares. */
import type { DvStore, StoredRow } from '../store';
import type { EntityMeta } from '../metadata';
import type { defaultStatus } from '../metadata';
import { CODES, DvError, badRequest } from '../errors';
import type { Caller } from '../security';
import type { InnerResponse } from '../batch';

export interface DvRequest { method: string; url: string; headers: Record<string, string>; body: string }

export interface DvResponse extends InnerResponse {
  entityPath?: string;
  /** For $batch: how many inner operations ran (each counts against service protection limits). */
  innerCount?: number;
}

export interface BatchCtx { contentIds: Map<string, string> }

export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const MAX_PAGE = 5000;

export const NAV_SOLUTION = 'MicrosoftDynamicsNavIntegration';

export const SERVER_VERSION = '9.2.24111.00000';

export interface Segment { name: string; key?: string }

export interface Query { params: Map<string, string>; raw: string[] }

export const JSON_HEADERS = { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' };

export interface CoreOptions { url: string; apiBase: string; clock: () => number; organizationId: string }

export interface Prefer {
  returnRepresentation: boolean; annotations: boolean; maxPageSize?: number; trackChanges: boolean;
  applied(tracking?: boolean): Record<string, string>;
}

export function parsePrefer(h: string | undefined): Prefer {
  const p = (h ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let maxPageSize: number | undefined;
  let annotationsRaw: string | undefined;
  for (const x of p) {
    const m = /^odata\.maxpagesize=(\d+)$/i.exec(x);
    if (m) maxPageSize = Math.min(MAX_PAGE, Math.max(1, Number(m[1])));
    if (/^odata\.include-annotations=/i.test(x)) annotationsRaw = x.slice(x.indexOf('=') + 1);
  }
  const returnRepresentation = p.some((x) => /^return=representation$/i.test(x));
  const trackChanges = p.some((x) => /^odata\.track-changes$/i.test(x));
  return {
    returnRepresentation, trackChanges, maxPageSize, annotations: annotationsRaw !== undefined,
    applied(tracking = false): Record<string, string> {
      const a: string[] = [];
      if (maxPageSize !== undefined) a.push(`odata.maxpagesize=${maxPageSize}`);
      if (annotationsRaw !== undefined) a.push(`odata.include-annotations=${annotationsRaw}`);
      if (tracking) a.push('odata.track-changes');
      const out: Record<string, string> = {};
      if (a.length) out['Preference-Applied'] = a.join(',');
      return out;
    },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): DvResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(err: DvError): DvResponse {
  return { status: err.status, headers: { ...JSON_HEADERS, ...err.headers }, body: JSON.stringify(err.body()) };
}

export const methodNotAllowed = (method: string, what: string) =>
  new DvError(405, CODES.notSupported, `The HTTP method '${method}' is not supported on '${what}'.`);

export function payloadError(e: EntityMeta, inner: string): DvError {
  return new DvError(400, CODES.payloadError,
    `Error identified in Payload provided by the user for Entity :'${e.entitySetName}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : ${inner}`);
}

export function etagMatches(header: string, version: number): boolean {
  return header.split(',').map((s) => s.trim()).some((t) => t === '*' || t.replace(/^W\//, '').replace(/"/g, '') === String(version));
}

export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`The URL contains an invalid percent-encoding: '${s.slice(0, 80)}'.`, CODES.queryNotSupported);
  }
}

/** Split a resource path on '/' but not inside parentheses or quotes (alternate keys may contain '/'). */
export function splitPath(path: string): Segment[] {
  const segs: Segment[] = [];
  for (const raw of splitTopLevel(path, '/')) {
    if (!raw) continue;
    const m = /^([^()]+)\((.*)\)$/.exec(raw);
    if (m && !/^(WhoAmI|RetrieveVersion)$/.test(m[1])) segs.push({ name: m[1], key: m[2] === '' ? undefined : m[2] });
    else segs.push({ name: m && m[2] === '' ? m[1] : raw });
  }
  return segs;
}

export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inQ = false;
  let cur = '';
  for (const c of s) {
    if (c === "'") inQ = !inQ;
    else if (!inQ && c === '(') depth++;
    else if (!inQ && c === ')') depth--;
    if (c === sep && depth === 0 && !inQ) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

export function rejectUnknownOptions(q: Query, allowed: string[]): void {
  for (const k of q.params.keys()) {
    if (k.startsWith('$') && !allowed.includes(k)) {
      throw new DvError(400, CODES.queryNotSupported, `The query parameter ${k} is not supported`);
    }
  }
}

export function metaId(s: string): string {
  let h = 0x811c9dc5;
  const parts: string[] = [];
  for (let k = 0; k < 4; k++) {
    for (const ch of `${k}:${s}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const x = parts.join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

/** What a per-table create plan derives from metadata alone (computed once per table instead of once per row). */
export interface CreatePlan { status: ReturnType<typeof defaultStatus>; owned: boolean; defaultCurrency: boolean }

/**
 * The engine state the handler modules work on (implemented by `DataverseCore`): the store, the options, the
 * per-instance caches and the dispatcher (for $batch parts).
 */
export interface DvContext {
  readonly store: DvStore;
  readonly opts: CoreOptions;
  /** Bumped on writes that affect who a token maps to or what they may do. */
  securityEpoch: number;
  /** Delta tokens below this version are treated as expired. */
  minDeltaVersion: number;
  baseCurrency: { id: string } | undefined;
  plans: Map<string, CreatePlan>;
  optionEdits: Map<string, { value: number; label: string }[]>;
  visible(e: EntityMeta): boolean;
  now(): string;
  newId(): string;
  organization(): StoredRow;
  rootBusinessUnit(): string;
  handle(req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse;
}

