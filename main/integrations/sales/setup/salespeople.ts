/**
 * Salesperson ⇄ Dataverse user suggestions: exact e-mail first (case-insensitive), then a normalised full name.
 * One user is suggested for at most one salesperson; ambiguous name matches are not suggested at all, because a
 * wrong owner is worse than an un-coupled one (the sync then tells the user what is missing).
 */
import type { Suggestion } from '../../../../preload/contract/sales/setup';
import { AppFailure } from '../../../rpc/errors';
import type { SetupContext } from './context';
import { msg } from './messages';

/** BC table 13 "Salesperson/Purchaser": the SALESPEOPLE mapping's couplings live under this table id (E.1). */
export const SALESPERSON_TABLE_ID = 13;

export interface SalespersonLike { id: string; name: string; email: string | null; coupledTo: string | null }
export interface UserLike { id: string; fullName: string; email: string | null; disabled: boolean; coupledTo: string | null }

export function normaliseName(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean).sort().join(' ');
}

export function suggestCouplings(bc: readonly SalespersonLike[], users: readonly UserLike[]): Suggestion[] {
  const free = users.filter((u) => !u.disabled && !u.coupledTo);
  const taken = new Set<string>();
  const out: Suggestion[] = [];
  const pending = bc.filter((s) => !s.coupledTo);
  const byEmail = new Map<string, UserLike[]>();
  for (const u of free) if (u.email) byEmail.set(u.email.trim().toLowerCase(), [...(byEmail.get(u.email.trim().toLowerCase()) ?? []), u]);
  const rest: SalespersonLike[] = [];
  for (const s of pending) {
    const hits = s.email ? (byEmail.get(s.email.trim().toLowerCase()) ?? []).filter((u) => !taken.has(u.id)) : [];
    if (hits.length === 1) {
      taken.add(hits[0]!.id);
      out.push({ bcId: s.id, dvId: hits[0]!.id, by: 'email', confidence: 1 });
    } else rest.push(s);
  }
  const byName = new Map<string, UserLike[]>();
  for (const u of free) {
    if (taken.has(u.id)) continue;
    const k = normaliseName(u.fullName);
    if (k) byName.set(k, [...(byName.get(k) ?? []), u]);
  }
  const nameCount = new Map<string, number>();
  for (const s of rest) nameCount.set(normaliseName(s.name), (nameCount.get(normaliseName(s.name)) ?? 0) + 1);
  for (const s of rest) {
    const k = normaliseName(s.name);
    const hits = byName.get(k) ?? [];
    if (!k || hits.length !== 1 || nameCount.get(k) !== 1 || taken.has(hits[0]!.id)) continue;
    taken.add(hits[0]!.id);
    out.push({ bcId: s.id, dvId: hits[0]!.id, by: 'name', confidence: 0.7 });
  }
  return out;
}

export async function salespeople(ctx: SetupContext, dataverseProfileId: string, bcProfileId: string, bcCompanyId: string | null) {
  const [dv, bc] = await Promise.all([ctx.deps.dataverse(dataverseProfileId), ctx.deps.businessCentral(bcProfileId)]);
  const company = bcCompanyId ?? (await bc.companies())[0]?.id;
  if (!company) throw new AppFailure('SETUP_BC_NO_COMPANY', 'The Business Central environment has no company. Create one, or pick another environment.');
  const sp = await bc.listAll<{ id: string; code: string; displayName?: string; email?: string }>(company, 'salespeoplePurchasers', { select: ['id', 'code', 'displayName', 'email'] });
  // Application and disabled users cannot own records in a useful way; isdisabled is still shown for context.
  const users = await dv.retrieveAll<{ systemuserid: string; fullname?: string; internalemailaddress?: string | null; isdisabled?: boolean; accessmode?: number }>(
    'systemusers', { select: ['systemuserid', 'fullname', 'internalemailaddress', 'isdisabled', 'accessmode'], filter: 'accessmode ne 4', maxPageSize: 5000 });
  const bcRows = sp.map((s) => ({
    id: s.id.toLowerCase(), code: s.code, name: s.displayName ?? s.code, email: s.email || null,
    coupledTo: ctx.couplings.byBc(SALESPERSON_TABLE_ID, s.id.toLowerCase())?.dvId ?? null,
  }));
  const dvRows = users.map((u) => ({
    id: u.systemuserid.toLowerCase(), fullName: u.fullname ?? u.systemuserid, email: u.internalemailaddress ?? null, disabled: u.isdisabled === true,
    coupledTo: ctx.couplings.byDv(SALESPERSON_TABLE_ID, u.systemuserid.toLowerCase())?.bcId ?? null,
  }));
  return {
    bc: bcRows, dataverse: dvRows, suggestions: suggestCouplings(bcRows, dvRows),
    explanation: msg('salespeople.explanation', 'With Person ownership every customer, contact, opportunity and sales document is owned by the Dataverse user coupled to its salesperson. A record whose salesperson is not coupled fails to synchronize with "Salesperson/Purchaser <code> must be coupled to a record". Couple salespeople before the first synchronization, or clear the salesperson code on those records.'),
  };
}

/** Couplings go into the sync engine's coupling table under BC table 13 (SALESPEOPLE mapping): one user per salesperson. */
export function coupleSalespeople(ctx: SetupContext, pairs: readonly { bcId: string; dvId: string }[]): { coupled: number; replaced: number } {
  const seenBc = new Set<string>();
  const seenDv = new Set<string>();
  for (const p of pairs) {
    const b = p.bcId.toLowerCase();
    const d = p.dvId.toLowerCase();
    if (seenBc.has(b) || seenDv.has(d)) {
      throw new AppFailure('SETUP_COUPLING_DUPLICATE', 'Each salesperson and each Dataverse user can be coupled only once. Remove the duplicate pair and try again.', { bcId: b, dvId: d });
    }
    seenBc.add(b);
    seenDv.add(d);
  }
  let replaced = 0;
  ctx.couplings.transaction(() => {
    for (const p of pairs) {
      const b = p.bcId.toLowerCase();
      const d = p.dvId.toLowerCase();
      const old = ctx.couplings.byBc(SALESPERSON_TABLE_ID, b);
      if (old?.dvId === d) continue;
      if (old) { ctx.couplings.remove(old.rowId); replaced++; }
      const otherBc = ctx.couplings.byDv(SALESPERSON_TABLE_ID, d);
      if (otherBc) { ctx.couplings.remove(otherBc.rowId); replaced++; }
      ctx.couplings.insert({ tableId: SALESPERSON_TABLE_ID, dvEntity: 'systemuser', bcId: b, dvId: d });
    }
  });
  return { coupled: pairs.length, replaced };
}
