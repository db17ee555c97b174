/**
 * Security roles and privileges of the Dataverse sandbox, plus service-protection limits. Roles grant
 * privileges per entity and operation; a missing one yields the platform's PrivilegeDenied error text.
 */
import { createHash } from 'node:crypto';
import { ROLE_IDS } from '../directory';
import { CODES, DvError } from './errors';
import type { EntityMeta } from './metadata';
import { ENTITIES } from './metadata';

export type Op = 'Create' | 'Read' | 'Write' | 'Delete';
const ALL_OPS: Op[] = ['Create', 'Read', 'Write', 'Delete'];

/** Stable GUID from a name (v5-style layout) so privilege/role ids never change between runs. */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update(`d365ic-sandbox:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const SCHEMA: Record<string, string> = {
  account: 'Account', contact: 'Contact', systemuser: 'User', team: 'Team', businessunit: 'BusinessUnit',
  transactioncurrency: 'TransactionCurrency', uomschedule: 'UoMSchedule', uom: 'UoM', product: 'Product', pricelevel: 'PriceLevel',
  productpricelevel: 'ProductPriceLevel', opportunity: 'Opportunity', invoice: 'Invoice', invoicedetail: 'InvoiceDetail',
  salesorder: 'SalesOrder', salesorderdetail: 'SalesOrderDetail', quote: 'Quote', role: 'Role', solution: 'Solution',
  organization: 'Organization', annotation: 'Note',
};
/** Privilege name like the platform's: prvCreateAccount, prvReadnav_connection. */
export function privilegeName(op: Op, e: EntityMeta): string {
  return `prv${op}${SCHEMA[e.logicalName] ?? e.logicalName}`;
}

export interface RoleDef { roleid: string; name: string; roletemplateid?: string; solution?: 'nav'; grants: (e: EntityMeta, op: Op) => boolean }

const SALES_TABLES = new Set(['account', 'contact', 'opportunity', 'quote', 'salesorder', 'salesorderdetail', 'invoice', 'invoicedetail', 'annotation']);
const REFERENCE_TABLES = new Set(['systemuser', 'team', 'businessunit', 'transactioncurrency', 'uom', 'uomschedule', 'product', 'pricelevel', 'productpricelevel', 'role', 'solution', 'organization']);
const INTEGRATION_WRITES = new Set([...SALES_TABLES, 'transactioncurrency', 'uom', 'uomschedule', 'product', 'pricelevel', 'productpricelevel',
  'nav_connection', 'nav_defaultconnection', 'nav_accountstatistics', 'bcbi_company']);

export const ROLE_DEFS: RoleDef[] = [
  { roleid: nameGuid('role:System Administrator'), name: 'System Administrator', roletemplateid: ROLE_IDS.systemAdministratorTemplate, grants: () => true },
  {
    roleid: nameGuid('role:Basic User'), name: 'Basic User',
    grants: (e, op) => (op === 'Read' && REFERENCE_TABLES.has(e.logicalName)) || e.logicalName === 'annotation',
  },
  {
    roleid: nameGuid('role:Salesperson'), name: 'Salesperson',
    grants: (e, op) => SALES_TABLES.has(e.logicalName) || (op === 'Read' && (REFERENCE_TABLES.has(e.logicalName) || e.solution === 'nav')),
  },
  {
    roleid: ROLE_IDS.bcIntegrationAdministrator, name: 'Dynamics 365 Business Central Integration Administrator', solution: 'nav',
    grants: (e, op) => INTEGRATION_WRITES.has(e.logicalName) || (op === 'Read' && REFERENCE_TABLES.has(e.logicalName))
      || (op === 'Write' && e.logicalName === 'organization'),
  },
  {
    roleid: ROLE_IDS.bcIntegrationUser, name: 'Dynamics 365 Business Central Integration User', solution: 'nav',
    grants: (e, op) => (e.logicalName === 'nav_connection' && op === 'Read') || e.logicalName === 'nav_defaultconnection'
      || (op === 'Read' && (e.logicalName === 'nav_accountstatistics' || REFERENCE_TABLES.has(e.logicalName) || SALES_TABLES.has(e.logicalName))),
  },
];
export const ROLE_BY_ID = new Map(ROLE_DEFS.map((r) => [r.roleid, r]));
export const ROLE_BY_NAME = new Map(ROLE_DEFS.map((r) => [r.name, r]));

export interface Caller {
  systemuserid: string;
  businessunitid: string;
  roleIds: string[];
  privileges: Set<string>;
  isAdmin: boolean;
  /** 0 = read-write (interactive), 4 = non-interactive (application user). */
  accessMode: number;
}

/** Effective privileges of a set of roles: "Op:logicalname" keys. */
export function privilegesOf(roleIds: string[]): Set<string> {
  const out = new Set<string>();
  for (const rid of roleIds) {
    const r = ROLE_BY_ID.get(rid);
    if (!r) continue;
    for (const e of ENTITIES.values()) for (const op of ALL_OPS) if (r.grants(e, op)) out.add(`${op}:${e.logicalName}`);
  }
  return out;
}

export function requirePrivilege(c: Caller, op: Op, e: EntityMeta): void {
  if (c.privileges.has(`${op}:${e.logicalName}`)) return;
  const prv = privilegeName(op, e);
  throw new DvError(403, CODES.privilegeDenied,
    `Principal user (Id=${c.systemuserid}, type=8, roleCount=${c.roleIds.length}, privilegeCount=${c.privileges.size}, accessMode=${c.accessMode}), ` +
    `is missing ${prv} privilege (Id=${nameGuid(`privilege:${prv}`)}) on OTC=${e.objectTypeCode} for entity '${e.logicalName}'. ` +
    `context.Caller=${c.systemuserid}. Consider assigning a role with the required privilege to the user or team.`);
}

export interface Limits { requestsPerWindow: number; windowSeconds: number; concurrent: number; executionMsPerWindow: number }
export const DEFAULT_LIMITS: Limits = { requestsPerWindow: 6000, windowSeconds: 300, concurrent: 52, executionMsPerWindow: 1_200_000 };

interface UserWindow { times: number[]; head: number; exec: { t: number; ms: number }[]; execHead: number; execSum: number; inFlight: number }

/**
 * Per-user sliding-window limits (the platform counts per user per web server; the sandbox is one server).
 * Arrays with a moving head avoid O(n) shifts at 6,000 entries.
 */
export class ServiceProtection {
  private users = new Map<string, UserWindow>();
  constructor(public limits: Limits, private clock: () => number) {}

  private win(user: string): UserWindow {
    let w = this.users.get(user);
    if (!w) { w = { times: [], head: 0, exec: [], execHead: 0, execSum: 0, inFlight: 0 }; this.users.set(user, w); }
    return w;
  }

  /** Admit one request or throw the 429. Returns a `done(executionMs)` callback. */
  admit(user: string): (executionMs: number) => void {
    const now = this.clock();
    const w = this.win(user);
    const windowMs = this.limits.windowSeconds * 1000;
    while (w.head < w.times.length && w.times[w.head] <= now - windowMs) w.head++;
    while (w.execHead < w.exec.length && w.exec[w.execHead].t <= now - windowMs) { w.execSum -= w.exec[w.execHead].ms; w.execHead++; }
    if (w.head > 4096) { w.times = w.times.slice(w.head); w.head = 0; }
    if (w.execHead > 4096) { w.exec = w.exec.slice(w.execHead); w.execHead = 0; }
    if (w.inFlight >= this.limits.concurrent) {
      throw new DvError(429, CODES.throttleConcurrency, `Number of concurrent requests exceeded the limit of ${this.limits.concurrent}.`, { 'Retry-After': '1' });
    }
    if (w.times.length - w.head >= this.limits.requestsPerWindow) {
      const retry = Math.max(1, Math.ceil((w.times[w.head] + windowMs - now) / 1000));
      throw new DvError(429, CODES.throttleRequests,
        `Number of requests exceeded the limit of ${this.limits.requestsPerWindow} over time window of ${this.limits.windowSeconds} seconds.`, { 'Retry-After': String(retry) });
    }
    if (w.execSum >= this.limits.executionMsPerWindow) {
      const retry = Math.max(1, Math.ceil((w.exec[w.execHead].t + windowMs - now) / 1000));
      throw new DvError(429, CODES.throttleExecution,
        `Combined execution time of incoming requests exceeded limit of ${this.limits.executionMsPerWindow} milliseconds over time window of ${this.limits.windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
        { 'Retry-After': String(retry) });
    }
    w.times.push(now);
    w.inFlight++;
    let finished = false;
    return (ms: number) => {
      if (finished) return;
      finished = true;
      w.inFlight--;
      w.exec.push({ t: this.clock(), ms });
      w.execSum += ms;
    };
  }

  /** Charge `n` extra requests to the window (the inner operations of a $batch each count). */
  charge(user: string, n: number): void {
    if (n <= 0) return;
    const w = this.win(user);
    const now = this.clock();
    for (let i = 0; i < n; i++) w.times.push(now);
  }

  reset(): void {
    this.users.clear();
  }
}
