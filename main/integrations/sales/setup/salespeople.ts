/**
 * Salesperson ⇄ Dataverse user suggestions: exact e-mail first (case-insensitive), then a normalised full name.
 * One user is suggested for at most one salesperson; ambiguous name matches are not suggested at all, because a
 * wrong owner is worse than an un-coupled one (the sync then tells the user what is missing).
 */
import type { Suggestion } from '../../../../preload/contract/sales/setup';

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
