/**
 * Suggestions (store name ⇄ team displayName / mailNickname) and team search by name, id and mail nickname.
 * Pure: the team list comes from ./directory.ts.
 */
import type { StoreInfo, StoreMapping, TeamInfo } from './model';

/** Lower case, accents off (ø→o, æ→ae, å→a, ä→a …), anything but letters and digits → space. */
export function normaliseName(s: string): string {
  return s
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const tokens = (s: string) => new Set(normaliseName(s).split(' ').filter(Boolean));

export interface Suggestion {
  storeNumber: string;
  storeName: string;
  teamId: string;
  teamName: string;
  /** 0..1 */
  score: number;
  reason: 'name' | 'storeNumber' | 'words';
}

/** How well a team matches a store: same name, the store number in its name or nickname, or shared words. */
export function matchScore(store: StoreInfo, team: TeamInfo): { score: number; reason: Suggestion['reason'] } {
  const sn = normaliseName(store.name);
  const names = [team.displayName, team.mailNickname ?? ''].filter(Boolean);
  if (names.some((n) => normaliseName(n) === sn && sn !== '')) return { score: 1, reason: 'name' };
  const num = normaliseName(store.storeNumber);
  if (num && names.some((n) => tokens(n).has(num) || normaliseName(n).replace(/ /g, '').endsWith(num))) return { score: 0.95, reason: 'storeNumber' };
  const st = tokens(store.name);
  let best = 0;
  for (const n of names) {
    const tt = tokens(n);
    if (!st.size || !tt.size) continue;
    let common = 0;
    for (const t of tt) if (st.has(t)) common++;
    // Containment of the smaller side, damped by the size difference (Jaccard would punish "Oslo Sentrum" vs
    // "Nordlys Oslo Sentrum" too much).
    const score = (common / Math.min(st.size, tt.size)) * (0.5 + 0.4 * (common / Math.max(st.size, tt.size)));
    best = Math.max(best, score);
  }
  return { score: Math.round(best * 1000) / 1000, reason: 'words' };
}

/**
 * For every store without a mapping, the best team nobody uses, greedily by score (a team is suggested once) and
 * only when it is clearly ahead (no other team as good for that store). Never the communications team.
 */
export function suggestMappings(stores: readonly StoreInfo[], teams: readonly TeamInfo[], mapped: readonly StoreMapping[], o: { communicationsTeamId?: string | null; minScore?: number } = {}): Suggestion[] {
  const minScore = o.minScore ?? 0.6;
  const used = new Set(mapped.map((m) => m.teamId.toLowerCase()));
  if (o.communicationsTeamId) used.add(o.communicationsTeamId.toLowerCase());
  const mappedStores = new Set(mapped.map((m) => m.storeNumber));
  const free = teams.filter((t) => t.isTeam && !used.has(t.id.toLowerCase()));
  const pairs: Suggestion[] = [];
  for (const s of stores) {
    if (mappedStores.has(s.storeNumber)) continue;
    const scored = free.map((t) => ({ t, ...matchScore(s, t) })).filter((x) => x.score >= minScore).sort((a, b) => b.score - a.score);
    if (!scored.length) continue;
    if (scored.length > 1 && scored[1]!.score === scored[0]!.score) continue; // a tie: let the user pick
    const b = scored[0]!;
    pairs.push({ storeNumber: s.storeNumber, storeName: s.name, teamId: b.t.id, teamName: b.t.displayName, score: b.score, reason: b.reason });
  }
  pairs.sort((a, b) => b.score - a.score || a.storeNumber.localeCompare(b.storeNumber));
  const taken = new Set<string>();
  const out: Suggestion[] = [];
  for (const p of pairs) {
    if (taken.has(p.teamId)) continue;
    taken.add(p.teamId);
    out.push(p);
  }
  return out.sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
}

/** Teams whose id, display name or mail nickname matches the query (id: exact or prefix; names: every word). */
export function searchTeams(teams: readonly TeamInfo[], query: string, limit = 50): TeamInfo[] {
  const q = query.trim().toLowerCase();
  if (!q) return teams.slice(0, limit);
  const words = normaliseName(q).split(' ').filter(Boolean);
  const rank = (t: TeamInfo): number => {
    const id = t.id.toLowerCase();
    if (id === q.replace(/^\{|\}$/g, '')) return 100;
    if (q.length >= 4 && id.startsWith(q)) return 90;
    const nick = (t.mailNickname ?? '').toLowerCase();
    if (nick === q) return 80;
    const name = normaliseName(t.displayName);
    if (name === normaliseName(q)) return 70;
    const hay = `${name} ${normaliseName(nick)} ${nick}`;
    if (words.length && words.every((w) => hay.includes(w))) return name.startsWith(words[0]!) ? 50 : 40;
    return 0;
  };
  return teams
    .map((t) => ({ t, r: rank(t) }))
    .filter((x) => x.r > 0)
    .sort((a, b) => b.r - a.r || a.t.displayName.localeCompare(b.t.displayName))
    .slice(0, limit)
    .map((x) => x.t);
}
